-- One row per logged segment exposure (event segment_exposed: the first per customer, segment
-- and campaign; every one without a customer key or a segment_id), received by the business
-- date, with the arm and consent_version the exposure recorded, the legal ground of the
-- customer for the segment's required purpose at the moment of exposure and the notice or
-- consent version it was processed under (macros legal_ground, legal_ground_version), and the
-- conversion attributed to it: an order (any status) placed in (exposed_at, exposed_at +
-- attribution_window_days]. The window is anchored at the exposure, so later membership
-- changes cannot move a past result. A malformed exposure or one without a sufficient legal
-- ground is kept here with every issue (compliance_issue, a closed list of codes: doc block
-- exposure_compliance_issue), never read out; bad exposure data never stops the build.
-- Incremental by exposure_date: each run recomputes the exposures of the last
-- attribution_window_days + event_lookback_days days (their conversion windows may still be
-- open, or their events may still arrive late); older exposures are final and kept. An
-- exposure received later than that after it happened needs a --full-refresh.
{%- set lookback_days = var('attribution_window_days') + var('event_lookback_days', 3) %}
{{ config(**date_window_config('exposure_date', lookback_days)) }}

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

int_privacy_notices_sequenced as (
    select * from {{ ref('int_privacy_notices_sequenced') }}
),

consent_versions as (
    select * from {{ ref('consent_versions') }}
),

privacy_regimes as (
    select * from {{ ref('privacy_regimes') }}
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
        -- an exposure without a customer key or a segment_id is its own row (a violation)
        row_number() over (
            partition by
                customer_key,
                segment_id,
                campaign_id,
                case when customer_key is null or segment_id is null then event_id end
            order by event_at, event_id
        ) as exposure_rank
    from int_events_attributed
    where
        event_type = 'segment_exposed'
        and event_at >= {{ incremental_window_start('exposure_date', lookback_days) }}
),

first_exposures as (
    select
        exposure_id,
        customer_key,
        segment_id,
        campaign_id,
        experiment_variant,
        consent_version,
        exposed_at,
        cast(exposed_at as date) as exposure_date,
        exposed_at + {{ interval_of(var('attribution_window_days'), 'day') }} as window_ends_at
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
        int_segment_versions_validated.required_purpose,
        int_segment_versions_validated.lawful_basis
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
        periods.privacy_region,
        {{ legal_ground('periods', 'notices') }} as legal_ground,
        {{ legal_ground_version('periods', 'notices') }} as legal_ground_version
    from with_purpose
    left join int_consent_periods_derived as periods
        on
            with_purpose.customer_key = periods.customer_key
            and with_purpose.required_purpose = periods.consent_purpose
            and {{ is_valid_at('with_purpose.exposed_at', 'periods.valid_from', 'periods.valid_to') }}
    left join int_privacy_notices_sequenced as notices
        on
            periods.privacy_region = notices.privacy_region
            and {{ is_valid_at('with_purpose.exposure_date', 'notices.valid_from', 'notices.valid_to') }}
),

-- the recorded version must be a notice published for the customer's jurisdiction by that day
with_declared_version as (
    select
        with_consent.*,
        consent_versions.consent_version is not null as is_consent_version_declared
    from with_consent
    left join privacy_regimes
        on with_consent.privacy_region = privacy_regimes.privacy_region
    left join consent_versions
        on
            with_consent.consent_version = consent_versions.consent_version
            and with_consent.exposure_date >= consent_versions.published_on
            and (
                privacy_regimes.notice_jurisdiction is null
                or privacy_regimes.notice_jurisdiction = consent_versions.jurisdiction
            )
),

checked as (
    select
        *,
        {{ quarantine_reason([
            "case when customer_key is null then 'anonymous_exposure' end",
            "case when segment_id is null then 'missing_segment_id'"
            ~ " when segment_version is null then 'unknown_segment' end",
            "case when experiment_variant is null then 'missing_variant'"
            ~ " when experiment_variant not in ('treatment', 'holdout') then 'unknown_variant' end",
            "case when consent_version is null then 'missing_consent_version'"
            ~ " when not is_consent_version_declared then 'undeclared_consent_version' end",
            "case when customer_key is null or segment_version is null then null"
            ~ " when legal_ground is null then 'purpose_not_allowed'"
            ~ " when not " ~ legal_ground_suffices('lawful_basis', 'legal_ground')
            ~ " then 'consent_basis_without_grant' end",
        ]) }} as compliance_issue
    from with_declared_version
),

conversions as (
    select
        checked.exposure_id,
        count(int_orders_valued.order_id) as orders_in_window,
        coalesce(sum(int_orders_valued.net_amount_usd), 0) as net_revenue_in_window_usd
    from checked
    left join int_orders_valued
        on
            checked.customer_key = int_orders_valued.customer_key
            and int_orders_valued.ordered_at >= {{ incremental_window_start('exposure_date', lookback_days) }}
            and checked.exposed_at < int_orders_valued.ordered_at
            and checked.window_ends_at >= int_orders_valued.ordered_at
    group by checked.exposure_id
),

final as (
    select
        checked.exposure_id,
        checked.customer_key,
        checked.segment_id,
        checked.segment_version,
        checked.campaign_id,
        checked.experiment_variant,
        checked.consent_version,
        checked.required_purpose,
        checked.lawful_basis,
        checked.legal_ground,
        checked.legal_ground_version,
        checked.compliance_issue,
        checked.legal_ground is not null as is_purpose_allowed,
        conversions.orders_in_window > 0 as has_converted,
        conversions.orders_in_window,
        conversions.net_revenue_in_window_usd,
        checked.window_ends_at <= {{ as_of_end_timestamp() }} as is_window_complete,
        checked.exposure_date,
        checked.exposed_at,
        checked.window_ends_at
    from checked
    inner join conversions
        on checked.exposure_id = conversions.exposure_id
)

select * from final
