-- One row per recorded consent choice, customer pseudonymized.
with

base_consent_events as (
    select * from {{ ref('base_privacy__consent_events') }}
),

final as (
    select
        consent_event_id,
        {{ pseudonymize('customer_id', 'customer_id') }} as customer_key,
        consent_purpose,
        consent_status,
        consent_version,
        consent_source,
        jurisdiction,
        consent_source = 'gpc_signal' as is_gpc_signal,
        recorded_at
    from base_consent_events
    where disposition = 'staged'
)

select * from final
