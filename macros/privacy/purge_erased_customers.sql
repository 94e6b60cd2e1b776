{#- Post-hook of a persisted (incremental) model keyed to customers, outside staging: deletes
    the rows of every customer who is no longer a staged customer. Staging never stages an
    erased customer (disposition deleted_customer, see erased_customer_ids), and every key
    downstream comes from a staged customer, so this reaches exactly the rows loaded before a
    deletion was verified (and those of a customer gone from the extract), through a ref the
    DAG sees. Table models need none: they are rebuilt from staging. Rows without a customer
    (anonymous events) are kept.

    Arguments:
      column: the model's customer key column (default customer_key)
-#}
{% macro purge_erased_customers(column='customer_key') -%}
    delete from {{ this }}
    where
        {{ column }} is not null
        and {{ column }} not in (
            select staged.customer_key from {{ ref('stg_shop__customers') }} as staged
        )
{%- endmacro %}

{#- Post-hook of the persisted events base (staging, so it reads the erased ids itself): the
    rows of erased customers that an earlier load staged become disposition deleted_customer
    with every key removed, so the base keeps reconciling with the raw files (rows_reconcile)
    while holding nothing of the customer.

    Arguments:
      key_columns: the key columns to clear
-#}
{% macro erase_staged_rows(key_columns=['customer_key', 'anonymous_key', 'session_key']) -%}
    {{ return(adapter.dispatch('erase_staged_rows', 'segwarehouse')(key_columns)) }}
{%- endmacro %}

{% macro default__erase_staged_rows(key_columns) -%}
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


{#- Spark refuses an update or merge whose condition depends on a non-deterministic expression,
    and a pseudonym reads its key when the query runs (see spark__pseudonymize): the erased keys
    are written to a scratch table first, dropped with its files (purge) right after; a crash in
    between leaves it to the next run, which drops it first. -#}
{% macro spark__erase_staged_rows(key_columns) -%}
    {%- set scratch = this.schema ~ '.' ~ this.identifier ~ '__erased_keys' -%}
    {%- set assignments = ["disposition = 'deleted_customer'", "content_hash = null"] -%}
    {%- for column in key_columns -%}
        {%- do assignments.append(column ~ " = null") -%}
    {%- endfor -%}
    {{ segwarehouse.hook_statements([
        "drop table if exists " ~ scratch ~ " purge",
        "create table " ~ scratch ~ " as select distinct "
            ~ pseudonymize('erased.customer_id', 'customer_id') ~ " as customer_key from ("
            ~ erased_customer_ids() ~ ") as erased",
        "merge into " ~ this ~ " as persisted using " ~ scratch ~ " as erased_keys"
            ~ " on persisted.customer_key = erased_keys.customer_key"
            ~ " when matched then update set " ~ assignments | join(", "),
        "drop table if exists " ~ scratch ~ " purge",
    ]) }}
{%- endmacro %}
