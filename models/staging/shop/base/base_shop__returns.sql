-- All raw return rows, parsed and checked, with their disposition. A return with a missing key,
-- an unknown order, an unparseable or implausible time or an invalid amount is quarantined.
with

source as (
    select * from {{ raw_source('shop', 'returns') }}
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
        ]) }} as quarantine_reason
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
        {{ disposition(['return_id'], 'source_file desc, source_row_number desc') }} as disposition
    from checked
)

select * from final
