-- The quarantine log of the shop source: every raw row that was not staged as it came
-- (quarantined with a reason, removed as a duplicate, or staged with values set to null),
-- pointing at the raw file and row. Customers' ids are pseudonymized.
with

customers as (
    {{ quarantine_rows(
        'base_shop__customers', 'customers', 'customer_id',
        pseudonymize_id=true, has_value_issues=true
    ) }}
),

products as (
    {{ quarantine_rows('base_shop__products', 'products', 'product_id', has_value_issues=true) }}
),

orders as (
    {{ quarantine_rows('base_shop__orders', 'orders', 'order_id', has_flags=true) }}
),

order_items as (
    {{ quarantine_rows('base_shop__order_items', 'order_items', 'order_item_id') }}
),

returns as (
    {{ quarantine_rows('base_shop__returns', 'returns', 'return_id') }}
),

final as (
    select * from customers
    union all
    select * from products
    union all
    select * from orders
    union all
    select * from order_items
    union all
    select * from returns
)

select * from final
