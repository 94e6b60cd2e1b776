{#- Aggregate: the distinct non-null values of an expression in ascending order, joined by a
    separator into one string; null when there is none. Dispatched: DuckDB's string_agg takes
    distinct and order by, Spark has neither string_agg nor ordered aggregates.

    Arguments:
      expression: SQL expression of a string
      separator: the separator, a Python string (quoted here)
-#}
{% macro distinct_sorted_list(expression, separator) -%}
    {{ return(adapter.dispatch('distinct_sorted_list', 'segwarehouse')(expression, separator)) }}
{%- endmacro %}

{% macro default__distinct_sorted_list(expression, separator) -%}
    {{ segwarehouse._no_engine_implementation('distinct_sorted_list') }}
{%- endmacro %}

{% macro duckdb__distinct_sorted_list(expression, separator) -%}
    string_agg(distinct {{ expression }}, '{{ separator }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__distinct_sorted_list(expression, separator) -%}
    case
        when size(collect_set({{ expression }})) > 0
            then array_join(array_sort(collect_set({{ expression }})), '{{ separator }}')
    end
{%- endmacro %}
