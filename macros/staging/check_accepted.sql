{#- Quarantine check of a categorical code: 'missing <column>' when null (if required),
    'unexpected <column>' when not one of accepted_values. -#}
{% macro check_accepted(column, accepted_values, required=true) -%}
    case
        {%- if required %}
        when {{ column }} is null then 'missing {{ column }}'
        {%- endif %}
        when {{ column }} not in (
            {%- for value in accepted_values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
        ) then 'unexpected {{ column }}'
    end
{%- endmacro %}
