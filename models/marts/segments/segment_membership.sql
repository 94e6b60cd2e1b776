-- Segment membership on the business date: one row per (customer key, segment). A customer is a
-- member while the business date is within retention_days of the day they last qualified
-- (segment_qualifications), they still exist (no deletion request), and the
-- segment's required consent purpose is allowed on the business date on a legal ground the
-- segment's lawful basis accepts (macro legal_ground_suffices: a consent-based segment needs a
-- grant; an opt-out regime's notice is not consent), whatever the rule says. Each member
-- carries that legal ground and the version it is processed under (the grant's consent
-- version, or the notice in force in the customer's region on the business date).
-- The experiment arm is a deterministic hash of (customer key, segment id, consent_version).
with

segment_qualifications as (
    select * from {{ ref('segment_qualifications') }}
),

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

current_spells as (
    select *
    from segment_qualifications
    where
        last_qualified_date <= {{ as_of_date() }}
        and last_qualified_date + retention_days > {{ as_of_date() }}
),

described as (
    select
        current_spells.customer_key,
        current_spells.segment_id,
        current_spells.segment_version,
        current_spells.definition_hash,
        int_segment_versions_validated.segment_name,
        int_segment_versions_validated.required_purpose,
        int_segment_versions_validated.lawful_basis,
        int_segment_versions_validated.risk_level,
        int_segment_versions_validated.persistence,
        int_segment_versions_validated.holdout_pct,
        {{ purpose_column(
            'int_segment_versions_validated.required_purpose', 'customer_features', 'legal_ground'
        ) }} as legal_ground,
        {{ purpose_column(
            'int_segment_versions_validated.required_purpose',
            'customer_features',
            'legal_ground_version'
        ) }} as consent_version,
        customer_features.privacy_region,
        cast(current_spells.entered_date as timestamp) as entered_at,
        cast(current_spells.last_qualified_date as timestamp) as last_qualified_at,
        cast(
            current_spells.last_qualified_date + current_spells.retention_days as timestamp
        ) as expires_at,
        {{ purpose_allowed(
            'int_segment_versions_validated.required_purpose', 'customer_features'
        ) }} as is_purpose_allowed
    from current_spells
    inner join int_segment_versions_validated
        on
            current_spells.segment_id = int_segment_versions_validated.segment_id
            and current_spells.segment_version = int_segment_versions_validated.segment_version
    inner join customer_features
        on current_spells.customer_key = customer_features.customer_key
),

final as (
    select
        customer_key,
        segment_id,
        segment_version,
        definition_hash,
        segment_name,
        required_purpose,
        lawful_basis,
        risk_level,
        persistence,
        legal_ground,
        consent_version,
        privacy_region,
        {{ experiment_arm('customer_key', 'segment_id', 'consent_version', 'holdout_pct') }}
            as experiment_arm,
        entered_at,
        last_qualified_at,
        expires_at,
        {{ as_of_date() }} as as_of_date
    from described
    where
        coalesce(is_purpose_allowed, false)
        and {{ legal_ground_suffices('lawful_basis', 'legal_ground') }}
)

select * from final
