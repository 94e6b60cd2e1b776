-- One row per segment and business day recorded in segment_history: size and flows, commercial
-- KPIs of the members over stated windows, and the experiment read-out from logged exposures.
-- Windows: conversion, AOV, revenue and return rate over the 30 days ending on the day (orders
-- not cancelled, status as known when the day was built); churn = share of the members of 30
-- days before who are no longer members; reactivation = share of members whose order in the
-- window came more than 180 days after their previous one. Read-out: exposures whose attribution
-- window ended by the day and whose consent allowed the purpose; Wilson intervals per arm,
-- Newcombe's hybrid score interval for the difference treatment - holdout, and the pooled
-- two-proportion z-test. Incremental: a daily run computes its business day only.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['segment_id', 'kpi_date'],
    on_schema_change='fail'
) }}

{%- set window_days = 30 %}

with

segment_history as (
    select * from {{ ref('segment_history') }}
),

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

int_orders_valued as (
    select * from {{ ref('int_orders_valued') }}
),

int_segment_exposures_attributed as (
    select * from {{ ref('int_segment_exposures_attributed') }}
),

kpi_days as (
    select cast(range as date) as kpi_date
    from range(
            {% if is_incremental() -%}
            {{ as_of_date() }},
        {%- else -%}
                (select coalesce(min(cast(dbt_valid_from as date)), {{ as_of_date() }}) from segment_history),
            {%- endif %}
            {{ as_of_date() }} + 1,
            interval 1 day
        )
),

history_start as (
    select min(cast(dbt_valid_from as date)) as first_day from segment_history
),

-- the days whose membership the KPIs compare with: the day, the day before, 30 days before
membership_days as (
    select kpi_date as member_date from kpi_days
    union
    select kpi_date - 1 as member_date from kpi_days
    union
    select kpi_date - {{ window_days }} as member_date from kpi_days
),

members as (
    select
        membership_days.member_date,
        segment_history.segment_id,
        segment_history.customer_key,
        segment_history.experiment_arm,
        segment_history.required_purpose,
        segment_history.lawful_basis
    from segment_history
    inner join membership_days
        on
            segment_history.dbt_valid_from <= membership_days.member_date
            and (
                segment_history.dbt_valid_to is null
                or segment_history.dbt_valid_to > membership_days.member_date
            )
),

segment_days as (
    select distinct
        kpi_days.kpi_date,
        int_segment_versions_validated.segment_id
    from kpi_days
    inner join int_segment_versions_validated
        on {{ is_valid_at(
            'kpi_days.kpi_date',
            'int_segment_versions_validated.valid_from',
            'int_segment_versions_validated.valid_to'
        ) }}
),

sizes as (
    select
        member_date as kpi_date,
        segment_id,
        count(*) as members,
        count(*) filter (where experiment_arm = 'treatment') as treatment_members,
        count(*) filter (where experiment_arm = 'holdout') as holdout_members
    from members
    group by member_date, segment_id
),

today as (
    select members.*
    from members
    inner join kpi_days
        on members.member_date = kpi_days.kpi_date
),

yesterday as (
    select
        members.*,
        kpi_days.kpi_date
    from members
    inner join kpi_days
        on members.member_date = kpi_days.kpi_date - 1
),

transitions as (
    select
        coalesce(today.member_date, yesterday.kpi_date) as kpi_date,
        coalesce(today.segment_id, yesterday.segment_id) as segment_id,
        coalesce(today.customer_key, yesterday.customer_key) as customer_key,
        today.customer_key is not null as is_member,
        yesterday.customer_key is not null as was_member,
        yesterday.required_purpose,
        yesterday.lawful_basis
    from today
    full outer join yesterday
        on
            today.member_date = yesterday.kpi_date
            and today.segment_id = yesterday.segment_id
            and today.customer_key = yesterday.customer_key
),

flows as (
    select
        transitions.kpi_date,
        transitions.segment_id,
        count(*) filter (where transitions.is_member and not transitions.was_member)
            as members_entered,
        count(*) filter (where transitions.was_member and not transitions.is_member)
            as members_exited,
        count(*) filter (
            where
            transitions.was_member and not transitions.is_member
            and not (
                coalesce({{ purpose_allowed('transitions.required_purpose', 'features') }}, false)
                and {{ legal_ground_suffices(
                    'transitions.lawful_basis',
                    purpose_column('transitions.required_purpose', 'features', 'legal_ground')
                ) }}
            )
        ) as members_opted_out
    from transitions
    left join customer_features_history as features
        on
            transitions.customer_key = features.customer_key
            and transitions.kpi_date >= features.dbt_valid_from
            and (features.dbt_valid_to is null or transitions.kpi_date < features.dbt_valid_to)
    where transitions.kpi_date > (select history_start.first_day from history_start)
    group by transitions.kpi_date, transitions.segment_id
),

orders as (
    select
        customer_key,
        order_id,
        order_date,
        net_amount_usd,
        has_return,
        datediff(
            'day',
            lag(order_date) over (partition by customer_key order by ordered_at, order_id),
            order_date
        ) as days_since_previous_order
    from int_orders_valued
    where not is_cancelled
),

