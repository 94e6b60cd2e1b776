-- All raw customer rows, parsed and checked, with what staging does with each (disposition).
-- Customers are a dimension: only a missing id quarantines the row; an invalid attribute
-- (malformed e-mail, bad signup time, unknown code) is set to null and listed in value_issues.
-- Holds personal data: read only by stg_shop__customers (pseudonymized, no PII),
-- stg_shop__customer_identities (restricted) and the quarantine log (no PII).
with

source as (
    select * from {{ raw_source('shop', 'customers') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('customer_id') }} as customer_id,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        {{ clean_code('country_code', case='upper') }} as country_code,
        {{ clean_code('state_code', case='upper') }} as state_code,
        {{ clean_code('signup_channel') }} as signup_channel,
        {{ parse_boolean('is_loyalty_member') }} as is_loyalty_member,
        {{ parse_timestamp('signup_at') }} as signup_at,
        {{ parse_timestamp('updated_at') }} as updated_at,
        cast(signup_at as varchar) as signup_at__raw,
        cast(updated_at as varchar) as updated_at__raw,
        cast(is_loyalty_member as varchar) as is_loyalty_member__raw
    from source
),

checked as (
    select
        *,
        coalesce(
            regexp_full_match(email, '[^@\s]+@[^@\s]+\.[^@\s.]+'), false
        ) as has_valid_email,
        {{ check_timestamp('signup_at') }} as signup_at_issue,
        {{ check_timestamp('updated_at', required=false) }} as updated_at_issue,
        {{ check_accepted('signup_channel', ['web', 'app', 'store', 'marketplace'], required=false) }}
            as signup_channel_issue,
        {{ check_value('is_loyalty_member', required=false) }} as is_loyalty_member_issue,
        {{ quarantine_reason([check_identifier('customer_id')]) }} as quarantine_reason
    from parsed
),

repaired as (
    select
        source_file,
        source_row_number,
        customer_id,
        case when has_valid_email then email end as email,
        first_name,
        last_name,
        country_code,
        case when country_code in ('US', 'CA') then state_code end as state_code,
        {{ privacy_region('country_code', 'state_code') }} as privacy_region,
        case when signup_channel_issue is null then signup_channel end as signup_channel,
        is_loyalty_member,
        has_valid_email,
        case when signup_at_issue is null then signup_at end as signup_at,
        case when updated_at_issue is null then updated_at end as updated_at,
        nullif(
            concat_ws(
                '; ',
                case when email is not null and not has_valid_email then 'malformed email' end,
                case when email is null then 'missing email' end,
                signup_at_issue,
                updated_at_issue,
                signup_channel_issue,
                is_loyalty_member_issue
            ),
            ''
        ) as value_issues,
        quarantine_reason
    from checked
),

final as (
    select
        *,
        {{ disposition(
            ['customer_id'],
            'updated_at desc nulls last, source_file desc, source_row_number desc'
        ) }} as disposition
    from repaired
)

select * from final
