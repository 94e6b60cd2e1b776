-- Per segment and business day recorded in segment_history: how many customers entered and
-- left, how many changed arm or version, the segment version in force that day with its author
-- and definition hash, and the consent versions of the customers involved. Days with no change
-- have a row with zeros, so an auditor sees that the segment was evaluated.
with

segment_history as (
    select * from {{ ref('segment_history') }}
),

segment_registry_history as (
    select * from {{ ref('segment_registry_history') }}
),

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

run_days as (
    select distinct cast(dbt_valid_from as date) as change_date
    from customer_features_history
),

registry_versions as (
    select *
    from segment_registry_history
    where dbt_valid_to is null
),

opened as (
    select
        segment_id,
        customer_key,
        cast(dbt_valid_from as date) as change_date,
        consent_version
    from segment_history
),

closed as (
    select
        segment_id,
        customer_key,
        cast(dbt_valid_to as date) as change_date,
        consent_version
    from segment_history
    where dbt_valid_to is not null
),

changes as (
    select
        coalesce(opened.segment_id, closed.segment_id) as segment_id,
        coalesce(opened.change_date, closed.change_date) as change_date,
        coalesce(opened.customer_key, closed.customer_key) as customer_key,
        case
            when closed.customer_key is null then 'entered'
            when opened.customer_key is null then 'exited'
            else 'changed'
        end as change_type,
        coalesce(opened.consent_version, closed.consent_version) as consent_version
    from opened
    full outer join closed
        on
            opened.segment_id = closed.segment_id
            and opened.customer_key = closed.customer_key
            and opened.change_date = closed.change_date
),

daily_changes as (
    select
        segment_id,
        change_date,
        count(*) filter (where change_type = 'entered') as customers_entered,
        count(*) filter (where change_type = 'exited') as customers_exited,
        count(*) filter (where change_type = 'changed') as customers_changed,
        {{ distinct_sorted_list('consent_version', ', ') }} as consent_versions_involved
    from changes
    group by segment_id, change_date
),

segment_days as (
    select
        registry_versions.segment_id,
        registry_versions.segment_version,
        registry_versions.definition_hash,
        registry_versions.author,
        registry_versions.change_reason,
        run_days.change_date
    from run_days
    inner join registry_versions
        on
            run_days.change_date >= registry_versions.valid_from
            and (
                registry_versions.valid_to is null
                or run_days.change_date < registry_versions.valid_to
            )
),

final as (
    select
        segment_days.segment_id,
        segment_days.change_date,
        segment_days.segment_version,
        segment_days.definition_hash,
        segment_days.author as version_author,
        segment_days.change_reason as version_change_reason,
        coalesce(daily_changes.customers_entered, 0) as customers_entered,
        coalesce(daily_changes.customers_exited, 0) as customers_exited,
        coalesce(daily_changes.customers_changed, 0) as customers_changed,
        daily_changes.consent_versions_involved
    from segment_days
    left join daily_changes
        on
            segment_days.segment_id = daily_changes.segment_id
            and segment_days.change_date = daily_changes.change_date
)

select * from final
