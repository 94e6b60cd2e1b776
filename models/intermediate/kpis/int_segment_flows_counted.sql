-- One row per segment and KPI day after the first day of segment_history with members on the
-- day or the day before: members who entered, exited, and exited because the segment's
-- required purpose is no longer allowed on the day on a legal ground its lawful_basis accepts
-- (customer_features_history of the day).
with

segment_history as (
    select * from {{ ref('segment_history') }}
),

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

int_kpi_days_scheduled as (
    select * from {{ ref('int_kpi_days_scheduled') }}
),

int_segment_members_dated as (
    select * from {{ ref('int_segment_members_dated') }}
),

history_start as (
    select min(cast(dbt_valid_from as date)) as first_day from segment_history
),

today as (
    select int_segment_members_dated.*
    from int_segment_members_dated
    inner join int_kpi_days_scheduled
        on int_segment_members_dated.member_date = int_kpi_days_scheduled.kpi_date
),

yesterday as (
    select
        int_segment_members_dated.*,
        int_kpi_days_scheduled.kpi_date
    from int_segment_members_dated
    inner join int_kpi_days_scheduled
        on int_segment_members_dated.member_date = int_kpi_days_scheduled.day_before_date
),

transitions as (
    select
        coalesce(today.member_date, yesterday.kpi_date) as kpi_date,
        coalesce(today.segment_id, yesterday.segment_id) as segment_id,
        coalesce(today.customer_key, yesterday.customer_key) as customer_key,
        today.customer_key is not null as is_member,
        yesterday.customer_key is not null as was_member,
        yesterday.required_purpose,
        yesterday.lawful_basis
    from today
    full outer join yesterday
        on
            today.member_date = yesterday.kpi_date
            and today.segment_id = yesterday.segment_id
            and today.customer_key = yesterday.customer_key
),

final as (
    select
        transitions.segment_id,
        transitions.kpi_date,
        count(*) filter (where transitions.is_member and not transitions.was_member)
            as members_entered,
        count(*) filter (where transitions.was_member and not transitions.is_member)
            as members_exited,
        count(*) filter (
            where
            transitions.was_member and not transitions.is_member
            and not (
                coalesce({{ purpose_allowed('transitions.required_purpose', 'features') }}, false)
                and {{ legal_ground_suffices(
                    'transitions.lawful_basis',
                    purpose_column('transitions.required_purpose', 'features', 'legal_ground')
                ) }}
            )
        ) as members_opted_out
    from transitions
    left join customer_features_history as features
        on
            transitions.customer_key = features.customer_key
            and transitions.kpi_date >= features.dbt_valid_from
            and (features.dbt_valid_to is null or transitions.kpi_date < features.dbt_valid_to)
    where transitions.kpi_date > (select history_start.first_day from history_start)
    group by transitions.segment_id, transitions.kpi_date
)

select * from final
