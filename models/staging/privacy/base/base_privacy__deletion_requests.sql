-- All raw deletion-request rows, parsed and checked, with their disposition. A request with a
-- missing key, an unknown customer, an unparseable or implausible time, or a verification
-- before the request is quarantined (to be handled by hand: it is still a legal request).
-- Versions of one request_id that differ are a conflict: the verified one is kept.
with

source as (
    select * from {{ raw_source('privacy', 'deletion_requests') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('request_id') }} as request_id,
        {{ clean_identifier('customer_id') }} as customer_id,
        {{ clean_code('request_channel') }} as request_channel,
        {{ parse_timestamp('requested_at') }} as requested_at,
        {{ parse_timestamp('verified_at') }} as verified_at,
        cast(requested_at as varchar) as requested_at__raw,
        cast(verified_at as varchar) as verified_at__raw
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('request_id'),
            check_identifier('customer_id'),
            check_accepted('request_channel', ['web_form', 'email', 'support'], required=false),
            check_timestamp('requested_at'),
            check_timestamp('verified_at', required=false),
            check_order('requested_at', 'verified_at'),
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason,
        {{ content_hash([
            'request_id', 'customer_id', 'request_channel', 'requested_at', 'verified_at',
        ]) }} as content_hash
    from parsed
),

final as (
    select
        source_file,
        source_row_number,
        request_id,
        customer_id,
        request_channel,
        requested_at,
        verified_at,
        quarantine_reason,
        content_hash,
        -- a conflict never loses a verification: the verified version wins, then the earliest
        {{ disposition(
            ['request_id'], 'verified_at is null, verified_at, requested_at'
        ) }} as disposition
    from checked
)

select * from final
