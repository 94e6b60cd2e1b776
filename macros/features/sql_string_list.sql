{#- A list of strings as a list literal of the engine: ['a', 'b'] on DuckDB, array('a', 'b') on
    Spark (each string a string_literal).

    Arguments:
      values: the strings
-#}
{% macro sql_string_list(values) -%}
    {{ return(adapter.dispatch('sql_string_list', 'segwarehouse')(values)) }}
{%- endmacro %}

{% macro default__sql_string_list(values) -%}
    [{% for value in values %}{{ segwarehouse.string_literal(value) }}{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}

{% macro spark__sql_string_list(values) -%}
    array({% for value in values %}{{ segwarehouse.string_literal(value) }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#- A string as a SQL string literal of the engine. DuckDB: quoted, quotes doubled. Spark reads
    '' inside a literal as two adjacent literals (the quote is lost) and backslashes as escapes,
    and substitutes ${...} anywhere in the text: text of plain characters is quoted, any other
    is written decode(unhex('<utf-8 hex>'), 'utf-8').

    Arguments:
      value: the string
-#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'segwarehouse')(value | string)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    {{ return("'" ~ value | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    {%- if modules.re.fullmatch('[A-Za-z0-9 _.,:;/()+%=<>@#!?&*-]*', value) -%}
        {{ return("'" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("decode(unhex('" ~ value.encode('utf-8').hex() ~ "'), 'utf-8')") }}
{%- endmacro %}
