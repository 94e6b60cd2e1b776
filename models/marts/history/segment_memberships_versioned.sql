-- What history.segment_history records: the columns of segment_membership whose change opens a
-- new version of a membership (version, definition, legal ground and terms, consent version,
-- experiment arm, spell start). Derived columns that change every day (last_qualified_at,
-- expires_at, as_of_date) or follow from the version (segment_name, persistence) are left out.
with

segment_membership as (
    select * from {{ ref('segment_membership') }}
),

final as (
    select
        customer_key,
        segment_id,
        segment_version,
        definition_hash,
        required_purpose,
        lawful_basis,
        risk_level,
        legal_ground,
        consent_version,
        experiment_arm,
        entered_at
    from segment_membership
)

select * from final
