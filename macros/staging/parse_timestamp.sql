{#- A raw timestamp (TIMESTAMP, TIMESTAMPTZ, DATE or ISO-8601 text) as a UTC timestamp, or null
    when it cannot be parsed. The text must have the shape of an ISO-8601 date or date-time:
    YYYY-M-D, then optionally T or a space, H:M[:S[.fraction]] (hours 0-23) and an offset (Z,
    +HH, +HHMM, +HH:MM, UTC), so no engine reads 'epoch', 'infinity', '2026', '2026/01/02' or
    hour 24 its own way. Text without an offset is read as UTC. -#}
{% macro parse_timestamp(column) -%}
    case
        when {{ segwarehouse.matches_pattern(
            segwarehouse._raw_text(column),
            '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}'
            ~ '([ T]([01]?[0-9]|2[0-3]):[0-5]?[0-9](:[0-5]?[0-9]([.][0-9]+)?)?'
            ~ '(Z|[+-][0-9]{2}(:?[0-9]{2})?| ?UTC)?)?'
        ) }}
            then {{ adapter.dispatch('parse_timestamp', 'segwarehouse')(column) }}
    end
{%- endmacro %}

{% macro duckdb__parse_timestamp(column) -%}
    (try_cast({{ segwarehouse._raw_text(column) }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{#- Spark: its timestamp is an instant shown in the session time zone, which the spark target
    sets to UTC; text without an offset is read in it, text with one is converted. -#}
{% macro spark__parse_timestamp(column) -%}
    try_cast({{ segwarehouse._raw_text(column) }} as timestamp)
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {{ segwarehouse._no_engine_implementation('parse_timestamp', 'ISO-8601 text as a UTC timestamp') }}
{%- endmacro %}
