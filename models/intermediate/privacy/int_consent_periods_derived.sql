-- The consent state of every (customer, purpose) as a history of periods [valid_from, valid_to)
-- as of the run's business date, with whether processing for the purpose is allowed in each.
--   no_choice  before the first recorded choice: allowed only under an opt-out regime
--   granted    from a grant until the next choice or the grant's expiry
--   expired    from the expiry of a grant (its consent_version's validity) to the next choice:
--              counts as not granted (allowed only under an opt-out regime)
--   denied / withdrawn  never allowed
--   deleted    from the verification of a right-to-delete request: nothing allowed, forever
-- The regime comes from the customer's privacy region (seed privacy_regimes).
with

consent_events as (
    select * from {{ ref('int_consent_events_resolved') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

deletion_requests as (
    select * from {{ ref('stg_privacy__deletion_requests') }}
),

privacy_regimes as (
    select * from {{ ref('privacy_regimes') }}
),

consent_versions as (
    select * from {{ ref('consent_versions') }}
),

purposes as (
    select {{ list_rows(sql_string_list(consent_purposes())) }} as consent_purpose
),

customer_regimes as (
    select
        customers.customer_key,
        customers.privacy_region,
        coalesce(privacy_regimes.consent_model, 'opt_in') as consent_model
    from customers
    left join privacy_regimes
        on customers.privacy_region = privacy_regimes.privacy_region
),

deletions as (
    select
        customer_key,
        min(verified_at) as deleted_at
    from deletion_requests
    where is_verified and verified_at < {{ as_of_end_timestamp() }}
    group by customer_key
),

choices as (
    select
        consent_events.customer_key,
        consent_events.consent_purpose,
        consent_events.consent_status,
        consent_events.consent_version,
        consent_events.consent_source,
        consent_events.consent_event_id,
        consent_events.recorded_at,
        lead(consent_events.recorded_at) over (
            partition by consent_events.customer_key, consent_events.consent_purpose
            order by consent_events.recorded_at
        ) as next_recorded_at,
        case
            when consent_events.consent_status = 'granted'
                -- staging keeps only grants under a declared notice; null validity: no expiry
                then consent_events.recorded_at
                    + {{ interval_of('consent_versions.grant_validity_months', 'month') }}
        end as expires_at
    from consent_events
    left join consent_versions
        on consent_events.consent_version = consent_versions.consent_version
),

first_choices as (
    select
        customer_key,
        consent_purpose,
        min(recorded_at) as first_recorded_at
    from choices
    group by customer_key, consent_purpose
),

default_periods as (
    select
        customer_regimes.customer_key,
        purposes.consent_purpose,
        'no_choice' as period_status,
        cast(null as string) as consent_version,
        cast(null as string) as consent_source,
        cast(null as string) as consent_event_id,
        cast(null as timestamp) as valid_from,
        first_choices.first_recorded_at as valid_to
    from customer_regimes
    cross join purposes
    left join first_choices
        on
            customer_regimes.customer_key = first_choices.customer_key
            and purposes.consent_purpose = first_choices.consent_purpose
),

choice_periods as (
    select
        customer_key,
        consent_purpose,
        consent_status as period_status,
        consent_version,
        consent_source,
        consent_event_id,
        recorded_at as valid_from,
        case
            when expires_at < coalesce(next_recorded_at, timestamp '9999-12-31') then expires_at
            else next_recorded_at
        end as valid_to
    from choices
),

expiry_periods as (
    select
        customer_key,
        consent_purpose,
        'expired' as period_status,
        consent_version,
        consent_source,
        consent_event_id,
        expires_at as valid_from,
        next_recorded_at as valid_to
    from choices
    where expires_at < coalesce(next_recorded_at, timestamp '9999-12-31')
),

all_periods as (
    select * from default_periods
    union all
    select * from choice_periods
    union all
    select * from expiry_periods
),

periods_before_deletion as (
    select
        all_periods.customer_key,
        all_periods.consent_purpose,
        all_periods.period_status,
        all_periods.consent_version,
        all_periods.consent_source,
        all_periods.consent_event_id,
        all_periods.valid_from,
        case
            when deletions.deleted_at < coalesce(all_periods.valid_to, timestamp '9999-12-31')
                then deletions.deleted_at
            else all_periods.valid_to
        end as valid_to
    from all_periods
    left join deletions
        on all_periods.customer_key = deletions.customer_key
    where
        deletions.deleted_at is null
        or all_periods.valid_from is null
        or all_periods.valid_from < deletions.deleted_at
),

deleted_periods as (
    select
        deletions.customer_key,
        purposes.consent_purpose,
        'deleted' as period_status,
        cast(null as string) as consent_version,
        'deletion_request' as consent_source,
        cast(null as string) as consent_event_id,
        deletions.deleted_at as valid_from,
        cast(null as timestamp) as valid_to
    from deletions
    cross join purposes
),

periods as (
    select * from periods_before_deletion
    where valid_to is null or valid_from is null or valid_from < valid_to
    union all
    select * from deleted_periods
),

final as (
    select
        periods.customer_key,
        periods.consent_purpose,
        periods.period_status,
        periods.consent_version,
        periods.consent_source,
        periods.consent_event_id,
        customer_regimes.privacy_region,
        customer_regimes.consent_model,
        case periods.period_status
            when 'granted' then true
            when 'no_choice' then customer_regimes.consent_model = 'opt_out'
            when 'expired' then customer_regimes.consent_model = 'opt_out'
            else false
        end as is_allowed,
        periods.valid_from,
        periods.valid_to
    from periods
    inner join customer_regimes
        on periods.customer_key = customer_regimes.customer_key
)

select * from final
