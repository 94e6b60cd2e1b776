-- One row per business day segment_kpis_daily computes on this run, with the days its KPIs
-- compare with: the business date on an incremental run of the mart; on its full build every
-- day from the first day of segment_history (the business date while it is empty). The window
-- is the mart's (incremental_window_start of segment_kpis_daily, as its pre-hook deletes it),
-- read here because this model is compiled into the mart. The KPI windows are 30 days long:
-- stated here once.
{%- set window_days = 30 %}

with

segment_history as (
    select * from {{ ref('segment_history') }}
),

-- the mart's window, and never before the first day of history
first_day as (
    select
        greatest(
            {{ incremental_window_start(
                'kpi_date', 0, from_newest_loaded=false, model_name='segment_kpis_daily'
            ) }},
            coalesce(min(cast(dbt_valid_from as date)), {{ as_of_date() }})
        ) as kpi_date
    from segment_history
),

kpi_days as (
    select calendar_date as kpi_date
    from {{ days_through('(select first_day.kpi_date from first_day)', as_of_date()) }} as calendar
),

final as (
    select
        kpi_date,
        kpi_date - 1 as day_before_date,
        kpi_date - {{ window_days }} as window_before_date
    from kpi_days
)

select * from final
