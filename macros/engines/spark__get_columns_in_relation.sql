{#- dbt-spark 1.11.0's spark__get_columns_in_relation returns the rows of `describe` as they
    come, not Column objects, so a snapshot with hard_deletes: new_record finds no column names
    in its target and writes the deletion rows with every column null. The adapter method
    returns proper columns (names, types); the root project's macro wins the dispatch. -#}
{% macro spark__get_columns_in_relation(relation) -%}
    {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}
