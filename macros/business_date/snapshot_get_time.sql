{#- Snapshots are keyed to the business date, not the wall clock: dbt_valid_from / dbt_valid_to
    of every snapshot are the run's as_of date (midnight UTC), so a backfill of past days writes
    the same history as daily runs would have, and re-running a day adds no rows. Without the
    as_of var the date is the one resolved by int_business_dates_resolved (every snapshot is
    downstream of it). -#}
{% macro duckdb__snapshot_get_time() -%}
    {{ business_timestamp() }}
{%- endmacro %}

{% macro spark__snapshot_get_time() -%}
    {{ business_timestamp() }}
{%- endmacro %}

{#- The business date of the run as a timestamp, for snapshots (see duckdb__snapshot_get_time). -#}
{% macro business_timestamp() -%}
    {%- if segwarehouse._as_of_var() is not none -%}
        cast({{ as_of_date() }} as timestamp)
    {%- else -%}
        {#- read by name, not ref: this runs in materializations and hooks of nodes whose
            parents do not list the model directly (they are downstream of it) -#}
        {%- set node = graph.nodes['model.' ~ project_name ~ '.int_business_dates_resolved'] -%}
        {%- set resolved = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        ) -%}
        (select cast(max(as_of_date) as timestamp) from {{ resolved }})
    {%- endif -%}
{%- endmacro %}
