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
-#}
{% macro quarantine_rows(base_model, table_name, id_column, pseudonymize_id=false, has_value_issues=false) -%}
    select
        '{{ table_name }}' as source_table,
        source_file,
        source_row_number,
        {% if pseudonymize_id -%}
        {{ pseudonymize(id_column) }}
        {%- else -%}
        {{ id_column }}
        {%- endif %} as record_id,
        case when disposition = 'staged' then 'repaired' else disposition end as disposition,
        case
            when disposition = 'quarantined' then quarantine_reason
            when disposition = 'duplicate' then 'duplicate of a kept {{ id_column }}'
            {%- if has_value_issues %}
            else 'values set to null: ' || value_issues
            {%- endif %}
        end as reason
    from {{ ref(base_model) }}
    where disposition <> 'staged'
    {%- if has_value_issues %}
        or value_issues is not null
    {%- endif %}
{%- endmacro %}
