{#- Quarantine check of a cleaned identifier: 'missing <column>' when it is null (junk
    placeholders were already turned into null by clean_identifier). -#}
{% macro check_identifier(column) -%}
    case when {{ column }} is null then 'missing {{ column }}' end
{%- endmacro %}
