-- One row per event, device, session and customer pseudonymized, the properties the project
-- uses unpacked from the JSON.
with

base_events as (
    select * from {{ ref('base_tracking__events') }}
),

final as (
    select
        event_id,
        {{ pseudonymize('anonymous_id') }} as anonymous_key,
        {{ pseudonymize('customer_id') }} as customer_key,
        {{ pseudonymize('session_id') }} as session_key,
        product_id,
        json_extract_string(properties, '$.order_id') as order_id,
        json_extract_string(properties, '$.segment_id') as segment_id,
        json_extract_string(properties, '$.campaign_id') as campaign_id,
        lower(json_extract_string(properties, '$.variant')) as experiment_variant,
        lower(json_extract_string(properties, '$.consent_version')) as consent_version,
        event_type,
        platform,
        event_at,
        received_at,
        cast(event_at as date) as event_date
    from base_events
    where disposition = 'staged'
)

select * from final
