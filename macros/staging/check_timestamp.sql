{#- Quarantine check of a parsed timestamp: missing / unparseable (see check_value), later than
    latest_plausible_timestamp(), the build's wall clock plus var future_tolerance_hours
    ('future <column>'), or before var earliest_plausible_date ('implausible <column>'). -#}
{% macro check_timestamp(column, required=true) -%}
    coalesce(
        {{ check_value(column, required) }},
        case
            when {{ column }} > {{ latest_plausible_timestamp() }}
                then 'future {{ column }}'
            when {{ column }} < timestamp '{{ var("earliest_plausible_date") }}'
                then 'implausible {{ column }}'
        end
    )
{%- endmacro %}
