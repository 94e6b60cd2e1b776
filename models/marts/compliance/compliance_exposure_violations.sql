-- Logged segment exposures that should not have happened: the segment's required consent purpose
-- was not allowed at the moment of exposure, the segment is not in the registry, or the variant
-- is unknown. Never used in a read-out; each is a finding for the privacy office.
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
        compliance_issue,
        exposed_at,
        exposure_date
    from int_segment_exposures_attributed
    where compliance_issue is not null
)

select * from final
