-- One row per pseudonymous customer known by the business date (as_of), with every feature the
-- segments use. Each feature is null unless the consent purpose it needs is allowed at the end
-- of the business date: the purpose is the column's meta consent_purpose in
-- _customers__models.yml, applied by the macro gated (stated nowhere else). RFM quintiles are
-- computed over the customers whose analytics consent allows it. Customers under a verified
-- deletion request have no row.
{{ assert_consent_purposes_declared() }}
with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

consents as (
    select * from {{ ref('int_customer_consents_pivoted') }}
),

orders_summary as (
    select * from {{ ref('int_customer_orders_summarized') }}
),

preferences as (
    select * from {{ ref('int_customer_preferences_ranked') }}
),

behaviour as (
    select * from {{ ref('int_customer_behaviour_summarized') }}
),

surveys as (
    select * from {{ ref('int_customer_surveys_latest') }}
),

known_customers as (
    select
        customers.customer_key,
        customers.is_loyalty_member,
        customers.signup_at,
        consents.privacy_region,
        consents.consent_model,
        consents.consent_version,
        consents.analytics_status,
        consents.personalization_status,
        consents.marketing_email_status,
        consents.sale_sharing_status,
        {%- for purpose in consent_purposes() %}
            consents.{{ purpose }}_legal_ground,
            consents.{{ purpose }}_legal_ground_version,
        {%- endfor %}
        consents.is_analytics_allowed,
        consents.is_personalization_allowed,
        consents.is_marketing_email_allowed,
        consents.is_sale_sharing_allowed,
        consents.may_be_profiled
    from customers
    inner join consents
        on customers.customer_key = consents.customer_key
    left join orders_summary
        on customers.customer_key = orders_summary.customer_key
    where
        not consents.is_deleted
        and (
            customers.signup_at is null
            or customers.signup_at < {{ as_of_end_timestamp() }}
            or orders_summary.customer_key is not null
        )
),

rfm_scored as (
    select
        known_customers.customer_key,
        {{ quintile_score('orders_summary.recency_days', descending=true) }} as recency_score,
        {{ quintile_score('orders_summary.purchase_count') }} as frequency_score,
        {{ quintile_score('orders_summary.net_revenue_usd') }} as monetary_score
    from known_customers
    inner join orders_summary
        on known_customers.customer_key = orders_summary.customer_key
    where known_customers.is_analytics_allowed and orders_summary.purchase_count > 0
),

final as (
    select
        known_customers.customer_key,
        known_customers.privacy_region,
        known_customers.consent_model,
        known_customers.consent_version,
        known_customers.analytics_status,
        known_customers.personalization_status,
        known_customers.marketing_email_status,
        known_customers.sale_sharing_status,
        {%- for purpose in consent_purposes() %}
            known_customers.{{ purpose }}_legal_ground,
            known_customers.{{ purpose }}_legal_ground_version,
        {%- endfor %}
        {{ gated('orders_summary.preferred_channel', 'preferred_channel') }},
        {{ gated('preferences.favourite_category', 'favourite_category') }},
        {{ gated('preferences.favourite_metal', 'favourite_metal') }},
        {{ gated('preferences.favourite_style', 'favourite_style') }},
        {{ gated(rfm_class('rfm_scored.recency_score', 'rfm_scored.frequency_score'), 'rfm_class') }},
        {{ gated('behaviour.viewed_never_bought_categories', 'viewed_never_bought_categories') }},
        {{ gated('surveys.stated_purchase_occasion', 'stated_purchase_occasion') }},
        {{ gated('surveys.stated_style_preference', 'stated_style_preference') }},
        {{ gated('surveys.stated_value_priority', 'stated_value_priority') }},
        {{ gated('coalesce(orders_summary.order_count, 0)', 'order_count') }},
        {{ gated('coalesce(orders_summary.purchase_count, 0)', 'purchase_count') }},
        {{ gated('coalesce(orders_summary.item_count, 0)', 'item_count') }},
        {{ gated('coalesce(orders_summary.gross_revenue_usd, 0)', 'gross_revenue_usd') }},
        {{ gated('coalesce(orders_summary.net_revenue_usd, 0)', 'net_revenue_usd') }},
        {{ gated('coalesce(orders_summary.net_revenue_90d_usd, 0)', 'net_revenue_90d_usd') }},
        {{ gated('coalesce(orders_summary.net_revenue_365d_usd, 0)', 'net_revenue_365d_usd') }},
        {{ gated('orders_summary.average_order_value_usd', 'average_order_value_usd') }},
        {{ gated('orders_summary.return_rate', 'return_rate') }},
        {{ gated('orders_summary.discount_share', 'discount_share') }},
        {{ gated('orders_summary.gift_share', 'gift_share') }},
        {{ gated('orders_summary.avg_days_between_orders', 'avg_days_between_orders') }},
        {{ gated('orders_summary.recency_days', 'recency_days') }},
        {{ gated('rfm_scored.recency_score', 'recency_score') }},
        {{ gated('rfm_scored.frequency_score', 'frequency_score') }},
        {{ gated('rfm_scored.monetary_score', 'monetary_score') }},
        {{ gated('orders_summary.btyd_frequency', 'btyd_frequency') }},
        {{ gated('orders_summary.btyd_recency', 'btyd_recency') }},
        {{ gated('orders_summary.btyd_t', 'btyd_t') }},
        {{ gated('orders_summary.btyd_monetary', 'btyd_monetary') }},
        {{ gated('coalesce(behaviour.session_count_30d, 0)', 'session_count_30d') }},
        {{ gated('coalesce(behaviour.product_view_count_30d, 0)', 'product_view_count_30d') }},
        {{ gated('coalesce(behaviour.add_to_cart_count_30d, 0)', 'add_to_cart_count_30d') }},
        {{ gated('coalesce(behaviour.checkout_started_count_30d, 0)', 'checkout_started_count_30d') }},
        {{ gated('behaviour.cart_abandonment_rate_30d', 'cart_abandonment_rate_30d') }},
        {{ gated('coalesce(behaviour.email_open_count_90d, 0)', 'email_open_count_90d') }},
        {{ gated('coalesce(behaviour.email_click_count_90d, 0)', 'email_click_count_90d') }},
        {{ gated('behaviour.email_open_rate_90d', 'email_open_rate_90d') }},
        {{ gated('behaviour.email_click_rate_90d', 'email_click_rate_90d') }},
        {{ gated('coalesce(orders_summary.has_bridal_purchase, false)', 'has_bridal_purchase') }},
        {{ gated('coalesce(behaviour.has_bridal_browsing_intent, false)', 'has_bridal_browsing_intent') }},
        known_customers.is_loyalty_member,
        known_customers.is_analytics_allowed,
        known_customers.is_personalization_allowed,
        known_customers.is_marketing_email_allowed,
        known_customers.is_sale_sharing_allowed,
        known_customers.may_be_profiled,
        {{ as_of_date() }} as as_of_date,
        known_customers.signup_at,
        {{ gated('orders_summary.first_order_at', 'first_order_at') }},
        {{ gated('orders_summary.last_order_at', 'last_order_at') }},
        {{ gated('behaviour.last_seen_at', 'last_seen_at') }}
    from known_customers
    left join orders_summary
        on known_customers.customer_key = orders_summary.customer_key
    left join preferences
        on known_customers.customer_key = preferences.customer_key
    left join behaviour
        on known_customers.customer_key = behaviour.customer_key
    left join surveys
        on known_customers.customer_key = surveys.customer_key
    left join rfm_scored
        on known_customers.customer_key = rfm_scored.customer_key
)

select * from final
