-- One row per customer: the consent state of each purpose at the end of the business date, its
-- legal ground and the notice or consent version it is processed under (macros legal_ground,
-- legal_ground_version: the grant's version, or in an opt-out regime the notice in force in the
-- customer's region on the business date), the newest consent_version the customer answered,
-- the regime, and whether a verified deletion request has ended all processing.
with

consent_periods as (
    select * from {{ ref('int_consent_periods_derived') }}
),

int_privacy_notices_sequenced as (
    select * from {{ ref('int_privacy_notices_sequenced') }}
),

consent_events as (
    select * from {{ ref('int_consent_events_resolved') }}
),

current_periods as (
    select
        consent_periods.*,
        {{ legal_ground('consent_periods', 'notices') }} as legal_ground,
        {{ legal_ground_version('consent_periods', 'notices') }} as legal_ground_version
    from consent_periods
    left join int_privacy_notices_sequenced as notices
        on
            consent_periods.privacy_region = notices.privacy_region
            and {{ is_valid_at(as_of_date(), 'notices.valid_from', 'notices.valid_to') }}
    where {{ is_valid_at(
        as_of_end_timestamp(), 'consent_periods.valid_from', 'consent_periods.valid_to'
    ) }}
),

latest_versions as (
    select
        customer_key,
        {{ value_at_max('consent_version', ['recorded_at', 'consent_event_id']) }} as consent_version
    from consent_events
    group by customer_key
),

pivoted as (
    select
        customer_key,
        any_value(privacy_region) as privacy_region,
        any_value(consent_model) as consent_model,
        {%- for purpose in consent_purposes() %}
            any_value(period_status) filter (where consent_purpose = '{{ purpose }}') as {{ purpose }}_status,
            coalesce(bool_or(is_allowed) filter (where consent_purpose = '{{ purpose }}'), false)
                as is_{{ purpose }}_allowed,
            any_value(legal_ground) filter (where consent_purpose = '{{ purpose }}')
                as {{ purpose }}_legal_ground,
            any_value(legal_ground_version) filter (where consent_purpose = '{{ purpose }}')
                as {{ purpose }}_legal_ground_version,
        {%- endfor %}
        bool_or(period_status = 'deleted') as is_deleted
    from current_periods
    group by customer_key
),

final as (
    select
        pivoted.customer_key,
        pivoted.privacy_region,
        pivoted.consent_model,
        latest_versions.consent_version,
        {%- for purpose in consent_purposes() %}
            pivoted.{{ purpose }}_status,
        {%- endfor %}
        {%- for purpose in consent_purposes() %}
            pivoted.{{ purpose }}_legal_ground,
            pivoted.{{ purpose }}_legal_ground_version,
        {%- endfor %}
        {%- for purpose in consent_purposes() %}
            pivoted.is_{{ purpose }}_allowed,
        {%- endfor %}
        pivoted.is_personalization_allowed and not pivoted.is_deleted as may_be_profiled,
        pivoted.is_deleted
    from pivoted
    left join latest_versions
        on pivoted.customer_key = latest_versions.customer_key
)

select * from final
