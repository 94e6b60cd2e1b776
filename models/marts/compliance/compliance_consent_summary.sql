-- Consent choices recorded by the business date, by purpose, privacy region and its regime,
-- source (Global Privacy Control included) and consent_version: how many choices of each status,
-- and the share that were opt-outs (denied or withdrawn) and withdrawals; with the customers of
-- that region whose purpose is allowed at the end of the business date.
with

int_consent_events_resolved as (
    select * from {{ ref('int_consent_events_resolved') }}
),

int_consent_periods_derived as (
    select * from {{ ref('int_consent_periods_derived') }}
),

customer_regions as (
    select distinct
        customer_key,
        privacy_region,
        consent_model
    from int_consent_periods_derived
),

choices as (
    select
        int_consent_events_resolved.consent_purpose,
        customer_regions.privacy_region,
        customer_regions.consent_model,
        int_consent_events_resolved.consent_source,
        coalesce(int_consent_events_resolved.consent_version, 'none') as consent_version,
        count(*) as choices,
        count(*) filter (where int_consent_events_resolved.consent_status = 'granted') as grant_choices,
        count(*) filter (where int_consent_events_resolved.consent_status = 'denied') as denials,
        count(*) filter (where int_consent_events_resolved.consent_status = 'withdrawn')
            as withdrawals,
        count(*) filter (where int_consent_events_resolved.is_gpc_signal) as gpc_signals,
        count(distinct int_consent_events_resolved.customer_key) as customers
    from int_consent_events_resolved
    inner join customer_regions
        on int_consent_events_resolved.customer_key = customer_regions.customer_key
    group by all
),

allowed_now as (
    select
        consent_purpose,
        privacy_region,
        count(*) filter (where is_allowed) as customers_allowed,
        count(*) as customers_known
    from int_consent_periods_derived
    where {{ is_valid_at(as_of_end_timestamp() ~ " - interval 1 microsecond") }}
    group by all
),

final as (
    select
        choices.consent_purpose,
        choices.privacy_region,
        choices.consent_model,
        choices.consent_source,
        choices.consent_version,
        choices.choices,
        choices.grant_choices,
        choices.denials,
        choices.withdrawals,
        choices.gpc_signals,
        choices.customers,
        {{ safe_divide('choices.denials + choices.withdrawals', 'choices.choices') }} as opt_out_rate,
        {{ safe_divide('choices.withdrawals', 'choices.choices') }} as withdrawal_rate,
        allowed_now.customers_allowed as region_customers_allowed,
        allowed_now.customers_known as region_customers_known,
        {{ as_of_date() }} as as_of_date
    from choices
    left join allowed_now
        on
            choices.consent_purpose = allowed_now.consent_purpose
            and choices.privacy_region = allowed_now.privacy_region
)

select * from final
