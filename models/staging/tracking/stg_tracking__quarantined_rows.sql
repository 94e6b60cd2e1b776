-- The quarantine log of the tracking source: every raw event that was not staged (quarantined
-- with a reason, or removed as a duplicate), pointing at the raw file and row.
with

events as (
    {{ quarantine_rows('base_tracking__events', 'events', 'event_id') }}
),

final as (
    select * from events
)

select * from final
