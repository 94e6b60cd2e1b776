{#- SCD type 2 history of customer_features keyed to the business date: a new row whenever any
    feature of a customer changes (as_of_date itself is left out: it is the row's validity).
    Customers under a verified deletion request are purged (purge_erased_customers). -#}
{% snapshot customer_features_history %}
    {{ config(
        unique_key='customer_key',
        strategy='check',
        check_cols='all',
        hard_deletes='invalidate',
        post_hook="{{ purge_erased_customers() }}"
    ) }}

    select * exclude (as_of_date) from {{ ref('customer_features') }}  -- noqa: AM04

{% endsnapshot %}
