-- One row per segment and calendar month of segment_kpis_daily: average and month-end size,
-- flows summed over the month, the month's last 30-day commercial KPIs, and the experiment
-- read-out of the exposures made in the month whose attribution window has ended by the
-- business date (intervals recomputed from the month's counts, never averaged).
with

segment_kpis_daily as (
    select * from {{ ref('segment_kpis_daily') }}
),

int_segment_exposures_attributed as (
    select * from {{ ref('int_segment_exposures_attributed') }}
),

monthly as (
    select
        segment_id,
        cast(date_trunc('month', kpi_date) as date) as kpi_month,
        count(*) as days_recorded,
        avg(members) as average_members,
        {{ value_at_max('members', ['kpi_date']) }} as month_end_members,
        cast(sum(members_entered) as bigint) as members_entered,
        cast(sum(members_exited) as bigint) as members_exited,
        cast(sum(members_opted_out) as bigint) as members_opted_out,
        {{ value_at_max('conversion_rate_30d', ['kpi_date']) }} as month_end_conversion_rate_30d,
        {{ value_at_max('average_order_value_30d_usd', ['kpi_date']) }} as month_end_average_order_value_30d_usd,
        {{ value_at_max('churn_rate_30d', ['kpi_date']) }} as month_end_churn_rate_30d
    from segment_kpis_daily
    group by all
),

exposures as (
    select
        segment_id,
        cast(date_trunc('month', exposure_date) as date) as kpi_month,
        count(*) filter (
            where compliance_issue is null and experiment_variant = 'treatment'
        ) as treatment_exposed,
        count(*) filter (
            where compliance_issue is null and experiment_variant = 'treatment' and has_converted
        ) as treatment_converted,
        count(*) filter (
            where compliance_issue is null and experiment_variant = 'holdout'
        ) as holdout_exposed,
        count(*) filter (
            where compliance_issue is null and experiment_variant = 'holdout' and has_converted
        ) as holdout_converted
    from int_segment_exposures_attributed
    where is_window_complete
    group by all
),

final as (
    select
        monthly.*,
        coalesce(exposures.treatment_exposed, 0) as treatment_exposed,
        coalesce(exposures.treatment_converted, 0) as treatment_converted,
        coalesce(exposures.holdout_exposed, 0) as holdout_exposed,
        coalesce(exposures.holdout_converted, 0) as holdout_converted,
        {{ safe_divide('exposures.treatment_converted', 'exposures.treatment_exposed') }}
        - {{ safe_divide('exposures.holdout_converted', 'exposures.holdout_exposed') }}
            as absolute_lift,
        {{ newcombe_difference_bound(
            'exposures.treatment_converted',
            'exposures.treatment_exposed',
            'exposures.holdout_converted',
            'exposures.holdout_exposed',
            'lower'
        ) }}
            as absolute_lift_ci_lower,
        {{ newcombe_difference_bound(
            'exposures.treatment_converted',
            'exposures.treatment_exposed',
            'exposures.holdout_converted',
            'exposures.holdout_exposed',
            'upper'
        ) }}
            as absolute_lift_ci_upper,
        {{ two_proportion_p_value(
            'exposures.treatment_converted',
            'exposures.treatment_exposed',
            'exposures.holdout_converted',
            'exposures.holdout_exposed'
        ) }}
            as lift_p_value,
        coalesce(
            exposures.treatment_exposed >= {{ var('min_arm_size') }}
            and exposures.holdout_exposed >= {{ var('min_arm_size') }},
            false
        ) as is_readout_reliable
    from monthly
    left join exposures
        on monthly.segment_id = exposures.segment_id and monthly.kpi_month = exposures.kpi_month
)

select * from final
