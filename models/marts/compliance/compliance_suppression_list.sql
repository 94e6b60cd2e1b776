-- Customers that must not be targeted for a purpose at the end of the business date: one row
-- per (customer key, purpose) whose purpose is not allowed, with the reason (no_choice under an
-- opt-in regime, denied, withdrawn, expired, or deleted after a verified deletion request).
-- Activation vendors match on the pseudonymous key only. Keeping the key of a deleted customer
-- here is the minimal record needed to keep honouring the request.
with

int_consent_periods_derived as (
    select * from {{ ref('int_consent_periods_derived') }}
),

current_periods as (
    select *
    from int_consent_periods_derived
    where {{ is_valid_at(as_of_end_timestamp() ~ " - interval 1 microsecond") }}
),

final as (
    select
        customer_key,
        consent_purpose as suppressed_purpose,
        period_status as suppression_reason,
        consent_source,
        consent_version,
        privacy_region,
        valid_from as suppressed_since,
        {{ as_of_date() }} as as_of_date
    from current_periods
    where not is_allowed
)

select * from final
