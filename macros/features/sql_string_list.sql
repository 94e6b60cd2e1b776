{#- A list of strings as a DuckDB list literal, e.g. ['a', 'b'].

    Arguments:
      values: the strings
-#}
{% macro sql_string_list(values) -%}
    [{% for value in values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}
