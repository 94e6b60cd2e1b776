-- All raw order-line rows, parsed and checked, with their disposition. A line with a missing
-- key, an unknown order, an invalid quantity or amount is quarantined.
with

source as (
    select * from {{ raw_source('shop', 'order_items') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ staged_columns('shop', 'order_items') }}
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason(staged_checks('shop', 'order_items') + [
            check_known('order_id', 'base_shop__orders', 'order_id'),
        ]) }} as quarantine_reason,
        {{ content_hash(staged_content('shop', 'order_items')) }} as content_hash,
        -- lines of an erased customer's order go with it
        -- (the id renamed in a derived table: see check_known)
        coalesce(order_id in (
            select erased_orders.erased_order_id from (
                select order_id as erased_order_id from {{ ref('base_shop__orders') }}
                where disposition = 'deleted_customer'
            ) as erased_orders
        ), false) as is_erased
    from parsed
),

final as (
    select
        source_file,
        source_row_number,
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        coalesce(discount_amount, 0) as discount_amount,
        line_amount,
        quarantine_reason,
        content_hash,
        {{ disposition(['order_item_id'], erased='is_erased') }} as disposition
    from checked
)

select * from final
