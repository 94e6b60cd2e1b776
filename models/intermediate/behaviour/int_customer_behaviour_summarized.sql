-- One row per customer with attributed events: browsing and e-mail engagement over windows
-- ending on the business date, counting only events the customer's analytics consent allowed
-- at the time they happened. Windows: 30 days for browsing, 90 days for bridal intent, viewed
-- categories and e-mail engagement. Reads the events of those 90 days only; when a customer
-- was last seen comes from the per-day aggregate int_customer_event_days_aggregated.
with

-- not materialized: referenced several times, DuckDB would otherwise copy every event
-- into a temporary result before filtering (the filters are pushed into each scan)
events as {{ cte_not_materialized() }} (
    select * from {{ ref('int_events_attributed') }}
),

event_days as (
    select * from {{ ref('int_customer_event_days_aggregated') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

order_items as (
    select * from {{ ref('int_order_items_described') }}
),

allowed_events as (
    select *
    from events
    where
        customer_key is not null
        and is_analytics_allowed
        and event_date >= {{ feature_window_start('medium') }}
        and event_date <= {{ as_of_date() }}
        and event_at < {{ as_of_end_timestamp() }}
),

-- from the daily aggregate: event_date <= as_of is event_at before the end of as_of
last_seen as (
    select
        customer_key,
        max(last_event_at) as last_seen_at
    from event_days
    where event_date <= {{ as_of_date() }}
    group by customer_key
),

sessions_30d as (
    select
        customer_key,
        session_key,
        bool_or(event_type = 'add_to_cart') as has_cart,
        bool_or(event_type = 'purchase') as has_purchase
    from allowed_events
    where event_date >= {{ feature_window_start('short') }}
    group by customer_key, session_key
),

browsing_30d as (
    select
        customer_key,
        count(*) as session_count_30d,
        count(*) filter (where has_cart) as cart_session_count_30d,
        count(*) filter (where has_cart and not has_purchase) as abandoned_cart_session_count_30d
    from sessions_30d
    group by customer_key
),

event_counts as (
    select
        customer_key,
        count(*) filter (where event_type = 'product_view' and event_date >= {{ feature_window_start('short') }})
            as product_view_count_30d,
        count(*) filter (where event_type = 'add_to_cart' and event_date >= {{ feature_window_start('short') }})
            as add_to_cart_count_30d,
        count(*) filter (where event_type = 'checkout_started' and event_date >= {{ feature_window_start('short') }})
            as checkout_started_count_30d,
        count(*) filter (where event_type = 'email_open') as email_open_count_90d,
        count(*) filter (where event_type = 'email_click') as email_click_count_90d,
        count(distinct campaign_id) filter (where event_type = 'email_open') as campaigns_opened_90d
    from allowed_events
    group by customer_key
),

campaigns_90d as (
    select count(distinct campaign_id) as campaign_count
    from events
    where
        event_type in ('email_open', 'email_click')
        and event_date >= {{ feature_window_start('medium') }}
        and event_date <= {{ as_of_date() }}
),

viewed_categories as (
    select distinct
        allowed_events.customer_key,
        products.category,
        products.is_bridal
    from allowed_events
    inner join products
        on allowed_events.product_id = products.product_id
    where allowed_events.event_type = 'product_view'
),

bought_categories as (
    select distinct
        customer_key,
        category
    from order_items
    where not is_cancelled and category is not null
),

browsing_intent as (
    select
        viewed_categories.customer_key,
        bool_or(viewed_categories.is_bridal) as has_bridal_browsing_intent,
        {{ sorted_distinct_list(
            'viewed_categories.category', 'bought_categories.category is null'
        ) }} as viewed_never_bought_categories
    from viewed_categories
    left join bought_categories
        on
            viewed_categories.customer_key = bought_categories.customer_key
            and viewed_categories.category = bought_categories.category
    group by viewed_categories.customer_key
),

final as (
    select
        last_seen.customer_key,
        {{ list_to_text('browsing_intent.viewed_never_bought_categories', ',') }} as viewed_never_bought_categories,
        coalesce(browsing_30d.session_count_30d, 0) as session_count_30d,
        coalesce(event_counts.product_view_count_30d, 0) as product_view_count_30d,
        coalesce(event_counts.add_to_cart_count_30d, 0) as add_to_cart_count_30d,
        coalesce(event_counts.checkout_started_count_30d, 0) as checkout_started_count_30d,
        {{ safe_divide(
            'browsing_30d.abandoned_cart_session_count_30d', 'browsing_30d.cart_session_count_30d'
        ) }} as cart_abandonment_rate_30d,
        coalesce(event_counts.email_open_count_90d, 0) as email_open_count_90d,
        coalesce(event_counts.email_click_count_90d, 0) as email_click_count_90d,
        {{ safe_divide('event_counts.campaigns_opened_90d', 'campaigns_90d.campaign_count') }}
            as email_open_rate_90d,
        {{ safe_divide('event_counts.email_click_count_90d', 'event_counts.email_open_count_90d') }}
            as email_click_rate_90d,
        coalesce(browsing_intent.has_bridal_browsing_intent, false) as has_bridal_browsing_intent,
        last_seen.last_seen_at
    from last_seen
    cross join campaigns_90d
    left join browsing_30d
        on last_seen.customer_key = browsing_30d.customer_key
    left join event_counts
        on last_seen.customer_key = event_counts.customer_key
    left join browsing_intent
        on last_seen.customer_key = browsing_intent.customer_key
)

select * from final
