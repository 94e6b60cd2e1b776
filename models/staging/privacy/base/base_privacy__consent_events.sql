-- All raw consent rows, parsed and checked, with their disposition. Consent fails closed: no
-- defect of a row may turn a withdrawal, denial or GPC signal into an allowed state.
--   A grant is proof of consent only under a notice published for its jurisdiction on or
--   before the grant (seeds consent_versions, privacy_regimes.notice_jurisdiction): a grant
--   under a missing, undeclared, foreign or not yet published notice is quarantined. A GPC
--   signal only ever opts out: one recorded as 'granted' is read as 'withdrawn'.
--   A choice that is not a grant is kept wherever it can be attributed (known customer,
--   purpose and time): an unexpected or missing status is read as 'withdrawn', a missing
--   event id is derived from the row's content, an unknown source or jurisdiction is set to
--   null, and its consent_version is not required; each repair is listed in value_issues.
--   Rows sharing a consent_event_id with different content are a conflict: the most
--   protective (withdrawn, denied, granted), then the latest, keeps the id (disposition);
--   the other withdrawals and denials are staged under derived ids, the grants dropped.
-- Conflicting choices at the same instant under different ids are valid rows (resolved
-- downstream, most protective first).
with

source as (
    select * from {{ raw_source('privacy', 'consent_events') }}
),

consent_versions as (
    select * from {{ ref('consent_versions') }}
),

privacy_regimes as (
    select * from {{ ref('privacy_regimes') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ staged_columns('privacy', 'consent_events') }}
    from source
),

classified as (
    select
        *,
        coalesce(consent_status = 'granted' and coalesce(consent_source, '') <> 'gpc_signal', false)
            as is_grant,
        {{ content_hash(staged_content('privacy', 'consent_events')) }} as content_hash,
        {{ is_erased_customer('customer_id') }} as is_erased
    from parsed
),

-- the notice a grant claims, if it was published for the grant's jurisdiction
grant_notices as (
    select
        classified.source_file,
        classified.source_row_number,
        consent_versions.consent_version is not null as is_declared,
        consent_versions.jurisdiction = privacy_regimes.notice_jurisdiction as is_for_jurisdiction,
        consent_versions.published_on <= cast(classified.recorded_at as date) as is_published
    from classified
    left join consent_versions
        on classified.consent_version = consent_versions.consent_version
    left join privacy_regimes
        on classified.jurisdiction = privacy_regimes.privacy_region
    where classified.is_grant
),

checked as (
    select
        classified.*,
        {% set sources = staged_accepted_values('privacy', 'consent_events', 'consent_source') -%}
        {% set jurisdictions = staged_accepted_values('privacy', 'consent_events', 'jurisdiction') -%}
        {{ quarantine_reason([
            "case when classified.is_grant then " ~ check_identifier('consent_event_id') ~ " end",
            check_identifier('customer_id'),
            check_accepted('consent_purpose', consent_purposes()),
            "case when classified.is_grant then coalesce("
                ~ check_accepted('consent_source', sources) ~ ", "
                ~ check_accepted('jurisdiction', jurisdictions) ~ ", "
                ~ "case when consent_version is null then 'grant without consent_version'"
                ~ " when not grant_notices.is_declared then 'grant under an undeclared consent_version'"
                ~ " when not grant_notices.is_for_jurisdiction then 'grant under a notice of another jurisdiction'"
                ~ " when not grant_notices.is_published then 'grant before its notice was published' end) end",
            check_timestamp('recorded_at'),
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
        ]) }} as quarantine_reason,
        nullif(concat_ws(
            '; ',
            case
                when not classified.is_grant and classified.consent_status is null
                    then 'missing consent_status read as withdrawn'
                when not classified.is_grant and classified.consent_status = 'granted'
                    then 'grant carried by a gpc_signal read as withdrawn'
                when not classified.is_grant
                    and classified.consent_status not in ('denied', 'withdrawn')
                    then 'unexpected consent_status read as withdrawn'
            end,
            case
                when not classified.is_grant and classified.consent_event_id is null
                    then 'missing consent_event_id derived from content'
            end,
            case
                when not classified.is_grant
                    then {{ check_accepted('consent_source', sources, required=false) }}
            end,
            case
                when not classified.is_grant
                    then {{ check_accepted('jurisdiction', jurisdictions, required=false) }}
            end
        ), '') as value_issues
    from classified
    left join grant_notices
        on
            classified.source_file = grant_notices.source_file
            and classified.source_row_number = grant_notices.source_row_number
),

repaired as (
    select
        source_file,
        source_row_number,
        coalesce(consent_event_id, 'derived-' || content_hash) as consent_event_id,
        customer_id,
        consent_purpose,
        case
            when is_grant or consent_status in ('denied', 'withdrawn') then consent_status
            else 'withdrawn'
        end as consent_status,
        consent_version,
        case
            when consent_source in ({{ sql_in_list(sources) }}) then consent_source
        end as consent_source,
        case when jurisdiction in ({{ sql_in_list(jurisdictions) }}) then jurisdiction end
            as jurisdiction,
        recorded_at,
        quarantine_reason,
        value_issues,
        content_hash,
        is_erased
    from checked
),

disposed as (
    select
        *,
        -- a conflict never loses a protective choice: withdrawn, then denied, then granted
        {{ disposition(
            ['consent_event_id'],
            "case consent_status when 'withdrawn' then 1 when 'denied' then 2 else 3 end, "
            ~ "recorded_at desc",
            erased='is_erased'
        ) }} as disposition
    from repaired
),

-- a withdrawal or denial that loses its id to another row (of another customer, purpose or
-- instant: the kept row is then protective too) is still a choice of its customer
conflicts_flagged as (
    select
        *,
        disposition = 'conflict' and consent_status <> 'granted' as is_protective_conflict
    from disposed
),

-- such a choice is staged under an id derived from its content and listed in value_issues;
-- only grants are dropped as conflicts
final as (
    select
        source_file,
        source_row_number,
        case
            when is_protective_conflict
                then consent_event_id || '-conflict-' || content_hash
            else consent_event_id
        end as consent_event_id,
        customer_id,
        consent_purpose,
        consent_status,
        consent_version,
        consent_source,
        jurisdiction,
        recorded_at,
        quarantine_reason,
        case
            when is_protective_conflict
                then concat_ws(
                        '; ',
                        value_issues,
                        'consent_event_id shared with other content: staged under a derived id'
                    )
            else value_issues
        end as value_issues,
        content_hash,
        is_erased,
        case when is_protective_conflict then 'staged' else disposition end as disposition
    from conflicts_flagged
)

select * from final
