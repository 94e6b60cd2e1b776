{#- on-run-start hook: refuses a run whose var as_of is later than the newest date present in
    the raw data of any source (newest_raw_date), before anything is built. Such a run would
    write history for a day without data, and history is written in date order
    (assert_history_in_order), so the runs for the days before it would then be refused. Set
    var allow_as_of_after_raw_data to true to build such a day deliberately (a warning is
    logged). Without var as_of the business date is the newest staged order date: nothing to
    check. Renders a no-op statement.
-#}
{% macro assert_as_of_within_raw_data() -%}
    {%- set as_of = segwarehouse._as_of_var() -%}
    {%- if execute and as_of is not none -%}
        {%- set day = modules.datetime.date.fromisoformat(as_of) -%}
        {%- set newest = segwarehouse.newest_raw_date() -%}
        {%- if newest.date is none or day > newest.date -%}
            {%- if newest.date is none -%}
                {%- set found = "no raw table holds a dated row" -%}
            {%- else -%}
                {%- set found = "the newest date in the raw data is " ~ newest.date
                    ~ " (" ~ newest.tables[0] ~ (" and " ~ (newest.tables | length - 1)
                    ~ " other raw tables" if newest.tables | length > 1 else "") ~ ")" -%}
            {%- endif -%}
            {%- set message = segwarehouse._as_of_source() ~ " is " ~ as_of ~ ", but " ~ found
                ~ "; raw timestamps later than the wall clock plus future_tolerance_hours ("
                ~ var('future_tolerance_hours') ~ ") do not count. A run for a day after the data"
                ~ " writes history for it, and history is written in date order, so the runs"
                ~ " for the days before it would then be refused." -%}
            {%- if var('allow_as_of_after_raw_data', false) | string | lower in ('true', '1', 'yes') -%}
                {{- exceptions.warn(message ~ " Building it anyway: var allow_as_of_after_raw_data is true.") -}}
            {%- else -%}
                {{- exceptions.raise_compiler_error(
                    message ~ " Pass an as_of up to the newest raw date, or add"
                    ~ " allow_as_of_after_raw_data: true to --vars to build it deliberately"
                    ~ " (make history-rollback TO=YYYY-MM-DD undoes it)."
                ) -}}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1 as as_of_within_raw_data
{%- endmacro %}
