{#- Quarantine check that one timestamp does not come after another:
    '<earlier> after <later>' when both are set and earlier > later + tolerance. -#}
{% macro check_order(earlier, later, tolerance_hours=0) -%}
    case
        when {{ earlier }} > {{ later }} + {{ interval_of(tolerance_hours, 'hour') }}
            then '{{ earlier }} after {{ later }}'
    end
{%- endmacro %}
