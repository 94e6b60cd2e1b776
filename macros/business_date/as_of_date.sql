{#- The business date of the run as a SQL date literal. From the dbt var as_of (a real date
    written YYYY-MM-DD, checked by _as_of_var) when given; otherwise the latest order date
    present in the staged orders, so a plain `dbt build` runs as of the newest data. Everything
    downstream of staging is computed as of this date and ignores raw rows after it, so a past
    day can be rebuilt exactly.
    At parse time (no database access) it renders current_date as a placeholder.
-#}
{% macro as_of_date() -%}
    {%- set value = segwarehouse._as_of_var() -%}
    {%- if value is not none -%}
        {{- return("date '" ~ value ~ "'") -}}
    {%- endif -%}
    {%- set orders = ref('stg_shop__orders') -%}
    {%- if not execute -%}
        {{- return('current_date') -}}
    {%- endif -%}
    {%- set latest = run_query('select max(order_date) from ' ~ orders).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{- exceptions.raise_compiler_error(
            "Cannot default the as_of date: " ~ orders ~ " has no valid orders. Pass --vars '{as_of: YYYY-MM-DD}'."
        ) -}}
    {%- endif -%}
    {{- return("date '" ~ latest ~ "'") -}}
{%- endmacro %}

{#- The first instant after the business date (UTC): rows at or after it are in the future of
    the run and ignored. Compare as `<event time> < as_of_end_timestamp()`. -#}
{% macro as_of_end_timestamp() -%}
    cast({{ as_of_date() }} + interval 1 day as timestamp)
{%- endmacro %}
