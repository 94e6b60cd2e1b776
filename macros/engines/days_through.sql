{#- A relation of one row per day from first_date through last_date (both included; none when
    first_date is after last_date), its one column named `calendar_date`: to select from, as `from
    {{ days_through(...) }} as days`. Dispatched: DuckDB's range table function, Spark's
    exploded sequence.

    Arguments:
      first_date: SQL expression of the first date
      last_date: SQL expression of the last date
-#}
{% macro days_through(first_date, last_date) -%}
    {{ return(adapter.dispatch('days_through', 'segwarehouse')(first_date, last_date)) }}
{%- endmacro %}

{% macro default__days_through(first_date, last_date) -%}
    {{ segwarehouse._no_engine_implementation('days_through') }}
{%- endmacro %}

{% macro duckdb__days_through(first_date, last_date) -%}
    (
        select cast(range as date) as calendar_date
        from range({{ first_date }}, ({{ last_date }}) + 1, interval 1 day)
    )
{%- endmacro %}

{% macro spark__days_through(first_date, last_date) -%}
    (
        select explode(sequence(first_date, greatest(first_date, last_date), interval 1 day)) as calendar_date
        from (select cast({{ first_date }} as date) as first_date, cast({{ last_date }} as date) as last_date)
        where first_date <= last_date
    )
{%- endmacro %}
