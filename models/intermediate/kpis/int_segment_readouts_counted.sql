-- One row per segment and KPI day with an exposure whose attribution window ended by the day
-- (cumulative): compliant exposures and conversions per arm, and exposures with a compliance
-- issue (never read out).
with

int_kpi_days_scheduled as (
    select * from {{ ref('int_kpi_days_scheduled') }}
),

int_segment_exposures_attributed as (
    select * from {{ ref('int_segment_exposures_attributed') }}
),

final as (
    select
        exposures.segment_id,
        kpi_days.kpi_date,
        count(*) filter (
            where exposures.compliance_issue is null and exposures.experiment_variant = 'treatment'
        ) as treatment_exposed,
        count(*) filter (
            where exposures.compliance_issue is null and exposures.experiment_variant = 'treatment'
            and exposures.has_converted
        ) as treatment_converted,
        count(*) filter (
            where exposures.compliance_issue is null and exposures.experiment_variant = 'holdout'
        ) as holdout_exposed,
        count(*) filter (
            where exposures.compliance_issue is null and exposures.experiment_variant = 'holdout'
            and exposures.has_converted
        ) as holdout_converted,
        count(*) filter (where exposures.compliance_issue is not null) as exposure_violations
    from int_kpi_days_scheduled as kpi_days
    inner join int_segment_exposures_attributed as exposures
        on exposures.window_ends_at < kpi_days.kpi_date + 1
    group by all
)

select * from final
