{#- Strings as the inside of a SQL in-list: 'a', 'b' (quotes doubled). Portable, unlike a list
    literal (sql_string_list).

    Arguments:
      values: the strings
-#}
{% macro sql_in_list(values) -%}
    {%- for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}
