{#- A list of strings as a DuckDB list literal, e.g. ['a', 'b'] (quotes doubled).

    Arguments:
      values: the strings
-#}
{% macro sql_string_list(values) -%}
    [{% for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}
