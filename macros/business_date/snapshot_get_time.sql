{#- Snapshots are keyed to the business date, not the wall clock: dbt_valid_from / dbt_valid_to
    of every snapshot are the run's as_of date (midnight UTC), so a backfill of past days writes
    the same history as daily runs would have, and re-running a day adds no rows. Without the
    as_of var the date is the one stamped in customer_features (its as_of_date column). -#}
{% macro duckdb__snapshot_get_time() -%}
    {{ business_timestamp() }}
{%- endmacro %}

{#- The business date of the run as a timestamp, for snapshots (see duckdb__snapshot_get_time). -#}
{% macro business_timestamp() -%}
    {%- if segwarehouse._as_of_var() is not none -%}
        cast({{ as_of_date() }} as timestamp)
    {%- else -%}
        {%- set features = api.Relation.create(
            database=target.database, schema=generate_schema_name('marts', none),
            identifier='customer_features'
        ) -%}
        (select cast(max(as_of_date) as timestamp) from {{ features }})
    {%- endif -%}
{%- endmacro %}
