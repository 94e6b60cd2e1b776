{#- SCD type 2 history of the validated segment registry keyed to the business date: which
    versions, with which definitions, were known on each day. -#}
{% snapshot segment_registry_history %}
    {{ config(
        unique_key=['segment_id', 'segment_version'],
        strategy='check',
        check_cols='all',
        hard_deletes='invalidate'
    ) }}

    -- depends_on: {{ ref('int_business_dates_resolved') }}
    select * from {{ ref('int_segment_versions_validated') }}  -- noqa: AM04

{% endsnapshot %}
