-- All raw order rows, parsed and checked, with their disposition. An order row with a missing
-- or unknown key, an unparseable or implausible time, an invalid amount or an unexpected
-- status/channel is quarantined; an order placed before its customer signed up is staged and
-- flagged (flags, logged as 'flagged'); among valid versions of an order the latest updated_at wins
-- (older ones are superseded; two versions with the same updated_at and different content are
-- a conflict, won by the smaller content_hash: see disposition).
with

source as (
    select * from {{ raw_source('shop', 'orders') }}
),

base_shop__customers as (
    select * from {{ ref('base_shop__customers') }}
),

-- the earliest valid signup of each customer, to flag orders placed before it
customer_signups as (
    select
        customer_id,
        min(signup_at) as signup_at
    from base_shop__customers
    where quarantine_reason is null
    group by customer_id
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('order_id') }} as order_id,
        {{ clean_identifier('customer_id') }} as customer_id,
        {{ clean_code('channel') }} as channel,
        {{ clean_code('status') }} as order_status,
        {{ clean_code('currency', case='upper') }} as currency_code,
        nullif(trim(discount_code), '') as discount_code,
        nullif(trim(gift_message), '') as gift_message,
        {{ parse_amount('subtotal_amount') }} as subtotal_amount,
        {{ parse_amount('discount_amount') }} as discount_amount,
        {{ parse_amount('shipping_amount') }} as shipping_amount,
        {{ parse_amount('tax_amount') }} as tax_amount,
        {{ parse_amount('total_amount') }} as total_amount,
        {{ parse_boolean('is_gift') }} as is_gift,
        {{ parse_timestamp('ordered_at') }} as ordered_at,
        {{ parse_timestamp('updated_at') }} as updated_at,
        cast(subtotal_amount as varchar) as subtotal_amount__raw,
        cast(discount_amount as varchar) as discount_amount__raw,
        cast(shipping_amount as varchar) as shipping_amount__raw,
        cast(tax_amount as varchar) as tax_amount__raw,
        cast(total_amount as varchar) as total_amount__raw,
        cast(is_gift as varchar) as is_gift__raw,
        cast(ordered_at as varchar) as ordered_at__raw,
        cast(updated_at as varchar) as updated_at__raw
    from source
),

signups_joined as (
    select
        parsed.*,
        customer_signups.signup_at as customer_signup_at
    from parsed
    left join customer_signups
        on parsed.customer_id = customer_signups.customer_id
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('order_id'),
            check_identifier('customer_id'),
            check_timestamp('ordered_at'),
            check_timestamp('updated_at'),
            check_order('ordered_at', 'updated_at'),
            check_accepted('order_status', ['placed', 'shipped', 'completed', 'cancelled', 'returned']),
            check_accepted('channel', ['web', 'app', 'store', 'marketplace']),
            check_accepted('currency_code', ['USD', 'EUR', 'GBP']),
            check_amount('subtotal_amount'),
            check_amount('discount_amount', required=false),
            check_amount('shipping_amount', required=false),
            check_amount('tax_amount', required=false),
            check_amount('total_amount'),
            check_value('is_gift', required=false),
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason,
        {{ content_hash([
            'order_id', 'customer_id', 'channel', 'order_status', 'currency_code', 'discount_code',
            'gift_message', 'subtotal_amount', 'discount_amount', 'shipping_amount', 'tax_amount',
            'total_amount', 'is_gift', 'ordered_at', 'updated_at',
        ]) }} as content_hash,
        {{ is_erased_customer('customer_id') }} as is_erased,
        -- a guest order before the account was opened is real revenue: kept, and flagged
        case
            when ordered_at < customer_signup_at then 'ordered_at before the customer''s signup_at'
        end as flags
    from signups_joined
),

final as (
    select
        source_file,
        source_row_number,
        order_id,
        customer_id,
        channel,
        order_status,
        currency_code,
        discount_code,
        gift_message,
        subtotal_amount,
        coalesce(discount_amount, 0) as discount_amount,
        coalesce(shipping_amount, 0) as shipping_amount,
        coalesce(tax_amount, 0) as tax_amount,
        total_amount,
        coalesce(is_gift, false) as is_gift,
        ordered_at,
        updated_at,
        quarantine_reason,
        flags,
        content_hash,
        {{ disposition(
            ['order_id'], 'updated_at desc', version='updated_at', erased='is_erased'
        ) }} as disposition
    from checked
)

select * from final
