{#- Regular expressions, read alike by RE2 (DuckDB) and Java (Spark): keep patterns to
    character classes, groups, alternation, quantifiers and escaped punctuation (\. \+). Spark's
    string literals unescape backslashes, so its implementations double them. Patterns may hold
    no single quote.

    matches_pattern(expression, pattern): SQL condition, the whole text matches (null for null).
    contains_pattern(expression, pattern): SQL condition, some part of the text matches.
    replace_pattern(expression, pattern, replacement): every match replaced.

    Arguments:
      expression: SQL expression of the text
      pattern: the regular expression
      replacement: the replacement text (no backreferences)
-#}
{% macro _checked_pattern(pattern) -%}
    {%- if "'" in pattern -%}
        {{- exceptions.raise_compiler_error("regular expression must hold no single quote, got " ~ pattern) -}}
    {%- endif -%}
    {{ return(pattern if target.type != 'spark' else pattern | replace('\\', '\\\\')) }}
{%- endmacro %}

{% macro matches_pattern(expression, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'segwarehouse')(expression, segwarehouse._checked_pattern(pattern))) }}
{%- endmacro %}

{% macro default__matches_pattern(expression, pattern) -%}
    {{ segwarehouse._no_engine_implementation('matches_pattern', 'a whole-text regular expression match') }}
{%- endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro contains_pattern(expression, pattern) -%}
    {{ return(adapter.dispatch('contains_pattern', 'segwarehouse')(expression, segwarehouse._checked_pattern(pattern))) }}
{%- endmacro %}

{% macro default__contains_pattern(expression, pattern) -%}
    {{ segwarehouse._no_engine_implementation('contains_pattern', 'a regular expression search') }}
{%- endmacro %}

{% macro duckdb__contains_pattern(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__contains_pattern(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro replace_pattern(expression, pattern, replacement) -%}
    {%- if "'" in replacement or "\\" in replacement or "$" in replacement -%}
        {{- exceptions.raise_compiler_error("replace_pattern: plain replacement text only, got " ~ replacement) -}}
    {%- endif -%}
    {{ return(adapter.dispatch('replace_pattern', 'segwarehouse')(expression, segwarehouse._checked_pattern(pattern), replacement)) }}
{%- endmacro %}

{% macro default__replace_pattern(expression, pattern, replacement) -%}
    {{ segwarehouse._no_engine_implementation('replace_pattern', 'a regular expression replace of every match') }}
{%- endmacro %}

{% macro duckdb__replace_pattern(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__replace_pattern(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
