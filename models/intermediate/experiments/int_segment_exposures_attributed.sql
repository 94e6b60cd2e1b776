-- One row per logged segment exposure (event segment_exposed of a known customer, the first per
-- customer, segment and campaign), received by the business date, with the arm and
-- consent_version the exposure recorded, whether the segment's required purpose was allowed at
-- the moment of exposure, and the conversion attributed to it: an order (any status) placed in
-- (exposed_at, exposed_at + attribution_window_days]. The window is anchored at the exposure,
-- so later membership changes cannot move a past result. An exposure whose consent did not
-- allow the purpose is a compliance violation: kept here with its issue, never read out.
-- Incremental by exposure_date: each run recomputes the exposures of the last
-- attribution_window_days + event_lookback_days days (their conversion windows may still be
-- open, or their events may still arrive late); older exposures are final and kept. An
-- exposure received later than that after it happened needs a --full-refresh.
{%- set lookback_days = var('attribution_window_days') + var('event_lookback_days', 3) %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_reprocessed_days('exposure_date', " ~ lookback_days ~ ") }}",
    post_hook="{{ purge_erased_customers() }}"
) }}

with

int_events_attributed as (
    select * from {{ ref('int_events_attributed') }}
),

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

int_consent_periods_derived as (
    select * from {{ ref('int_consent_periods_derived') }}
),

int_orders_valued as (
    select * from {{ ref('int_orders_valued') }}
),

exposure_events as (
    select
        event_id as exposure_id,
        customer_key,
        segment_id,
        campaign_id,
        experiment_variant,
        consent_version,
        event_at as exposed_at,
        row_number() over (
            partition by customer_key, segment_id, campaign_id
            order by event_at, event_id
        ) as exposure_rank
    from int_events_attributed
    where
        event_type = 'segment_exposed'
        and customer_key is not null
        and segment_id is not null
        and event_at >= {{ incremental_window_start('exposure_date', lookback_days) }}
),

first_exposures as (
    select
        * exclude (exposure_rank),
        cast(exposed_at as date) as exposure_date,
        exposed_at + to_days({{ var('attribution_window_days') }}) as window_ends_at
    from exposure_events
    where exposure_rank = 1
),

{% if is_incremental() -%}
-- (customer, segment, campaign) already exposed before the window: their first exposure is kept
earlier_exposures as (
    select distinct
        customer_key,
        segment_id,
        campaign_id
    from {{ this }}
    where exposure_date < {{ incremental_window_start('exposure_date', lookback_days) }}
),

new_exposures as (
    select first_exposures.*
    from first_exposures
    left join earlier_exposures
        on
            first_exposures.customer_key = earlier_exposures.customer_key
            and first_exposures.segment_id = earlier_exposures.segment_id
            and first_exposures.campaign_id is not distinct from earlier_exposures.campaign_id
    where earlier_exposures.customer_key is null
),
{% else %}
    new_exposures as (
        select * from first_exposures
    ),
{% endif %}

with_purpose as (
    select
        new_exposures.*,
        int_segment_versions_validated.segment_version,
        int_segment_versions_validated.required_purpose
    from new_exposures
    left join int_segment_versions_validated
        on
            new_exposures.segment_id = int_segment_versions_validated.segment_id
            and {{ is_valid_at(
                'new_exposures.exposure_date',
                'int_segment_versions_validated.valid_from',
                'int_segment_versions_validated.valid_to'
            ) }}
),

with_consent as (
    select
        with_purpose.*,
        coalesce(int_consent_periods_derived.is_allowed, false) as is_purpose_allowed
    from with_purpose
    left join int_consent_periods_derived
        on
            with_purpose.customer_key = int_consent_periods_derived.customer_key
            and with_purpose.required_purpose = int_consent_periods_derived.consent_purpose
            and {{ is_valid_at(
                'with_purpose.exposed_at',
                'int_consent_periods_derived.valid_from',
                'int_consent_periods_derived.valid_to'
            ) }}
),

conversions as (
    select
        with_consent.exposure_id,
        count(int_orders_valued.order_id) as orders_in_window,
        coalesce(sum(int_orders_valued.net_amount_usd), 0) as net_revenue_in_window_usd
    from with_consent
    left join int_orders_valued
        on
            with_consent.customer_key = int_orders_valued.customer_key
            and int_orders_valued.ordered_at >= {{ incremental_window_start('exposure_date', lookback_days) }}
            and with_consent.exposed_at < int_orders_valued.ordered_at
            and with_consent.window_ends_at >= int_orders_valued.ordered_at
    group by with_consent.exposure_id
),

final as (
    select
        with_consent.exposure_id,
        with_consent.customer_key,
        with_consent.segment_id,
        with_consent.segment_version,
        with_consent.campaign_id,
        with_consent.experiment_variant,
        with_consent.consent_version,
        with_consent.required_purpose,
        with_consent.is_purpose_allowed,
        case
            when with_consent.segment_version is null then 'segment not in the registry'
            when not with_consent.is_purpose_allowed
                then with_consent.required_purpose || ' not allowed at exposure'
            when with_consent.experiment_variant not in ('treatment', 'holdout')
                then 'unknown experiment variant'
        end as compliance_issue,
        conversions.orders_in_window > 0 as has_converted,
        conversions.orders_in_window,
        conversions.net_revenue_in_window_usd,
        with_consent.window_ends_at <= {{ as_of_end_timestamp() }} as is_window_complete,
        with_consent.exposure_date,
        with_consent.exposed_at,
        with_consent.window_ends_at
    from with_consent
    inner join conversions
        on with_consent.exposure_id = conversions.exposure_id
)

select * from final
