{#- A digest of a raw row's content after parsing: md5 over the listed expressions, each
    written as its text length, ':' and the text (null as '-'), so the encoding is injective:
    no value, however hostile, can make two different rows collide short of an md5 collision.
    Two rows are exact copies when their digests are equal; disposition() uses it to tell a
    duplicate from a conflict and to break ties in a way that does not depend on file order.

    Arguments:
      columns: list of SQL expressions (the parsed columns that make up the row's content;
        not its position, delivery or receipt time)
-#}
{% macro content_hash(columns) -%}
    md5(concat(
        {%- for column in columns %}
        coalesce(length(cast({{ column }} as string)) || ':' || cast({{ column }} as string), '-')
        {{- "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
