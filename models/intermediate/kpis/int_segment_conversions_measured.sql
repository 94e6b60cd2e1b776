-- One row per segment and KPI day with a member who ordered in the 30 days ending on the day
-- (orders not cancelled, status as known when the day was built): members who ordered, their
-- orders, net revenue and orders with a return, and members reactivated (an order in the
-- window more than 180 days after their previous one).
with

int_kpi_days_scheduled as (
    select * from {{ ref('int_kpi_days_scheduled') }}
),

int_segment_members_dated as (
    select * from {{ ref('int_segment_members_dated') }}
),

int_orders_valued as (
    select * from {{ ref('int_orders_valued') }}
),

orders as (
    select
        customer_key,
        order_id,
        order_date,
        net_amount_usd,
        has_return,
        {{ days_between(
            'lag(order_date) over (partition by customer_key order by ordered_at, order_id)',
            'order_date',
        ) }} as days_since_previous_order
    from int_orders_valued
    where not is_cancelled
),

member_orders as (
    select
        members.member_date as kpi_date,
        members.segment_id,
        members.customer_key,
        count(orders.order_id) as order_count,
        coalesce(sum(orders.net_amount_usd), 0) as net_revenue_usd,
        count(*) filter (where orders.has_return) as returned_orders,
        bool_or(orders.days_since_previous_order > 180) as is_reactivated
    from int_segment_members_dated as members
    inner join int_kpi_days_scheduled as kpi_days
        on members.member_date = kpi_days.kpi_date
    inner join orders
        on
            members.customer_key = orders.customer_key
            and kpi_days.window_before_date < orders.order_date
            and members.member_date >= orders.order_date
    group by all
),

final as (
    select
        segment_id,
        kpi_date,
        count(*) as converted_members,
        sum(order_count) as orders,
        sum(net_revenue_usd) as net_revenue_usd,
        sum(returned_orders) as returned_orders,
        count(*) filter (where is_reactivated) as reactivated_members
    from member_orders
    group by all
)

select * from final
