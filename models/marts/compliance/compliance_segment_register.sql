-- The record of processing per segment, for auditors and legal: one row per segment in force on
-- the business date and downstream use (vendor or system receiving the members), with the data
-- inputs (feature columns), the consent purpose, lawful basis, risk level, retention and owner,
-- and the members on the business date; filter by lawful_basis or risk_level.
with

segments as (
    select * from {{ ref('segments') }}
),

segment_membership as (
    select * from {{ ref('segment_membership') }}
),

sizes as (
    select
        segment_id,
        count(*) as members
    from segment_membership
    group by segment_id
),

uses as (
    select
        segments.*,
        {{ list_rows('segments.downstream_uses') }} as downstream_use
    from segments
),

final as (
    select
        uses.segment_id,
        uses.downstream_use,
        uses.segment_version,
        uses.segment_name,
        uses.feature_columns as data_inputs,
        uses.required_purpose,
        uses.lawful_basis,
        uses.risk_level,
        uses.retention_days,
        uses.persistence,
        uses.holdout_pct,
        uses.owner,
        uses.definition_hash,
        coalesce(sizes.members, 0) as members,
        uses.as_of_date
    from uses
    left join sizes
        on uses.segment_id = sizes.segment_id
)

select * from final
