-- One row per customer who bought something: the favourite category, metal and style, each the
-- attribute with the most units bought in orders not cancelled by the business date (ties go
-- to the alphabetically first value, so the choice is deterministic).
with

order_items as (
    select * from {{ ref('int_order_items_described') }}
),

purchased_items as (
    select * from order_items
    where not is_cancelled
),

category_ranked as (
    select
        customer_key,
        category,
        row_number() over (
            partition by customer_key order by sum(quantity) desc, category
        ) as preference_rank
    from purchased_items
    where category is not null
    group by customer_key, category
),

metal_ranked as (
    select
        customer_key,
        metal,
        row_number() over (
            partition by customer_key order by sum(quantity) desc, metal
        ) as preference_rank
    from purchased_items
    where metal is not null
    group by customer_key, metal
),

style_ranked as (
    select
        customer_key,
        style,
        row_number() over (
            partition by customer_key order by sum(quantity) desc, style
        ) as preference_rank
    from purchased_items
    where style is not null
    group by customer_key, style
),

customers as (
    select distinct customer_key from purchased_items
),

final as (
    select
        customers.customer_key,
        category_ranked.category as favourite_category,
        metal_ranked.metal as favourite_metal,
        style_ranked.style as favourite_style
    from customers
    left join category_ranked
        on customers.customer_key = category_ranked.customer_key
            and category_ranked.preference_rank = 1
    left join metal_ranked
        on customers.customer_key = metal_ranked.customer_key
            and metal_ranked.preference_rank = 1
    left join style_ranked
        on customers.customer_key = style_ranked.customer_key
            and style_ranked.preference_rank = 1
)

select * from final
