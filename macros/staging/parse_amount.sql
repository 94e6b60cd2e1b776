{#- The parse macros of staging read raw text alike on every engine: the text must have the
    shape of its kind (checked by a regular expression, so no engine's own leniency, such as
    DuckDB's '1_000', '0x1F' or rounding '1.5' to an integer, lets junk through), then the
    engine casts it. Null when unparseable (quarantined by check_value). -#}

{#- The raw text of a value: trimmed, null when blank. -#}
{% macro _raw_text(column) -%}
    nullif(trim(cast({{ column }} as string)), '')
{%- endmacro %}

{#- A raw number (any numeric type or decimal text, with an optional exponent) as
    decimal(18, 2), rounded half away from zero. -#}
{% macro parse_amount(column) -%}
    case
        when {{ segwarehouse.matches_pattern(
            segwarehouse._raw_text(column), '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?'
        ) }}
            then try_cast({{ segwarehouse._raw_text(column) }} as decimal(18, 2))
    end
{%- endmacro %}

{#- A raw count (integer type or integer text; an integral decimal such as '2.0' or 2.0 counts)
    as integer; '1.5' does not parse. -#}
{% macro parse_integer(column) -%}
    case
        when {{ segwarehouse.matches_pattern(segwarehouse._raw_text(column), '[+-]?[0-9]+([.]0*)?') }}
            then try_cast(regexp_replace({{ segwarehouse._raw_text(column) }}, '[.]0*$', '') as integer)
    end
{%- endmacro %}

{#- A raw flag (BOOLEAN, 0/1, true/false/t/f/yes/no/y/n text, any case) as boolean. -#}
{% macro parse_boolean(column) -%}
    try_cast({{ segwarehouse._raw_text(column) }} as boolean)
{%- endmacro %}
