-- One row per customer, day received and day happened, over the attributed events the
-- customer's analytics consent allowed when they happened: the latest event time. Lets the
-- behaviour summary find when a customer was last seen by a business date without scanning
-- every event ever received (event_date <= as_of is exactly event_at before the end of as_of).
-- Incremental by received_date with the same lookback as int_events_attributed, whose
-- reprocessed days it mirrors.
{{ config(**date_window_config('received_date')) }}

with

int_events_attributed as (
    select * from {{ ref('int_events_attributed') }}
),

final as (
    select
        customer_key,
        received_date,
        event_date,
        max(event_at) as last_event_at,
        count(*) as event_count
    from int_events_attributed
    where
        customer_key is not null
        and is_analytics_allowed
        and received_date >= {{ incremental_window_start('received_date') }}
    group by customer_key, received_date, event_date
)

select * from final
