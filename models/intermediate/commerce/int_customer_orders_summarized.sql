-- One row per customer with at least one order placed by the business date: the transactional
-- features, the RFM inputs and the buy-till-you-die summary (Fader, Hardie & Lee, 2005).
-- Purchases = orders not cancelled as of the business date; the BTYD summary counts only
-- completed orders, aggregated per calendar day (UTC).
with

orders as (
    select * from {{ ref('int_orders_valued') }}
),

order_items as (
    select * from {{ ref('int_order_items_described') }}
),

purchases as (
    select * from orders
    where not is_cancelled
),

purchase_days as (
    select
        customer_key,
        order_date,
        lag(order_date) over (partition by customer_key order by order_date) as previous_order_date
    from (
        select distinct
            customer_key,
            order_date
        from purchases
    ) as distinct_days
),

gaps as (
    select
        customer_key,
        avg({{ days_between('previous_order_date', 'order_date') }}) as avg_days_between_orders
    from purchase_days
    where previous_order_date is not null
    group by customer_key
),

completed_days as (
    select
        customer_key,
        order_date,
        sum(net_amount_usd) as day_spend_usd,
        row_number() over (partition by customer_key order by order_date) as day_number
    from orders
    where is_completed
    group by customer_key, order_date
),

btyd as (
    select
        customer_key,
        count(*) - 1 as btyd_frequency,
        {{ days_between('min(order_date)', 'max(order_date)') }} as btyd_recency,
        {{ days_between('min(order_date)', as_of_date()) }} as btyd_t,
        coalesce(
            {{ safe_divide('sum(day_spend_usd) filter (where day_number > 1)', 'count(*) - 1') }},
            0
        ) as btyd_monetary
    from completed_days
    group by customer_key
),

channel_ranked as (
    select
        customer_key,
        channel,
        row_number() over (
            partition by customer_key order by count(*) desc, channel
        ) as channel_rank
    from purchases
    group by customer_key, channel
),

bridal_buyers as (
    select distinct customer_key
    from order_items
    where is_bridal and not is_cancelled
),

order_totals as (
    select
        customer_key,
        count(*) as order_count,
        count(*) filter (where not is_cancelled) as purchase_count,
        cast(sum(item_count) filter (where not is_cancelled) as bigint) as item_count,
        cast(sum(gross_amount_usd) as decimal(18, 2)) as gross_revenue_usd,
        cast(sum(net_amount_usd) as decimal(18, 2)) as net_revenue_usd,
        cast(sum(net_amount_usd) filter (where order_date >= {{ feature_window_start('medium') }}) as decimal(18, 2))
            as net_revenue_90d_usd,
        cast(sum(net_amount_usd) filter (where order_date >= {{ feature_window_start('long') }}) as decimal(18, 2))
            as net_revenue_365d_usd,
        -- the exact decimal sum divided as doubles: avg() of a decimal rounds to 6 places on Spark
        {{ safe_divide(
            'sum(net_amount_usd) filter (where not is_cancelled)',
            'count(net_amount_usd) filter (where not is_cancelled)',
        ) }} as average_order_value_usd,
        avg(case when has_return then 1e0 else 0e0 end) filter (where not is_cancelled) as return_rate,
        avg(case when is_discounted then 1e0 else 0e0 end) filter (where not is_cancelled) as discount_share,
        avg(case when is_gift then 1e0 else 0e0 end) filter (where not is_cancelled) as gift_share,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        max(order_date) filter (where not is_cancelled) as last_purchase_date
    from orders
    group by customer_key
),

final as (
    select
        order_totals.customer_key,
        channel_ranked.channel as preferred_channel,
        order_totals.order_count,
        order_totals.purchase_count,
        coalesce(order_totals.item_count, 0) as item_count,
        order_totals.gross_revenue_usd,
        order_totals.net_revenue_usd,
        coalesce(order_totals.net_revenue_90d_usd, 0) as net_revenue_90d_usd,
        coalesce(order_totals.net_revenue_365d_usd, 0) as net_revenue_365d_usd,
        order_totals.average_order_value_usd,
        order_totals.return_rate,
        order_totals.discount_share,
        order_totals.gift_share,
        gaps.avg_days_between_orders,
        {{ days_between('order_totals.last_purchase_date', as_of_date()) }} as recency_days,
        btyd.btyd_frequency,
        btyd.btyd_recency,
        btyd.btyd_t,
        btyd.btyd_monetary,
        bridal_buyers.customer_key is not null as has_bridal_purchase,
        order_totals.first_order_at,
        order_totals.last_order_at
    from order_totals
    left join channel_ranked
        on order_totals.customer_key = channel_ranked.customer_key
            and channel_ranked.channel_rank = 1
    left join gaps
        on order_totals.customer_key = gaps.customer_key
    left join btyd
        on order_totals.customer_key = btyd.customer_key
    left join bridal_buyers
        on order_totals.customer_key = bridal_buyers.customer_key
)

select * from final
