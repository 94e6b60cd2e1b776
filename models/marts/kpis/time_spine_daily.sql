-- The calendar MetricFlow joins metrics to (offset windows such as "members the day before",
-- days without rows): one row per day from 2000-01-01 to 2099-12-31. A fixed range, so the
-- model reads nothing and every build writes the same rows; it covers every business date the
-- project can record (segment_history starts with the first daily run) and 30-day offsets
-- before it.
with

days as (
    select calendar_date as date_day
    from {{ days_through("date '2000-01-01'", "date '2099-12-31'") }} as calendar_days
),

final as (
    select date_day from days
)

select * from final
