{#- Whole days from first_date to second_date (second minus first; negative when second is
    earlier), null when either is null. Dispatched: the engines name and order the arguments
    differently, and dbt's own datediff fails on null dates on Spark.

    Arguments:
      first_date: SQL expression of a date
      second_date: SQL expression of a date
-#}
{% macro days_between(first_date, second_date) -%}
    {{ return(adapter.dispatch('days_between', 'segwarehouse')(first_date, second_date)) }}
{%- endmacro %}

{% macro default__days_between(first_date, second_date) -%}
    {{ segwarehouse._no_engine_implementation('days_between') }}
{%- endmacro %}

{% macro duckdb__days_between(first_date, second_date) -%}
    datediff('day', {{ first_date }}, {{ second_date }})
{%- endmacro %}

{#- Spark's datediff is an int; DuckDB's a bigint, which the contracts declare -#}
{% macro spark__days_between(first_date, second_date) -%}
    cast(datediff({{ second_date }}, {{ first_date }}) as bigint)
{%- endmacro %}
