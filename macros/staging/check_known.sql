{#- Referential quarantine check: 'unknown <column>' when the value is not null and is not a
    valid key of parent_model (a base model; rows it quarantined do not count as known). This
    semi-join is validation, not enrichment: no parent column is brought in. -#}
{% macro check_known(column, parent_model, parent_column) -%}
    case
        when {{ column }} is not null
            and {{ column }} not in (
                select {{ parent_column }} from {{ ref(parent_model) }}
                where quarantine_reason is null
            )
            then 'unknown {{ column }}'
    end
{%- endmacro %}
