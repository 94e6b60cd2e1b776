-- The quarantine log of the privacy source: every raw consent event or deletion request that
-- was not staged (quarantined with a reason, or removed as a duplicate), pointing at the raw
-- file and row. Quarantined deletion requests still need a human answer.
with

consent_events as (
    {{ quarantine_rows(
        'base_privacy__consent_events', 'consent_events', 'consent_event_id',
        has_value_issues=true
    ) }}
),

deletion_requests as (
    {{ quarantine_rows('base_privacy__deletion_requests', 'deletion_requests', 'request_id') }}
),

final as (
    select * from consent_events
    union all
    select * from deletion_requests
)

select * from final
