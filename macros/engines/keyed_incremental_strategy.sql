{#- The incremental strategy of a model whose new rows replace the rows of the same unique_key:
    delete+insert on DuckDB, merge on Spark (Iceberg; dbt-spark has no delete+insert). For rows
    unique on the key, both leave the same table. -#}
{% macro keyed_incremental_strategy() -%}
    {{ return(adapter.dispatch('keyed_incremental_strategy', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default__keyed_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__keyed_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}
