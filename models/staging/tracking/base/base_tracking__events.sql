-- All raw event rows, parsed and checked, with their disposition. An event with a missing key
-- or device id, an unknown customer, an unexpected type, unparseable properties, an
-- unparseable, implausible or future time, or an event time after its receipt is quarantined.
-- Among copies of one event_id the first received is kept.
with

source as (
    select * from {{ raw_source('tracking', 'events') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('event_id') }} as event_id,
        {{ clean_identifier('anonymous_id') }} as anonymous_id,
        {{ clean_identifier('customer_id') }} as customer_id,
        {{ clean_identifier('session_id') }} as session_id,
        {{ clean_identifier('product_id') }} as product_id,
        {{ clean_code('event_type') }} as event_type,
        {{ clean_code('platform') }} as platform,
        nullif(trim(properties), '') as properties,
        {{ parse_timestamp('event_at') }} as event_at,
        {{ parse_timestamp('received_at') }} as received_at,
        cast(event_at as varchar) as event_at__raw,
        cast(received_at as varchar) as received_at__raw
    from source
),

properties_parsed as (
    select
        *,
        coalesce(json_valid(properties), true) as has_valid_properties
    from parsed
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('event_id'),
            check_identifier('anonymous_id'),
            check_accepted('event_type', [
                'page_view', 'product_view', 'add_to_cart', 'checkout_started', 'purchase',
                'email_open', 'email_click', 'login', 'search', 'segment_exposed'
            ]),
            check_accepted('platform', ['web', 'app'], required=false),
            "case when not has_valid_properties then 'unparseable properties' end",
            check_timestamp('event_at'),
            check_timestamp('received_at'),
            check_order('event_at', 'received_at', tolerance_hours=1),
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason
    from properties_parsed
),

final as (
    select
        source_file,
        source_row_number,
        event_id,
        anonymous_id,
        customer_id,
        session_id,
        product_id,
        event_type,
        platform,
        case when has_valid_properties then properties end as properties,
        event_at,
        received_at,
        quarantine_reason,
        {{ disposition(
            ['event_id'],
            'received_at, source_file, source_row_number'
        ) }} as disposition
    from checked
)

select * from final
