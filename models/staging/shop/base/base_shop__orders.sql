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
        {{ staged_columns('shop', 'orders') }}
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
        {{ quarantine_reason(staged_checks('shop', 'orders') + [
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason,
        {{ content_hash(staged_content('shop', 'orders')) }} as content_hash,
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
