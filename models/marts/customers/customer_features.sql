-- One row per pseudonymous customer known by the business date (as_of), with every feature the
-- segments use. Each feature is null unless the consent purpose it needs is allowed at the end
-- of the business date (transactional, RFM and buy-till-you-die: analytics; browsing and
-- surveys: personalization; e-mail engagement: marketing_email). RFM quintiles are computed
-- over the customers whose analytics consent allows it. Customers under a verified deletion
-- request have no row.
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
        {{ if_allowed('orders_summary.preferred_channel', 'analytics', 'known_customers') }} as preferred_channel,
        {{ if_allowed('preferences.favourite_category', 'analytics', 'known_customers') }} as favourite_category,
        {{ if_allowed('preferences.favourite_metal', 'analytics', 'known_customers') }} as favourite_metal,
        {{ if_allowed('preferences.favourite_style', 'analytics', 'known_customers') }} as favourite_style,
        {{ rfm_class('rfm_scored.recency_score', 'rfm_scored.frequency_score') }} as rfm_class,
        {{ if_allowed('behaviour.viewed_never_bought_categories', 'personalization', 'known_customers') }}
            as viewed_never_bought_categories,
        {{ if_allowed('surveys.stated_purchase_occasion', 'personalization', 'known_customers') }}
            as stated_purchase_occasion,
        {{ if_allowed('surveys.stated_style_preference', 'personalization', 'known_customers') }}
            as stated_style_preference,
        {{ if_allowed('surveys.stated_value_priority', 'personalization', 'known_customers') }}
            as stated_value_priority,
        {{ if_allowed('coalesce(orders_summary.order_count, 0)', 'analytics', 'known_customers') }} as order_count,
        {{ if_allowed('coalesce(orders_summary.purchase_count, 0)', 'analytics', 'known_customers') }}
            as purchase_count,
        {{ if_allowed('coalesce(orders_summary.item_count, 0)', 'analytics', 'known_customers') }} as item_count,
        {{ if_allowed('coalesce(orders_summary.gross_revenue_usd, 0)', 'analytics', 'known_customers') }}
            as gross_revenue_usd,
        {{ if_allowed('coalesce(orders_summary.net_revenue_usd, 0)', 'analytics', 'known_customers') }}
            as net_revenue_usd,
        {{ if_allowed('coalesce(orders_summary.net_revenue_90d_usd, 0)', 'analytics', 'known_customers') }}
            as net_revenue_90d_usd,
        {{ if_allowed('coalesce(orders_summary.net_revenue_365d_usd, 0)', 'analytics', 'known_customers') }}
            as net_revenue_365d_usd,
        {{ if_allowed('orders_summary.average_order_value_usd', 'analytics', 'known_customers') }}
            as average_order_value_usd,
        {{ if_allowed('orders_summary.return_rate', 'analytics', 'known_customers') }} as return_rate,
        {{ if_allowed('orders_summary.discount_share', 'analytics', 'known_customers') }} as discount_share,
        {{ if_allowed('orders_summary.gift_share', 'analytics', 'known_customers') }} as gift_share,
        {{ if_allowed('orders_summary.avg_days_between_orders', 'analytics', 'known_customers') }}
            as avg_days_between_orders,
        {{ if_allowed('orders_summary.recency_days', 'analytics', 'known_customers') }} as recency_days,
        rfm_scored.recency_score,
        rfm_scored.frequency_score,
        rfm_scored.monetary_score,
        {{ if_allowed('orders_summary.btyd_frequency', 'analytics', 'known_customers') }} as btyd_frequency,
        {{ if_allowed('orders_summary.btyd_recency', 'analytics', 'known_customers') }} as btyd_recency,
        {{ if_allowed('orders_summary.btyd_t', 'analytics', 'known_customers') }} as btyd_t,
        {{ if_allowed('orders_summary.btyd_monetary', 'analytics', 'known_customers') }} as btyd_monetary,
        {{ if_allowed('coalesce(behaviour.session_count_30d, 0)', 'personalization', 'known_customers') }}
            as session_count_30d,
        {{ if_allowed('coalesce(behaviour.product_view_count_30d, 0)', 'personalization', 'known_customers') }}
            as product_view_count_30d,
        {{ if_allowed('coalesce(behaviour.add_to_cart_count_30d, 0)', 'personalization', 'known_customers') }}
            as add_to_cart_count_30d,
        {{ if_allowed('coalesce(behaviour.checkout_started_count_30d, 0)', 'personalization', 'known_customers') }}
            as checkout_started_count_30d,
        {{ if_allowed('behaviour.cart_abandonment_rate_30d', 'personalization', 'known_customers') }}
            as cart_abandonment_rate_30d,
        {{ if_allowed('coalesce(behaviour.email_open_count_90d, 0)', 'marketing_email', 'known_customers') }}
            as email_open_count_90d,
        {{ if_allowed('coalesce(behaviour.email_click_count_90d, 0)', 'marketing_email', 'known_customers') }}
            as email_click_count_90d,
        {{ if_allowed('behaviour.email_open_rate_90d', 'marketing_email', 'known_customers') }}
            as email_open_rate_90d,
        {{ if_allowed('behaviour.email_click_rate_90d', 'marketing_email', 'known_customers') }}
            as email_click_rate_90d,
        {{ if_allowed('coalesce(orders_summary.has_bridal_purchase, false)', 'analytics', 'known_customers') }}
            as has_bridal_purchase,
        {{ if_allowed('coalesce(behaviour.has_bridal_browsing_intent, false)', 'personalization', 'known_customers') }}
            as has_bridal_browsing_intent,
        known_customers.is_loyalty_member,
        known_customers.is_analytics_allowed,
        known_customers.is_personalization_allowed,
        known_customers.is_marketing_email_allowed,
        known_customers.is_sale_sharing_allowed,
        known_customers.may_be_profiled,
        {{ as_of_date() }} as as_of_date,
        known_customers.signup_at,
        {{ if_allowed('orders_summary.first_order_at', 'analytics', 'known_customers') }} as first_order_at,
        {{ if_allowed('orders_summary.last_order_at', 'analytics', 'known_customers') }} as last_order_at,
        {{ if_allowed('behaviour.last_seen_at', 'personalization', 'known_customers') }} as last_seen_at
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
