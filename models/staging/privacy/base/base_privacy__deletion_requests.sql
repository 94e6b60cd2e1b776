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
        {{ staged_columns('privacy', 'deletion_requests') }}
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason(staged_checks('privacy', 'deletion_requests') + [
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason,
        {{ content_hash(staged_content('privacy', 'deletion_requests')) }} as content_hash
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
