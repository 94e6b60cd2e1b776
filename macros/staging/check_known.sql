{#- Referential quarantine check: 'unknown <column>' when the value is not null and is not a
    valid key of parent_model (a base model; rows it quarantined do not count as known). This
    semi-join is validation, not enrichment: no parent column is brought in. The key is renamed
    in a derived table: when the parent is also read by the outer query (a CTE), Spark would
    otherwise compare two columns of the same identity, and a table built from it (not the
    query alone) lost the check's answer. -#}
{% macro check_known(column, parent_model, parent_column) -%}
    case
        when {{ column }} is not null
            and {{ column }} not in (
                select known_keys.known_key from (
                    select {{ parent_column }} as known_key from {{ ref(parent_model) }}
                    where quarantine_reason is null
                ) as known_keys
            )
            then 'unknown {{ column }}'
    end
{%- endmacro %}
