-- One row per order line of an order placed by the business date, with the product's
-- attributes (null when the product is not in the catalogue) and its order's buyer and status.
with

orders as (
    select * from {{ ref('int_orders_valued') }}
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

final as (
    select
        order_items.order_item_id,
        order_items.order_id,
        orders.customer_key,
        order_items.product_id,
        products.category,
        products.metal,
        products.style,
        order_items.quantity,
        coalesce(products.is_bridal, false) as is_bridal,
        orders.is_cancelled,
        orders.order_date
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
)

select * from final
