{#- SCD type 2 history of the incremental segment state int_segment_qualifications_tracked keyed
    to the business date, so `python -m segwarehouse.tools.history rollback` can restore the state of
    an earlier day (the model overwrites its rows in place). last_qualified_date is recorded as
    last_qualified_before_date: null while the customer qualifies on the day of the run, else
    the earlier day they last qualified. A streak of daily qualifications is then one version,
    not one per day: a new version opens only when the customer starts or stops qualifying or
    the spell, version or retention changes. Customers under a verified deletion request are
    purged. -#}
{% snapshot segment_qualifications_history %}
    {{ config(
        unique_key=['customer_key', 'segment_id'],
        strategy='check',
        check_cols='all',
        hard_deletes='invalidate',
        post_hook="{{ purge_erased_customers() }}"
    ) }}

    -- depends_on: {{ ref('customer_features') }}
    select
        customer_key,
        segment_id,
        segment_version,
        definition_hash,
        retention_days,
        entered_date,
        nullif(last_qualified_date, {{ as_of_date() }}) as last_qualified_before_date
    from {{ ref('int_segment_qualifications_tracked') }}

{% endsnapshot %}
