-- One row per order line.
with

base_order_items as (
    select * from {{ ref('base_shop__order_items') }}
),

final as (
    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        line_amount
    from base_order_items
    where disposition = 'staged'
)

select * from final
