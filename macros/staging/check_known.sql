{#- Referential quarantine check: 'unknown <column>' when the value is not null and is not a
    valid key of parent_model (a base model; rows it quarantined do not count as known). This
    semi-join is validation, not enrichment: no parent column is brought in.
    Written `not coalesce(value in (keys), false)` over non-null keys, which for a non-null
    value is `value not in (keys)`: Spark plans an IN in a select list as an existence join on
    the equality (a hash join), but a NOT IN as a nested loop over every pair (null-aware), which
    took minutes per model at the small scale. The key is renamed in a derived table: when the
    parent is also read by the outer query (a CTE), Spark would otherwise compare two columns of
    the same identity, and a table built from it (not the query alone) lost the check's answer.
-#}
{% macro check_known(column, parent_model, parent_column) -%}
    case
        when {{ column }} is not null
            and not coalesce({{ column }} in (
                select known_keys.known_key from (
                    select {{ parent_column }} as known_key from {{ ref(parent_model) }}
                    where quarantine_reason is null and {{ parent_column }} is not null
                ) as known_keys
            ), false)
            then 'unknown {{ column }}'
    end
{%- endmacro %}
