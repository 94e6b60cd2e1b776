{#- on-run-start hook: a warehouse built before the identity file existed held the identity model
    in its own schema `restricted`: dropped, so no e-mail or name stays in the warehouse file.
    DuckDB only: on Spark the identity model lives in schema `restricted` of the catalog (see
    identity_location), never dropped; renders a no-op statement there. -#}
{% macro drop_legacy_identity_schema() -%}
    {{ return(adapter.dispatch('drop_legacy_identity_schema', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default__drop_legacy_identity_schema() -%}
    select 1 as no_legacy_identity_schema
{%- endmacro %}

{% macro duckdb__drop_legacy_identity_schema() -%}
    drop schema if exists "{{ target.database }}".restricted cascade
{%- endmacro %}
