{#- JSON text of the raw files (the events' properties), read alike on every engine.

    json_is_object(expression): SQL condition, the text is one well-formed JSON object (null for
    null text). What each engine forgives differs (DuckDB: NaN, a trailing comma; Spark: single
    quotes, content after the object), so the object must parse on the engine with its
    leniencies off where it has a switch (Spark: allowSingleQuotes), and nothing may follow it.

    Arguments:
      expression: SQL expression of the text
-#}
{% macro json_is_object(expression) -%}
    {{ return(adapter.dispatch('json_is_object', 'segwarehouse')(expression)) }}
{%- endmacro %}

{% macro default__json_is_object(expression) -%}
    {{ segwarehouse._no_engine_implementation('json_is_object', 'whether the text is a JSON object') }}
{%- endmacro %}

{#- DuckDB: json_type fails on malformed text, so it is asked only of valid text. -#}
{% macro duckdb__json_is_object(expression) -%}
    case
        when ({{ expression }}) is null then null
        when json_valid({{ expression }}) then json_type({{ expression }}) = 'OBJECT'
        else false
    end
{%- endmacro %}

{#- Spark: read as the only element of a JSON array, so anything after the object (another
    object, trailing text) makes the array malformed (null). -#}
{% macro spark__json_is_object(expression) -%}
    case
        when ({{ expression }}) is null then null
        else from_json(
            concat('[', {{ expression }}, ']'), 'array<map<string, string>>',
            map('allowSingleQuotes', 'false')
        )[0] is not null
    end
{%- endmacro %}

{#- json_text(expression, field): the value of a top-level field of a JSON object as text
    (strings unquoted, numbers and booleans as written, objects and arrays as JSON), null when
    absent or JSON null. Call it only where json_is_object holds (DuckDB fails on malformed
    text).

    Arguments:
      expression: SQL expression of the JSON text
      field: the field name (letters, digits, underscores)
-#}
{% macro json_text(expression, field) -%}
    {%- if not modules.re.fullmatch('[A-Za-z0-9_]+', field) -%}
        {{- exceptions.raise_compiler_error("json_text: field must be letters, digits or _, got " ~ field) -}}
    {%- endif -%}
    {{ return(adapter.dispatch('json_text', 'segwarehouse')(expression, field)) }}
{%- endmacro %}

{% macro default__json_text(expression, field) -%}
    {{ segwarehouse._no_engine_implementation('json_text', 'a field of a JSON object as text') }}
{%- endmacro %}

{% macro duckdb__json_text(expression, field) -%}
    json_extract_string({{ expression }}, '$.{{ field }}')
{%- endmacro %}

{% macro spark__json_text(expression, field) -%}
    get_json_object({{ expression }}, '$.{{ field }}')
{%- endmacro %}
