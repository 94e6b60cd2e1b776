{#- The raw customer ids under a verified right-to-delete request: a subquery with one column,
    customer_id (cleaned as staging cleans ids). The one statement of who is erased, read by
    every staging base model (their rows get the disposition deleted_customer, whatever the
    business date: erased data never comes back, not even in a backfill) and by the purge hook
    of every persisted model keyed to customers (purge_erased_customers). It fails closed: a
    request counts once its verification time parses and is not in the future, even if another
    field of the request is invalid (that request is also quarantined for a human answer).
    Reads the raw file through raw_source, so no relation has to keep the erased keys.
-#}
{% macro erased_customer_ids() -%}
    select distinct {{ clean_identifier('customer_id') }} as customer_id
    from {{ raw_source('privacy', 'deletion_requests') }} as deletion_requests
    where
        {{ clean_identifier('customer_id') }} is not null
        and {{ parse_timestamp('verified_at') }} <= cast(now() as timestamp)
            + {{ interval_of(var('future_tolerance_hours') | int, 'hour') }}
{%- endmacro %}

{#- SQL condition: the raw id column names an erased customer (see erased_customer_ids).

    Arguments:
      column: the cleaned raw customer_id column
-#}
{% macro is_erased_customer(column='customer_id') -%}
    coalesce({{ column }} in (select erased.customer_id from ({{ erased_customer_ids() }}) as erased), false)
{%- endmacro %}
