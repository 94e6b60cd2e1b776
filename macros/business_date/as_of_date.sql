{#- The business date of the run as a SQL date literal, as resolved by the model
    int_business_dates_resolved (the dbt var as_of when given, else the latest staged order
    date). The macro always refs that model, whatever the vars, so every dated model depends on
    it in the DAG. At execute time it renders the var as a literal when given (checked by
    _as_of_var), else the date read from the built model. Before that model is built (dbt
    compile on a fresh warehouse) it renders a scalar subquery on it, which is right once it is
    built; at parse time (no database access) the var, or current_date as a placeholder.
-#}
{% macro as_of_date() -%}
    {%- set value = segwarehouse._as_of_var() -%}
    {%- if not execute -%}
        {#- the edge, whatever the vars: dbt records the refs made at parse time -#}
        {%- do ref('int_business_dates_resolved') -%}
        {{- return("date '" ~ value ~ "'" if value is not none else 'current_date') -}}
    {%- endif -%}
    {%- if value is not none -%}
        {#- no ref at execute time: a unit test with var as_of needs no input for the model -#}
        {{- return("date '" ~ value ~ "'") -}}
    {%- endif -%}
    {%- set resolved = ref('int_business_dates_resolved') -%}
    {%- if resolved.identifier is not defined or load_relation(resolved) is none -%}
        {{- return('(select as_of_date from ' ~ resolved ~ ')') -}}
    {%- endif -%}
    {%- set rows = run_query('select as_of_date from ' ~ resolved).rows -%}
    {%- if rows | length != 1 or rows[0][0] is none -%}
        {{- exceptions.raise_compiler_error(
            "Cannot read the business date: " ~ resolved ~ " holds " ~ (rows | length)
            ~ " rows, expected one with an as_of_date. Rebuild it (dbt build --select"
            ~ " int_business_dates_resolved) or pass --vars '{as_of: YYYY-MM-DD}'."
        ) -}}
    {%- endif -%}
    {{- return("date '" ~ rows[0][0] ~ "'") -}}
{%- endmacro %}

{#- The first instant after the business date (UTC): rows at or after it are in the future of
    the run and ignored. Compare as `<event time> < as_of_end_timestamp()`. -#}
{% macro as_of_end_timestamp() -%}
    cast({{ as_of_date() }} + interval 1 day as timestamp)
{%- endmacro %}
