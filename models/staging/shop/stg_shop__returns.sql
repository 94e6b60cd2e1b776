-- One row per return.
with

base_returns as (
    select * from {{ ref('base_shop__returns') }}
),

final as (
    select
        return_id,
        order_id,
        order_item_id,
        return_reason,
        quantity,
        refund_amount,
        returned_at,
        cast(returned_at as date) as return_date
    from base_returns
    where disposition = 'staged'
)

select * from final
