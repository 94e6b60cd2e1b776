-- Customers that must not be targeted for a purpose at the end of the business date: one row
-- per (customer key, purpose) whose purpose is not allowed, with the reason (no_choice under an
-- opt-in regime, denied, withdrawn, expired, or deleted after a verified deletion request).
-- Activation vendors match on the pseudonymous key only. Keeping the key of a deleted customer
-- here is the minimal record needed to keep honouring the request.
with

int_consent_periods_derived as (
    select * from {{ ref('int_consent_periods_derived') }}
),

int_deletion_requests_processed as (
    select * from {{ ref('int_deletion_requests_processed') }}
),

current_periods as (
    select *
    from int_consent_periods_derived
    where {{ is_valid_at(as_of_end_timestamp() ~ " - interval 1 microsecond") }}
),

-- erased customers have no consent period left (staging drops all their rows): every purpose
-- is suppressed from the verification of their first verified request
erased_customers as (
    select
        customer_key,
        min(verified_at) as deleted_at
    from int_deletion_requests_processed
    where is_verified and verified_at < {{ as_of_end_timestamp() }}
    group by customer_key
),

purposes as (
    select {{ list_rows(sql_string_list(consent_purposes())) }} as consent_purpose
),

suppressions as (
    select
        customer_key,
        consent_purpose as suppressed_purpose,
        period_status as suppression_reason,
        consent_source,
        consent_version,
        privacy_region,
        valid_from as suppressed_since
    from current_periods
    where
        not is_allowed
        and customer_key not in (select erased_customers.customer_key from erased_customers)
    union all
    select
        erased_customers.customer_key,
        purposes.consent_purpose as suppressed_purpose,
        'deleted' as suppression_reason,
        'deletion_request' as consent_source,
        cast(null as string) as consent_version,
        cast(null as string) as privacy_region,
        erased_customers.deleted_at as suppressed_since
    from erased_customers
    cross join purposes
),

final as (
    select
        *,
        {{ as_of_date() }} as as_of_date
    from suppressions
)

select * from final
