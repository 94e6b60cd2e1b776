{#- SCD type 2 history of the incremental segment state int_segment_qualifications_tracked keyed
    to the business date: a new row whenever a (customer, segment) qualifies again or its spell,
    version or retention changes. That model overwrites its rows in place, so this is what lets
    `python -m segwarehouse.history rollback` restore its state of an earlier day. Customers
    under a verified deletion request are purged. -#}
{% snapshot segment_qualifications_history %}
    {{ config(
        unique_key=['customer_key', 'segment_id'],
        strategy='check',
        check_cols='all',
        hard_deletes='invalidate',
        post_hook="delete from {{ this }} where customer_key not in (select customer_key from {{ ref('customer_features') }})"
    ) }}

    select * from {{ ref('int_segment_qualifications_tracked') }}  -- noqa: AM04

{% endsnapshot %}
