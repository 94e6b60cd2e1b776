-- Logged segment exposures that must not be used: every malformed exposure (anonymous, no or
-- unknown segment, no or unknown variant, no or undeclared consent_version) and every exposure
-- without a sufficient legal ground (required purpose not allowed, or a consent-based segment
-- shown to a customer who never granted it), with every reason (closed list: doc block
-- exposure_compliance_issue). Never used in a read-out; each is a finding for the privacy
-- office.
with

int_segment_exposures_attributed as (
    select * from {{ ref('int_segment_exposures_attributed') }}
),

final as (
    select
        exposure_id,
        customer_key,
        segment_id,
        segment_version,
        campaign_id,
        experiment_variant,
        consent_version,
        required_purpose,
        lawful_basis,
        legal_ground,
        legal_ground_version,
        compliance_issue,
        exposed_at,
        exposure_date
    from int_segment_exposures_attributed
    where compliance_issue is not null
)

select * from final
