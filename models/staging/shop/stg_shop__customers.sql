-- One row per customer account, pseudonymized: no e-mail, no name, no raw id.
with

base_customers as (
    select * from {{ ref('base_shop__customers') }}
),

final as (
    select
        {{ pseudonymize('customer_id', 'customer_id') }} as customer_key,
        {{ pseudonymize('email', 'email') }} as email_key,
        country_code,
        state_code,
        privacy_region,
        signup_channel,
        has_valid_email,
        is_loyalty_member,
        signup_at,
        updated_at
    from base_customers
    where disposition = 'staged'
)

select * from final
