-- All raw customer rows, parsed and checked, with what staging does with each (disposition).
-- Customers are a dimension: only a missing id quarantines the row; an invalid attribute
-- (malformed e-mail, bad signup time, unknown code, a country that is not ISO 3166-1 alpha-2,
-- an update before signup) is set to null and listed in value_issues; an alpha-3 country code
-- or a known alias is read as its alpha-2 code (listed too).
-- Holds personal data: read only by stg_shop__customers (pseudonymized, no PII),
-- stg_shop__customer_identities (restricted) and the quarantine log (no PII).
with

source as (
    select * from {{ raw_source('shop', 'customers') }}
),

country_codes as (
    select * from {{ ref('country_codes') }}
),

country_code_aliases as (
    select * from {{ ref('country_code_aliases') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ staged_columns('shop', 'customers') }}
    from source
),

-- the ISO 3166-1 alpha-2 code of the raw country: as given, from an alpha-3 code or a known
-- alias (seed country_code_aliases, e.g. UK for GB); null when it is none of them
countries_resolved as (
    select
        parsed.*,
        coalesce(
            alpha2.country_code, alpha3.country_code, country_code_aliases.country_code
        ) as iso_country_code
    from parsed
    left join country_codes as alpha2
        on parsed.country_code = alpha2.country_code
    left join country_codes as alpha3
        on parsed.country_code = alpha3.alpha3_code
    left join country_code_aliases
        on parsed.country_code = country_code_aliases.alias_code
),

checked as (
    select
        *,
        case
            when country_code is null then 'missing country_code'
            when iso_country_code is null then 'unexpected country_code'
            when iso_country_code <> country_code then 'country_code read as ' || iso_country_code
        end as country_code_issue,
        coalesce(
            {{ matches_pattern('email', '[^@\\s]+@[^@\\s]+\\.[^@\\s.]+') }}, false
        ) as has_valid_email,
        {{ staged_value_issues('shop', 'customers') }},
        {{ quarantine_reason(staged_checks('shop', 'customers')) }} as quarantine_reason,
        {{ content_hash(staged_content('shop', 'customers')) }} as content_hash,
        {{ is_erased_customer('customer_id') }} as is_erased
    from countries_resolved
),

-- a record cannot change before it exists: such an updated_at is not trusted (set to null)
timelines_checked as (
    select
        *,
        coalesce(
            signup_at_issue is null and updated_at_issue is null and updated_at < signup_at, false
        ) as is_updated_before_signup
    from checked
),

repaired as (
    select
        source_file,
        source_row_number,
        customer_id,
        case when has_valid_email then email end as email,
        first_name,
        last_name,
        iso_country_code as country_code,
        case when iso_country_code in ('US', 'CA') then state_code end as state_code,
        -- an unknown country falls to 'other': opt-in, the most protective regime
        {{ privacy_region('iso_country_code', 'state_code') }} as privacy_region,
        case when signup_channel_issue is null then signup_channel end as signup_channel,
        is_loyalty_member,
        has_valid_email,
        case when signup_at_issue is null then signup_at end as signup_at,
        case when updated_at_issue is null and not is_updated_before_signup then updated_at end
            as updated_at,
        nullif(
            concat_ws(
                '; ',
                case when email is not null and not has_valid_email then 'malformed email' end,
                case when email is null then 'missing email' end,
                signup_at_issue,
                updated_at_issue,
                case when is_updated_before_signup then 'updated_at before signup_at' end,
                case when country_code is not null then country_code_issue end,
                signup_channel_issue,
                is_loyalty_member_issue
            ),
            ''
        ) as value_issues,
        quarantine_reason,
        content_hash,
        is_erased
    from timelines_checked
),

final as (
    select
        *,
        {{ disposition(
            ['customer_id'], 'updated_at desc nulls last', version='updated_at', erased='is_erased'
        ) }} as disposition
    from repaired
)

select * from final
