{#- Quarantine check of a parsed money amount: missing / unparseable (see check_value),
    'negative <column>' below zero, 'absurd <column>' above var max_plausible_amount. -#}
{% macro check_amount(column, required=true) -%}
    coalesce(
        {{ check_value(column, required) }},
        case
            when {{ column }} < 0 then 'negative {{ column }}'
            when {{ column }} > {{ var('max_plausible_amount') }} then 'absurd {{ column }}'
        end
    )
{%- endmacro %}
