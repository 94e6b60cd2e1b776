{#- Quarantine check of a parsed value: 'missing <column>' when the raw value is blank (if
    required), 'unparseable <column>' when a raw value is present but did not parse, else null.
    Expects the raw text of the column as <column>__raw beside the parsed <column>. -#}
{% macro check_value(column, required=true) -%}
    case
        {%- if required %}
        when nullif(trim({{ column }}__raw), '') is null then 'missing {{ column }}'
        {%- endif %}
        when {{ column }} is null and nullif(trim({{ column }}__raw), '') is not null
            then 'unparseable {{ column }}'
    end
{%- endmacro %}
