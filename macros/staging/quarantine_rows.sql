{#- The rows of one base model that did not stage cleanly, as rows of a source's quarantine
    log: quarantined rows and duplicates (not staged), and rows staged with attribute values
    set to null (disposition 'repaired', only for base models with a value_issues column).
    Carries a pointer to the raw row (source_file, source_row_number), never raw values, so no
    personal data is copied.

    Arguments:
      base_model: the base model (e.g. 'base_shop__orders')
      table_name: the raw table name written in source_table
      id_column: the primary-key column of the raw table
      pseudonymize_id: hash the id (true for ids of people, e.g. customer_id)
      has_value_issues: the base model has a value_issues column
      has_flags: the base model has a flags column (staged as is, logged as 'flagged')
-#}
{% macro quarantine_rows(
    base_model, table_name, id_column, pseudonymize_id=false, has_value_issues=false,
    has_flags=false
) -%}
    select
        '{{ table_name }}' as source_table,
        source_file,
        source_row_number,
        -- no key of a deleted customer survives, not even here: the raw pointer suffices
        case when disposition <> 'deleted_customer' then
            {%- if pseudonymize_id %} {{ pseudonymize(id_column, id_column) }}
            {%- else %} {{ id_column }}
            {%- endif %}
        end as record_id,
        case
            when disposition <> 'staged' then disposition
            {%- if has_flags %}
            when flags is not null then 'flagged'
            {%- endif %}
            else 'repaired'
        end as disposition,
        case
            when disposition = 'quarantined' then quarantine_reason
            when disposition = 'duplicate' then 'exact copy of a kept {{ id_column }}'
            when disposition = 'superseded' then 'older version of a kept {{ id_column }}'
            when disposition = 'conflict'
                then 'conflict: same {{ id_column }} as a kept row, different content'
            when disposition = 'deleted_customer'
                then 'customer with a verified deletion request: not staged'
            {%- if has_flags %}
            when flags is not null then 'flagged (staged as is): ' || flags
            {%- endif %}
            {%- if has_value_issues %}
            else 'repaired: ' || value_issues
            {%- endif %}
        end as reason
    from {{ ref(base_model) }}
    where disposition <> 'staged'
    {%- if has_value_issues %}
        or value_issues is not null
    {%- endif %}
    {%- if has_flags %}
        or flags is not null
    {%- endif %}
{%- endmacro %}
