{#- The repairable checks of a raw table, from its staging spec (see _staging_spec): for every
    column with meta invalid: repair, `<check> as <staged name>_issue`, the reason its value is
    not staged (set to null and listed in value_issues by the model), or null.
    Comma-separated, without a trailing comma.

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
-#}
{% macro staged_value_issues(source_name, table_name) -%}
    {%- set items = [] -%}
    {%- for column in segwarehouse._staging_spec(source_name, table_name) if column.repair -%}
        {%- set check = segwarehouse._staged_check(column) -%}
        {%- if check is none or column.not_before is not none -%}
            {{- exceptions.raise_compiler_error(
                "Staging spec of " ~ source_name ~ "." ~ table_name ~ "." ~ column.raw
                ~ ": invalid: repair needs a check, and cannot have not_before"
            ) -}}
        {%- endif -%}
        {%- do items.append(check ~ " as " ~ column.name ~ "_issue") -%}
    {%- endfor -%}
    {{- items | join(",\n        ") -}}
{%- endmacro %}
