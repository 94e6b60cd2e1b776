{#- Post-hook of a persisted (incremental) model keyed to customers: deletes the rows of every
    customer under a verified deletion request (erased_customer_ids), so a deletion reaches
    rows loaded before it was verified. Table models need none: they are rebuilt from staging,
    which never stages an erased customer's rows.

    Arguments:
      column: the model's customer key column (default customer_key)
-#}
{% macro purge_erased_customers(column='customer_key') -%}
    delete from {{ this }}
    where {{ column }} in (
        select {{ pseudonymize('erased.customer_id', 'customer_id') }}
        from ({{ erased_customer_ids() }}) as erased
    )
{%- endmacro %}

{#- Post-hook of the persisted events base: the rows of erased customers that an earlier load
    staged become disposition deleted_customer with every key removed, so the base keeps
    reconciling with the raw files (rows_reconcile) while holding nothing of the customer.
-#}
{% macro erase_staged_rows(key_columns=['customer_key', 'anonymous_key', 'session_key']) -%}
    update {{ this }}
    set
        disposition = 'deleted_customer',
        content_hash = null,
        {%- for column in key_columns %}
        {{ column }} = null{{ "," if not loop.last }}
        {%- endfor %}
    where customer_key in (
        select {{ pseudonymize('erased.customer_id', 'customer_id') }}
        from ({{ erased_customer_ids() }}) as erased
    )
{%- endmacro %}
