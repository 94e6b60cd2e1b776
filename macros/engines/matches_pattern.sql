{#- SQL condition: the whole text matches the regular expression (null for null text). Keep
    patterns to what RE2 (DuckDB) and Java (Spark) read alike: character classes, groups,
    alternation, quantifiers; no backslash (Spark string literals unescape it: write [.]).

    Arguments:
      expression: SQL expression of the text
      pattern: the regular expression, unanchored (the whole text must match)
-#}
{% macro matches_pattern(expression, pattern) -%}
    {%- if "'" in pattern or "\\" in pattern -%}
        {{- exceptions.raise_compiler_error(
            "matches_pattern: write the pattern without quotes or backslashes, got " ~ pattern
        ) -}}
    {%- endif -%}
    {{ return(adapter.dispatch('matches_pattern', 'segwarehouse')(expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    {{ segwarehouse._no_engine_implementation('matches_pattern', 'a whole-text regular expression match') }}
{%- endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '^({{ pattern }})$')
{%- endmacro %}
