{#- The content of a raw table's row, from its staging spec (see _staging_spec): the staged
    columns (or the model column named by meta content_as) that make up content_hash(), text
    first, then numbers, booleans and timestamps, each in contract column order, without the
    columns whose meta says content: false.

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
-#}
{% macro staged_content(source_name, table_name) -%}
    {%- set groups = [
        ['identifier', 'code', 'upper_code', 'snake_code', 'text', 'lower_text'],
        ['amount', 'integer'],
        ['boolean'],
        ['timestamp'],
    ] -%}
    {%- set spec = segwarehouse._staging_spec(source_name, table_name) -%}
    {%- set columns = [] -%}
    {%- for kinds in groups -%}
        {%- for column in spec if column.content and column.parse in kinds -%}
            {%- do columns.append(column.content_as) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}
