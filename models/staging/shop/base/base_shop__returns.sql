-- All raw return rows, parsed and checked, with their disposition. A return with a missing key,
-- an unknown order, an unparseable or implausible time, an invalid amount or a return received
-- before its order was placed is quarantined.
with

source as (
    select * from {{ raw_source('shop', 'returns') }}
),

base_shop__orders as (
    select * from {{ ref('base_shop__orders') }}
),

-- when each order was placed (its earliest valid version), to refuse returns before it
order_placements as (
    select
        order_id,
        min(ordered_at) as ordered_at
    from base_shop__orders
    where quarantine_reason is null
    group by order_id
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('return_id') }} as return_id,
        {{ clean_identifier('order_id') }} as order_id,
        {{ clean_identifier('order_item_id') }} as order_item_id,
        {{ clean_code('reason') }} as return_reason,
        {{ parse_integer('quantity') }} as quantity,
        {{ parse_amount('refund_amount') }} as refund_amount,
        {{ parse_timestamp('returned_at') }} as returned_at,
        cast(quantity as varchar) as quantity__raw,
        cast(refund_amount as varchar) as refund_amount__raw,
        cast(returned_at as varchar) as returned_at__raw
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('return_id'),
            check_identifier('order_id'),
            check_timestamp('returned_at'),
            check_range('quantity', 1, 1000),
            check_amount('refund_amount'),
            check_known('order_id', 'base_shop__orders', 'order_id'),
            "case when returned_at < (select order_placements.ordered_at from order_placements"
                ~ " where order_placements.order_id = parsed.order_id)"
                ~ " then 'returned_at before the order''s ordered_at' end",
        ]) }} as quarantine_reason,
        {{ content_hash([
            'return_id', 'order_id', 'order_item_id', 'return_reason', 'quantity', 'refund_amount',
            'returned_at',
        ]) }} as content_hash,
        -- returns of an erased customer's order go with it
        coalesce(order_id in (
            select erased_orders.order_id from base_shop__orders as erased_orders
            where erased_orders.disposition = 'deleted_customer'
        ), false) as is_erased
    from parsed
),

final as (
    select
        source_file,
        source_row_number,
        return_id,
        order_id,
        order_item_id,
        coalesce(return_reason, 'other') as return_reason,
        quantity,
        refund_amount,
        returned_at,
        quarantine_reason,
        content_hash,
        {{ disposition(['return_id'], 'returned_at', erased='is_erased') }} as disposition
    from checked
)

select * from final
