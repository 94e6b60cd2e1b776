-- One row per event, device, session and customer pseudonymized, the properties the project
-- uses unpacked from the JSON: the staged rows of the incremental base table (a view, so the
-- events are validated and keyed once, when their delivery is loaded).
with

base_events as (
    select * from {{ ref('base_tracking__events') }}
),

final as (
    select
        event_id,
        anonymous_key,
        customer_key,
        session_key,
        product_id,
        order_id,
        segment_id,
        campaign_id,
        experiment_variant,
        consent_version,
        event_type,
        platform,
        event_at,
        received_at,
        cast(event_at as date) as event_date,
        delivered_date
    from base_events
    where disposition = 'staged'
)

select * from final
