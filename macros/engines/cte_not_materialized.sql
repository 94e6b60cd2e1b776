{#- The hint that keeps an engine from materializing a common table expression read several
    times, so that each read streams its source with its own filters pushed down: `not
    materialized` on DuckDB (which would otherwise copy the whole source into a temporary
    result); nothing elsewhere (Spark inlines every CTE). Written between `as` and the CTE's
    parenthesis. -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}
{%- endmacro %}

{% macro duckdb__cte_not_materialized() -%}
    not materialized
{%- endmacro %}
