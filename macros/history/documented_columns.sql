{#- The columns of a model as its YAML documents them (in that order), less some, as a select
    list: for a model with an enforced contract these are exactly its columns, in its order,
    known without querying the warehouse. A portable `* exclude (...)`, whose list follows the
    YAML, so a column added there is selected without another edit.

    Arguments:
      model_name: the model, by name
      excluded: column names to leave out (each must be a documented column)
      relation_alias: optional alias the columns are qualified with (alias.column)
-#}
{% macro documented_columns(model_name, excluded=[], relation_alias=none) -%}
    {%- if not execute -%}
        {#- parsing: the graph is not built yet, the SQL is not run -#}
        {{- return((relation_alias ~ '.' if relation_alias else '') ~ '*') -}}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {%- if node is none -%}
        {{- exceptions.raise_compiler_error("documented_columns: no model named " ~ model_name) -}}
    {%- endif -%}
    {%- set names = node.columns.values() | map(attribute='name') | list -%}
    {%- for name in excluded if name not in names -%}
        {{- exceptions.raise_compiler_error(
            "documented_columns: " ~ name ~ " is not a documented column of " ~ model_name
        ) -}}
    {%- endfor -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set selected = [] -%}
    {%- for name in names if name not in excluded -%}
        {%- do selected.append(prefix ~ name) -%}
    {%- endfor -%}
    {{- selected | join(',\n') -}}
{%- endmacro %}
