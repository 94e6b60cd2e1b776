-- One row per segment and business day recorded in segment_history: size and flows, commercial
-- KPIs of the members over stated windows, and the experiment read-out from logged exposures,
-- each computed by its intermediate model (models/intermediate/kpis) for the days of this run
-- (int_kpi_days_scheduled); here joined per segment valid on the day, with the rates and
-- intervals. Windows: conversion, AOV, revenue and return rate over the 30 days ending on the
-- day; churn = share of the members of 30 days before who are no longer members; reactivation
-- = share of members whose order in the window came more than 180 days after their previous
-- one. Read-out: Wilson intervals per arm, Newcombe's hybrid score interval for the difference
-- treatment - holdout, and the pooled two-proportion z-test. Incremental: a daily run computes
-- its business day only (and replaces it when the day is run again).
{{ config(**date_window_config('kpi_date', 0, from_newest_loaded=false, purge_erased=false)) }}

with

int_kpi_days_scheduled as (
    select * from {{ ref('int_kpi_days_scheduled') }}
),

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

int_segment_sizes_counted as (
    select * from {{ ref('int_segment_sizes_counted') }}
),

int_segment_flows_counted as (
    select * from {{ ref('int_segment_flows_counted') }}
),

int_segment_conversions_measured as (
    select * from {{ ref('int_segment_conversions_measured') }}
),

int_segment_losses_counted as (
    select * from {{ ref('int_segment_losses_counted') }}
),

int_segment_readouts_counted as (
    select * from {{ ref('int_segment_readouts_counted') }}
),

segment_days as (
    select distinct
        int_kpi_days_scheduled.kpi_date,
        int_segment_versions_validated.segment_id
    from int_kpi_days_scheduled
    inner join int_segment_versions_validated
        on {{ is_valid_at(
            'int_kpi_days_scheduled.kpi_date',
            'int_segment_versions_validated.valid_from',
            'int_segment_versions_validated.valid_to'
        ) }}
),

counts as (
    select
        segment_days.segment_id,
        segment_days.kpi_date,
        coalesce(sizes.members, 0) as members,
        coalesce(sizes.treatment_members, 0) as treatment_members,
        coalesce(sizes.holdout_members, 0) as holdout_members,
        flows.members_entered,
        flows.members_exited,
        flows.members_opted_out,
        yesterday.members as members_day_before,
        coalesce(conversions.converted_members, 0) as converted_members,
        coalesce(conversions.orders, 0) as orders,
        coalesce(conversions.net_revenue_usd, 0) as net_revenue_usd,
        coalesce(conversions.returned_orders, 0) as returned_orders,
        coalesce(conversions.reactivated_members, 0) as reactivated_members,
        losses.members_30d_before,
        losses.members_lost,
        coalesce(readouts.treatment_exposed, 0) as treatment_exposed,
        coalesce(readouts.treatment_converted, 0) as treatment_converted,
        coalesce(readouts.holdout_exposed, 0) as holdout_exposed,
        coalesce(readouts.holdout_converted, 0) as holdout_converted,
        coalesce(readouts.exposure_violations, 0) as exposure_violations
    from segment_days
    left join int_segment_sizes_counted as sizes
        on segment_days.segment_id = sizes.segment_id and segment_days.kpi_date = sizes.member_date
    left join int_segment_sizes_counted as yesterday
        on
            segment_days.segment_id = yesterday.segment_id
            and segment_days.kpi_date - 1 = yesterday.member_date
    left join int_segment_flows_counted as flows
        on segment_days.segment_id = flows.segment_id and segment_days.kpi_date = flows.kpi_date
    left join int_segment_conversions_measured as conversions
        on
            segment_days.segment_id = conversions.segment_id
            and segment_days.kpi_date = conversions.kpi_date
    left join int_segment_losses_counted as losses
        on segment_days.segment_id = losses.segment_id and segment_days.kpi_date = losses.kpi_date
    left join int_segment_readouts_counted as readouts
        on
            segment_days.segment_id = readouts.segment_id
            and segment_days.kpi_date = readouts.kpi_date
),

final as (
    select
        segment_id,
        kpi_date,
        cast(members as bigint) as members,
        cast(treatment_members as bigint) as treatment_members,
        cast(holdout_members as bigint) as holdout_members,
        cast(members_entered as bigint) as members_entered,
        cast(members_exited as bigint) as members_exited,
        cast(members_opted_out as bigint) as members_opted_out,
        {{ safe_divide('members_opted_out', 'members_day_before') }} as opt_out_rate,
        {{ safe_divide('converted_members', 'members') }} as conversion_rate_30d,
        cast(orders as bigint) as orders_30d,
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_30d_usd,
        {{ safe_divide('net_revenue_usd', 'orders') }} as average_order_value_30d_usd,
        {{ safe_divide('returned_orders', 'orders') }} as return_rate_30d,
        {{ safe_divide('members_lost', 'members_30d_before') }} as churn_rate_30d,
        {{ safe_divide('reactivated_members', 'members') }} as reactivation_rate_30d,
        cast(treatment_exposed as bigint) as treatment_exposed,
        cast(treatment_converted as bigint) as treatment_converted,
        cast(holdout_exposed as bigint) as holdout_exposed,
        cast(holdout_converted as bigint) as holdout_converted,
        {{ safe_divide('treatment_converted', 'treatment_exposed') }} as treatment_conversion_rate,
        {{ safe_divide('holdout_converted', 'holdout_exposed') }} as holdout_conversion_rate,
        {{ wilson_bound('treatment_converted', 'treatment_exposed', 'lower') }}
            as treatment_conversion_ci_lower,
        {{ wilson_bound('treatment_converted', 'treatment_exposed', 'upper') }}
            as treatment_conversion_ci_upper,
        {{ wilson_bound('holdout_converted', 'holdout_exposed', 'lower') }}
            as holdout_conversion_ci_lower,
        {{ wilson_bound('holdout_converted', 'holdout_exposed', 'upper') }}
            as holdout_conversion_ci_upper,
        {{ safe_divide('treatment_converted', 'treatment_exposed') }}
        - {{ safe_divide('holdout_converted', 'holdout_exposed') }} as absolute_lift,
        {{ safe_divide(
            safe_divide('treatment_converted', 'treatment_exposed')
            ~ ' - ' ~ safe_divide('holdout_converted', 'holdout_exposed'),
            safe_divide('holdout_converted', 'holdout_exposed')
        ) }} as relative_lift,
        {{ newcombe_difference_bound(
            'treatment_converted',
            'treatment_exposed',
            'holdout_converted',
            'holdout_exposed',
            'lower'
        ) }}
            as absolute_lift_ci_lower,
        {{ newcombe_difference_bound(
            'treatment_converted',
            'treatment_exposed',
            'holdout_converted',
            'holdout_exposed',
            'upper'
        ) }}
            as absolute_lift_ci_upper,
        {{ two_proportion_p_value(
            'treatment_converted',
            'treatment_exposed',
            'holdout_converted',
            'holdout_exposed'
        ) }}
            as lift_p_value,
        coalesce(
            treatment_exposed >= {{ var('min_arm_size') }}
            and holdout_exposed >= {{ var('min_arm_size') }},
            false
        ) as is_readout_reliable,
        exposure_violations
    from counts
)

select * from final
