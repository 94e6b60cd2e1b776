{#- Generic test: every part of the column's text, split at separator, is one of values (e.g. a
    '; '-joined list of reasons). Rows whose text holds anything else fail; null passes.

    Arguments:
      model: the model tested
      column_name: the column
      values: the accepted parts
      separator: the separator of the parts (default '; ')
-#}
{% test parts_accepted(model, column_name, values, separator='; ') %}
{%- set escaped = [] -%}
{%- for value in values -%}
    {%- do escaped.append(segwarehouse._regex_literal(value)) -%}
{%- endfor -%}
{%- set part = '(' ~ escaped | join('|') ~ ')' -%}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and not {{ matches_pattern(column_name, part ~ '(' ~ segwarehouse._regex_literal(separator) ~ part ~ ')*') }}
{% endtest %}

{#- Text as a regular expression matching it literally (metacharacters escaped). -#}
{% macro _regex_literal(text) -%}
    {%- set escaped = namespace(text='') -%}
    {%- for character in text -%}
        {%- set escaped.text = escaped.text ~ ('\\' if character in '.^$*+?{}[]\\|()' else '') ~ character -%}
    {%- endfor -%}
    {{ return(escaped.text) }}
{%- endmacro %}
