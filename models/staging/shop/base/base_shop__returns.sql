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
        {{ staged_columns('shop', 'returns') }}
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason(staged_checks('shop', 'returns') + [
            check_known('order_id', 'base_shop__orders', 'order_id'),
            "case when returned_at < (select max(order_placements.ordered_at) from order_placements"
                ~ " where order_placements.order_id = parsed.order_id)"
                ~ " then 'returned_at before the order''s ordered_at' end",
        ]) }} as quarantine_reason,
        {{ content_hash(staged_content('shop', 'returns')) }} as content_hash,
        -- returns of an erased customer's order go with it
        -- (the id renamed in a derived table: see check_known)
        coalesce(order_id in (
            select erased_orders.erased_order_id from (
                select order_id as erased_order_id from base_shop__orders
                where disposition = 'deleted_customer'
            ) as erased_orders
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
