{#- segment_history: SCD type 2 history of segment_membership keyed to the business date. A row
    opens when a customer enters a segment or when its version, definition, arm, legal ground,
    consent_version or legal terms change, and closes (dbt_valid_to) when the membership ends; the members on a
    day D are the rows with dbt_valid_from <= D < dbt_valid_to (or open). Re-running a day adds
    no rows. Customers under a verified deletion request are purged. -#}
{% snapshot segment_history %}
    {{ config(
        unique_key=['customer_key', 'segment_id'],
        strategy='check',
        check_cols=[
            'segment_version', 'definition_hash', 'experiment_arm', 'legal_ground',
            'consent_version', 'entered_at', 'required_purpose', 'lawful_basis', 'risk_level'
        ],
        hard_deletes='invalidate',
        post_hook="{{ purge_erased_customers() }}"
    ) }}

    -- depends_on: {{ ref('customer_features') }}
    select
        customer_key,
        segment_id,
        segment_version,
        definition_hash,
        required_purpose,
        lawful_basis,
        risk_level,
        legal_ground,
        consent_version,
        experiment_arm,
        entered_at
    from {{ ref('segment_membership') }}

{% endsnapshot %}
