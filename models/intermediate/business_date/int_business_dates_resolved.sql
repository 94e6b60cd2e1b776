-- The business date of the run, one row: the dbt var as_of when given (checked by _as_of_var),
-- else the latest staged order date. Every dated model reads it through the macros as_of_date()
-- and as_of_end_timestamp(), which ref this model whatever the vars, so the DAG is the same with
-- and without --vars. The feature and attribution windows are derived here once, from vars.
{%- set as_of = segwarehouse._as_of_var() %}

with

stg_shop__orders as (
    select * from {{ ref('stg_shop__orders') }}
),

latest_orders as (
    select max(order_date) as latest_order_date
    from stg_shop__orders
),

business_dates as (
    select
        {%- if as_of is not none %}
            date '{{ as_of }}' as as_of_date
        {%- else %}
            case
                when latest_order_date is null
                    then cast({{ raise_sql_error(
                        "'Cannot default the business date: dbt var as_of is not given and '
                        || '" ~ ref('stg_shop__orders') ~ " has no valid orders. '
                        || 'Pass --vars \"{as_of: YYYY-MM-DD}\".'"
                    ) }} as date)
                else latest_order_date
            end as as_of_date
        {%- endif %}
    from latest_orders
),

final as (
    select
        as_of_date,
        {{ var('short_feature_window_days') | int }} as short_feature_window_days,
        {{ var('medium_feature_window_days') | int }} as medium_feature_window_days,
        {{ var('long_feature_window_days') | int }} as long_feature_window_days,
        {{ var('attribution_window_days') | int }} as attribution_window_days,
        as_of_date - {{ var('short_feature_window_days') | int - 1 }}
            as short_feature_window_start_date,
        as_of_date - {{ var('medium_feature_window_days') | int - 1 }}
            as medium_feature_window_start_date,
        as_of_date - {{ var('long_feature_window_days') | int - 1 }}
            as long_feature_window_start_date,
        cast(as_of_date + interval 1 day as timestamp) as as_of_end_at,
        cast(as_of_date + interval 1 day as timestamp)
        - {{ interval_of(var('attribution_window_days') | int, 'day') }} as attribution_complete_before_at
    from business_dates
)

select * from final
