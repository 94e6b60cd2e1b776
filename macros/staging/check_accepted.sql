{#- Quarantine check of a categorical code: 'missing <column>' when null (if required),
    'unexpected <column>' when not one of accepted_values. -#}
{% macro check_accepted(column, accepted_values, required=true) -%}
    case
        {%- if required %}
        when {{ column }} is null then 'missing {{ column }}'
        {%- endif %}
        when {{ column }} not in ({{ sql_in_list(accepted_values) }}) then 'unexpected {{ column }}'
    end
{%- endmacro %}
