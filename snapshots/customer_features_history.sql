{#- SCD type 2 history of customer_features keyed to the business date: a new row whenever any
    feature of a customer changes (as_of_date itself is left out: it is the row's validity).
    Customers under a verified deletion request (gone from customer_features) are purged. -#}
{% snapshot customer_features_history %}
    {{ config(
        unique_key='customer_key',
        strategy='check',
        check_cols='all',
        hard_deletes='invalidate',
        post_hook="delete from {{ this }} where customer_key not in (select customer_key from {{ ref('customer_features') }})"
    ) }}

    select * exclude (as_of_date) from {{ ref('customer_features') }}  -- noqa: AM04

{% endsnapshot %}
