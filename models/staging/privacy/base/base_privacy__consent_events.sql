-- All raw consent rows, parsed and checked, with their disposition. A consent event with a
-- missing key, an unknown customer, an unexpected purpose, status, source or jurisdiction, a
-- missing consent_version or an unparseable, implausible or future time is quarantined.
-- Conflicting choices at the same instant are valid rows (resolved downstream).
with

source as (
    select * from {{ raw_source('privacy', 'consent_events') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('consent_event_id') }} as consent_event_id,
        {{ clean_identifier('customer_id') }} as customer_id,
        {{ clean_code('purpose') }} as consent_purpose,
        {{ clean_code('status') }} as consent_status,
        nullif(lower(trim(consent_version)), '') as consent_version,
        {{ clean_code('source') }} as consent_source,
        replace({{ clean_code('jurisdiction') }}, '-', '_') as jurisdiction,
        {{ parse_timestamp('recorded_at') }} as recorded_at,
        cast(recorded_at as varchar) as recorded_at__raw
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('consent_event_id'),
            check_identifier('customer_id'),
            check_accepted('consent_purpose', ['analytics', 'personalization', 'marketing_email', 'sale_sharing']),
            check_accepted('consent_status', ['granted', 'denied', 'withdrawn']),
            "case when consent_version is null then 'missing consent_version' end",
            check_accepted('consent_source', ['banner', 'account_settings', 'gpc_signal', 'support_request', 'checkout']),
            check_accepted('jurisdiction', ['eu', 'uk', 'us_ca', 'us_other', 'other']),
            check_timestamp('recorded_at'),
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason
    from parsed
),

final as (
    select
        source_file,
        source_row_number,
        consent_event_id,
        customer_id,
        consent_purpose,
        consent_status,
        consent_version,
        consent_source,
        jurisdiction,
        recorded_at,
        quarantine_reason,
        {{ disposition(['consent_event_id'], 'source_file, source_row_number') }} as disposition
    from checked
)

select * from final
