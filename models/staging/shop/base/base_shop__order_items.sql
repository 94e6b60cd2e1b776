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
        {{ clean_identifier('order_item_id') }} as order_item_id,
        {{ clean_identifier('order_id') }} as order_id,
        {{ clean_identifier('product_id') }} as product_id,
        {{ parse_integer('quantity') }} as quantity,
        {{ parse_amount('unit_price') }} as unit_price,
        {{ parse_amount('discount_amount') }} as discount_amount,
        {{ parse_amount('line_amount') }} as line_amount,
        cast(quantity as varchar) as quantity__raw,
        cast(unit_price as varchar) as unit_price__raw,
        cast(discount_amount as varchar) as discount_amount__raw,
        cast(line_amount as varchar) as line_amount__raw
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('order_item_id'),
            check_identifier('order_id'),
            check_identifier('product_id'),
            check_range('quantity', 1, 1000),
            check_amount('unit_price'),
            check_amount('discount_amount', required=false),
            check_amount('line_amount'),
            check_known('order_id', 'base_shop__orders', 'order_id'),
        ]) }} as quarantine_reason,
        {{ content_hash([
            'order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price', 'discount_amount',
            'line_amount',
        ]) }} as content_hash,
        -- lines of an erased customer's order go with it
        coalesce(order_id in (
            select erased_orders.order_id from {{ ref('base_shop__orders') }} as erased_orders
            where erased_orders.disposition = 'deleted_customer'
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
