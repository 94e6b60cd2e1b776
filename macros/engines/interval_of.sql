{#- An interval of `amount` days, hours or months, to add to or subtract from a timestamp (or a
    date). Dispatched: DuckDB's to_days / to_hours / to_months, Spark's make_interval. Adding
    months clamps to the month's last day on both (January 31 plus one month is February 28).

    Arguments:
      amount: SQL expression of an integer (a literal or a column)
      unit: 'day', 'hour' or 'month'
-#}
{% macro interval_of(amount, unit) -%}
    {%- if unit not in ('day', 'hour', 'month') -%}
        {{- exceptions.raise_compiler_error(
            "interval_of: unit must be 'day', 'hour' or 'month', not '" ~ unit ~ "'"
        ) -}}
    {%- endif -%}
    {{ return(adapter.dispatch('interval_of', 'segwarehouse')(amount, unit)) }}
{%- endmacro %}

{% macro default__interval_of(amount, unit) -%}
    {{ segwarehouse._no_engine_implementation('interval_of') }}
{%- endmacro %}

{% macro duckdb__interval_of(amount, unit) -%}
    to_{{ unit }}s({{ amount }})
{%- endmacro %}

{% macro spark__interval_of(amount, unit) -%}
    {%- set position = {'month': 2, 'day': 4, 'hour': 5}[unit] -%}
    make_interval({{ (['0'] * (position - 1) + [amount]) | join(', ') }})
{%- endmacro %}
