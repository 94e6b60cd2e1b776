-- One row per segment member (segment_history) on each day the KPIs of this run compare with:
-- the KPI day, the day before and the day before its 30-day window (int_kpi_days_scheduled).
with

segment_history as (
    select * from {{ ref('segment_history') }}
),

int_kpi_days_scheduled as (
    select * from {{ ref('int_kpi_days_scheduled') }}
),

membership_days as (
    select kpi_date as member_date from int_kpi_days_scheduled
    union
    select day_before_date as member_date from int_kpi_days_scheduled
    union
    select window_before_date as member_date from int_kpi_days_scheduled
),

final as (
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
)

select * from final
