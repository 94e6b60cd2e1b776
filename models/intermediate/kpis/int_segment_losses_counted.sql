-- One row per segment and KPI day with members 30 days before: those members, and how many of
-- them are no longer members on the day (the churn of the 30-day window).
with

int_kpi_days_scheduled as (
    select * from {{ ref('int_kpi_days_scheduled') }}
),

int_segment_members_dated as (
    select * from {{ ref('int_segment_members_dated') }}
),

final as (
    select
        members_before.segment_id,
        kpi_days.kpi_date,
        count(*) as members_30d_before,
        count(*) filter (where members_now.customer_key is null) as members_lost
    from int_kpi_days_scheduled as kpi_days
    inner join int_segment_members_dated as members_before
        on kpi_days.window_before_date = members_before.member_date
    left join int_segment_members_dated as members_now
        on
            kpi_days.kpi_date = members_now.member_date
            and members_before.segment_id = members_now.segment_id
            and members_before.customer_key = members_now.customer_key
    group by all
)

select * from final