member_orders as (
    select
        members.member_date as kpi_date,
        members.segment_id,
        members.customer_key,
        count(orders.order_id) as order_count,
        coalesce(sum(orders.net_amount_usd), 0) as net_revenue_usd,
        count(*) filter (where orders.has_return) as returned_orders,
        bool_or(orders.days_since_previous_order > 180) as is_reactivated
    from members
    inner join kpi_days
        on members.member_date = kpi_days.kpi_date
    inner join orders
        on
            members.customer_key = orders.customer_key
            and orders.order_date > members.member_date - {{ window_days }}
            and members.member_date >= orders.order_date
    group by all
),

commerce as (
    select
        kpi_date,
        segment_id,
        count(*) as converted_members,
        sum(order_count) as orders,
        sum(net_revenue_usd) as net_revenue_usd,
        sum(returned_orders) as returned_orders,
        count(*) filter (where is_reactivated) as reactivated_members
    from member_orders
    group by all
),

churn as (
    select
        kpi_days.kpi_date,
        members_before.segment_id,
        count(*) as members_30d_before,
        count(*) filter (where members_now.customer_key is null) as members_lost
    from kpi_days
    inner join members as members_before
        on members_before.member_date = kpi_days.kpi_date - {{ window_days }}
    left join members as members_now
        on
            kpi_days.kpi_date = members_now.member_date
            and members_before.segment_id = members_now.segment_id
            and members_before.customer_key = members_now.customer_key
    group by all
),

readout as (
    select
        kpi_days.kpi_date,
        exposures.segment_id,
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
    from kpi_days
    inner join int_segment_exposures_attributed as exposures
        on exposures.window_ends_at < kpi_days.kpi_date + 1
    group by all
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
        coalesce(commerce.converted_members, 0) as converted_members,
        coalesce(commerce.orders, 0) as orders,
        coalesce(commerce.net_revenue_usd, 0) as net_revenue_usd,
        coalesce(commerce.returned_orders, 0) as returned_orders,
        coalesce(commerce.reactivated_members, 0) as reactivated_members,
        churn.members_30d_before,
        churn.members_lost,
        coalesce(readout.treatment_exposed, 0) as treatment_exposed,
        coalesce(readout.treatment_converted, 0) as treatment_converted,
        coalesce(readout.holdout_exposed, 0) as holdout_exposed,
        coalesce(readout.holdout_converted, 0) as holdout_converted,
        coalesce(readout.exposure_violations, 0) as exposure_violations
    from segment_days
    left join sizes
        on segment_days.segment_id = sizes.segment_id and segment_days.kpi_date = sizes.kpi_date
    left join sizes as yesterday
        on
            segment_days.segment_id = yesterday.segment_id
            and segment_days.kpi_date - 1 = yesterday.kpi_date
    left join flows
        on segment_days.segment_id = flows.segment_id and segment_days.kpi_date = flows.kpi_date
    left join commerce
        on
            segment_days.segment_id = commerce.segment_id
            and segment_days.kpi_date = commerce.kpi_date
    left join churn
        on segment_days.segment_id = churn.segment_id and segment_days.kpi_date = churn.kpi_date
    left join readout
        on
            segment_days.segment_id = readout.segment_id
            and segment_days.kpi_date = readout.kpi_date
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
        cast(members_opted_out as double) / nullif(members_day_before, 0) as opt_out_rate,
        cast(converted_members as double) / nullif(members, 0) as conversion_rate_30d,
        cast(orders as bigint) as orders_30d,
        cast(net_revenue_usd as decimal(18, 2)) as net_revenue_30d_usd,
        cast((net_revenue_usd / nullif(orders, 0)) as double) as average_order_value_30d_usd,
        cast(returned_orders as double) / nullif(orders, 0) as return_rate_30d,
        cast(members_lost as double) / nullif(members_30d_before, 0) as churn_rate_30d,
        cast(reactivated_members as double) / nullif(members, 0) as reactivation_rate_30d,
        cast(treatment_exposed as bigint) as treatment_exposed,
        cast(treatment_converted as bigint) as treatment_converted,
        cast(holdout_exposed as bigint) as holdout_exposed,
        cast(holdout_converted as bigint) as holdout_converted,
        cast(treatment_converted as double) / nullif(treatment_exposed, 0) as treatment_conversion_rate,
        cast(holdout_converted as double) / nullif(holdout_exposed, 0) as holdout_conversion_rate,
        {{ wilson_bound('treatment_converted', 'treatment_exposed', 'lower') }}
            as treatment_conversion_ci_lower,
        {{ wilson_bound('treatment_converted', 'treatment_exposed', 'upper') }}
            as treatment_conversion_ci_upper,
        {{ wilson_bound('holdout_converted', 'holdout_exposed', 'lower') }}
            as holdout_conversion_ci_lower,
        {{ wilson_bound('holdout_converted', 'holdout_exposed', 'upper') }}
            as holdout_conversion_ci_upper,
        cast(treatment_converted as double) / nullif(treatment_exposed, 0)
        - cast(holdout_converted as double) / nullif(holdout_exposed, 0) as absolute_lift,
        (
            cast(treatment_converted as double) / nullif(treatment_exposed, 0)
            - cast(holdout_converted as double) / nullif(holdout_exposed, 0)
        ) / nullif(cast(holdout_converted as double) / nullif(holdout_exposed, 0), 0) as relative_lift,
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
