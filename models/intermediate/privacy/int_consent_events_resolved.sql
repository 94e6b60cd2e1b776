-- One consent choice per (customer, purpose, instant), known as of the run's business date.
-- A Global Privacy Control signal is an opt-out of sale_sharing and, where its notice version
-- says so (consent_versions.gpc_opts_out_personalization, or when the notice is unknown), of
-- personalization too. Conflicting
-- choices at the same instant resolve to the most protective status (withdrawn, then denied,
-- then granted), ties broken by consent_event_id, so the result is deterministic.
with

consent_events as (
    select * from {{ ref('stg_privacy__consent_events') }}
),

consent_versions as (
    select * from {{ ref('consent_versions') }}
),

known_events as (
    select *
    from consent_events
    where recorded_at < {{ as_of_end_timestamp() }}
),

gpc_personalization_opt_outs as (
    select
        known_events.consent_event_id,
        known_events.customer_key,
        'personalization' as consent_purpose,
        'withdrawn' as consent_status,
        known_events.consent_version,
        known_events.consent_source,
        known_events.jurisdiction,
        known_events.is_gpc_signal,
        known_events.recorded_at
    from known_events
    left join consent_versions
        on known_events.consent_version = consent_versions.consent_version
    where
        known_events.is_gpc_signal
        and known_events.consent_purpose = 'sale_sharing'
        and known_events.consent_status in ('withdrawn', 'denied')
        -- fails closed: a signal under an unknown or no notice opts out of personalization too
        and coalesce(consent_versions.gpc_opts_out_personalization, true)
),

all_choices as (
    select
        consent_event_id,
        customer_key,
        consent_purpose,
        consent_status,
        consent_version,
        consent_source,
        jurisdiction,
        is_gpc_signal,
        recorded_at
    from known_events
    union all
    select * from gpc_personalization_opt_outs
),

ranked as (
    select
        *,
        count(*) over (
            partition by customer_key, consent_purpose, recorded_at
        ) as choices_at_instant,
        row_number() over (
            partition by customer_key, consent_purpose, recorded_at
            order by
                case consent_status when 'withdrawn' then 1 when 'denied' then 2 else 3 end,
                consent_event_id
        ) as protection_rank
    from all_choices
),

final as (
    select
        consent_event_id,
        customer_key,
        consent_purpose,
        consent_status,
        consent_version,
        consent_source,
        jurisdiction,
        choices_at_instant,
        is_gpc_signal,
        choices_at_instant > 1 as had_conflict,
        recorded_at
    from ranked
    where protection_rank = 1
)

select * from final
