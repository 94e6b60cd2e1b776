-- The segment registry as in force on the business date: one row per segment, the version whose
-- validity holds on the business date, with its lawful basis, risk, retention and uses.
with

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

version_counts as (
    select
        segment_id,
        count(*) as version_count
    from int_segment_versions_validated
    group by segment_id
),

in_force as (
    select *
    from int_segment_versions_validated
    where {{ is_valid_at(as_of_date(), 'valid_from', 'valid_to') }}
),

final as (
    select
        in_force.segment_id,
        in_force.segment_version,
        in_force.segment_name,
        in_force.description,
        in_force.rule_sql,
        in_force.feature_columns,
        in_force.required_purpose,
        in_force.lawful_basis,
        in_force.risk_level,
        in_force.retention_days,
        in_force.persistence,
        in_force.holdout_pct,
        in_force.owner,
        in_force.author,
        in_force.valid_from,
        in_force.valid_to,
        in_force.change_reason,
        in_force.downstream_uses,
        in_force.definition_hash,
        version_counts.version_count,
        {{ as_of_date() }} as as_of_date
    from in_force
    inner join version_counts
        on in_force.segment_id = version_counts.segment_id
)

select * from final
