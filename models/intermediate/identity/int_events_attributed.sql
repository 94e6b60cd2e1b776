-- One row per event received by the end of the business date, attributed to a customer by
-- deterministic rules (no probabilistic matching, no device fingerprints):
--   logged_in      the event carries the logged-in customer's key;
--   session_login  an anonymous event of a session in which a customer logged in (the
--                  session's first login), only if that customer allowed analytics at the time
--                  of the event, and only with logins received within var event_lookback_days
--                  days of the event's receipt (so a daily incremental run gives exactly what a
--                  full rebuild gives);
--   null           otherwise (anonymous).
-- With the customer's analytics and personalization consent at the time of the event.
-- Incremental by received_date: each run reprocesses the last event_lookback_days days.
{{ config(**date_window_config('received_date')) }}

with

-- not materialized: referenced several times, DuckDB would otherwise copy every event
-- into a temporary result before filtering (the filters are pushed into each scan)
events as {{ cte_not_materialized() }} (
    select * from {{ ref('stg_tracking__events') }}
),

consent_periods as (
    select * from {{ ref('int_consent_periods_derived') }}
),

window_events as (
    select *
    from events
    where
        received_at < {{ as_of_end_timestamp() }}
        and received_at >= {{ incremental_window_start('received_date') }}
),

logins as (
    select
        session_key,
        customer_key,
        event_id as login_event_id,
        event_at as login_at,
        received_at as login_received_at
    from events
    where
        event_type = 'login'
        and customer_key is not null
        and received_at < {{ as_of_end_timestamp() }}
        and received_at >= {{ incremental_window_start('received_date') }}
        - {{ interval_of(var('event_lookback_days', 3), 'day') }}
),

session_logins as (
    select
        window_events.event_id,
        logins.customer_key,
        row_number() over (
            partition by window_events.event_id order by logins.login_at, logins.login_event_id
        ) as login_rank
    from window_events
    inner join logins
        on
            window_events.session_key = logins.session_key
            and logins.login_received_at
            <= window_events.received_at + {{ interval_of(var('event_lookback_days', 3), 'day') }}
    where window_events.customer_key is null
),

candidates as (
    select
        window_events.*,
        coalesce(window_events.customer_key, session_logins.customer_key) as candidate_key
    from window_events
    left join session_logins
        on window_events.event_id = session_logins.event_id and session_logins.login_rank = 1
),

with_consent as (
    select
        candidates.*,
        coalesce(analytics.is_allowed, false) as is_analytics_allowed,
        coalesce(personalization.is_allowed, false) as is_personalization_allowed
    from candidates
    left join consent_periods as analytics
        on
            candidates.candidate_key = analytics.customer_key
            and analytics.consent_purpose = 'analytics'
            and {{ is_valid_at('candidates.event_at', 'analytics.valid_from', 'analytics.valid_to') }}
    left join consent_periods as personalization
        on
            candidates.candidate_key = personalization.customer_key
            and personalization.consent_purpose = 'personalization'
            and {{ is_valid_at(
                'candidates.event_at', 'personalization.valid_from', 'personalization.valid_to'
            ) }}
),

final as (
    select
        event_id,
        case
            when customer_key is not null then customer_key
            when candidate_key is not null and is_analytics_allowed then candidate_key
        end as customer_key,
        anonymous_key,
        session_key,
        product_id,
        order_id,
        segment_id,
        campaign_id,
        experiment_variant,
        consent_version,
        event_type,
        case
            when customer_key is not null then 'logged_in'
            when candidate_key is not null and is_analytics_allowed then 'session_login'
        end as attribution_rule,
        platform,
        is_analytics_allowed and candidate_key is not null as is_analytics_allowed,
        is_personalization_allowed and candidate_key is not null as is_personalization_allowed,
        event_date,
        cast(received_at as date) as received_date,
        event_at,
        received_at
    from with_consent
)

select * from final
