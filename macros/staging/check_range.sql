{#- Quarantine check of a parsed number that must lie in [min_value, max_value]:
    missing / unparseable (see check_value) or '<column> out of range'. -#}
{% macro check_range(column, min_value, max_value, required=true) -%}
    coalesce(
        {{ check_value(column, required) }},
        case
            when {{ column }} < {{ min_value }} or {{ column }} > {{ max_value }}
                then '{{ column }} out of range'
        end
    )
{%- endmacro %}
