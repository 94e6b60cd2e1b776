{#- The accepted values of one column of a raw table, from its staging spec (see
    _staging_spec), for a model that applies them its own way (e.g. consent, which fails
    closed). An empty list at parse time.

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
      column_name: the staged column name
-#}
{% macro staged_accepted_values(source_name, table_name, column_name) -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- for column in segwarehouse._staging_spec(source_name, table_name)
        if column.name == column_name and column.accepted is not none -%}
        {{- return(column.accepted) -}}
    {%- endfor -%}
    {{- exceptions.raise_compiler_error(
        "Staging spec of " ~ source_name ~ "." ~ table_name ~ ": no column " ~ column_name
        ~ " with accepted_values"
    ) -}}
{%- endmacro %}
