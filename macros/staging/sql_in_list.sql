{#- Strings as the inside of a SQL in-list: 'a', 'b' (each a string_literal). Portable, unlike a
    list literal (sql_string_list).

    Arguments:
      values: the strings
-#}
{% macro sql_in_list(values) -%}
    {%- for value in values %}{{ segwarehouse.string_literal(value) }}{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}
