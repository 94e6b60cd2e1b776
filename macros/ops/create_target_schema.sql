{#- on-run-start hook: the target's own schema (the profile's `schema`) made if missing. Every
    model has a schema of its own, but dbt-spark writes a snapshot's staging view, unqualified,
    into the session's current schema, which is the target's: without it the second run of any
    snapshot fails with SCHEMA_NOT_FOUND. DuckDB's target schema (main) always exists: a no-op
    statement there. -#}
{% macro create_target_schema() -%}
    {{ return(adapter.dispatch('create_target_schema', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default__create_target_schema() -%}
    select 1 as target_schema_exists
{%- endmacro %}

{% macro spark__create_target_schema() -%}
    create schema if not exists {{ target.schema }}
{%- endmacro %}
