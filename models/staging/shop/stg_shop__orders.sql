-- One row per order (its latest version), buyer pseudonymized; the free-text gift message
-- never leaves staging: only whether there was one.
with

base_orders as (
    select * from {{ ref('base_shop__orders') }}
),

final as (
    select
        order_id,
        {{ pseudonymize('customer_id', 'customer_id') }} as customer_key,
        channel,
        order_status,
        currency_code,
        discount_code,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        tax_amount,
        total_amount,
        is_gift,
        gift_message is not null as has_gift_message,
        discount_code is not null or discount_amount > 0 as is_discounted,
        order_status = 'cancelled' as is_cancelled,
        ordered_at,
        updated_at,
        cast(ordered_at as date) as order_date
    from base_orders
    where disposition = 'staged'
)

select * from final
