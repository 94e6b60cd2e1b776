{#- A raw timestamp (TIMESTAMP, TIMESTAMPTZ, DATE or ISO-8601 text) as a UTC TIMESTAMP, or null
    when it cannot be parsed. Text without an offset is read as UTC. -#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'segwarehouse')(column)) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(column) -%}
    (try_cast(nullif(trim(cast({{ column }} as varchar)), '') as timestamptz) at time zone 'UTC')
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}
