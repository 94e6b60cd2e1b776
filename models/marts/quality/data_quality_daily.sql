-- One row per business day, raw table, disposition and reason: the quarantine log of every
-- source as the day's build left it, with the table's raw row count (staged rows plus the rows
-- not staged, as test rows_reconcile reconciles them), so a reader sees each reason's share of
-- what arrived. A table with nothing logged has one row (disposition clean). Incremental: a
-- daily run records its business day (and replaces it when the day is run again), so the rows
-- of earlier days keep what their builds found.
{{ config(**date_window_config('as_of_date', 0, from_newest_loaded=false, purge_erased=false)) }}

with

stg_shop__quarantined_rows as (
    select * from {{ ref('stg_shop__quarantined_rows') }}
),

stg_tracking__quarantined_rows as (
    select * from {{ ref('stg_tracking__quarantined_rows') }}
),

stg_privacy__quarantined_rows as (
    select * from {{ ref('stg_privacy__quarantined_rows') }}
),

stg_survey__quarantined_rows as (
    select * from {{ ref('stg_survey__quarantined_rows') }}
),

stg_shop__customers as (
    select * from {{ ref('stg_shop__customers') }}
),

stg_shop__products as (
    select * from {{ ref('stg_shop__products') }}
),

stg_shop__orders as (
    select * from {{ ref('stg_shop__orders') }}
),

stg_shop__order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

stg_shop__returns as (
    select * from {{ ref('stg_shop__returns') }}
),

stg_tracking__events as (
    select * from {{ ref('stg_tracking__events') }}
),

stg_privacy__consent_events as (
    select * from {{ ref('stg_privacy__consent_events') }}
),

stg_privacy__deletion_requests as (
    select * from {{ ref('stg_privacy__deletion_requests') }}
),

stg_survey__survey_responses as (
    select * from {{ ref('stg_survey__survey_responses') }}
),

logged_rows as (
    select
        'shop' as source_name,
        source_table,
        disposition,
        reason
    from stg_shop__quarantined_rows
    union all
    select
        'tracking' as source_name,
        source_table,
        disposition,
        reason
    from stg_tracking__quarantined_rows
    union all
    select
        'privacy' as source_name,
        source_table,
        disposition,
        reason
    from stg_privacy__quarantined_rows
    union all
    select
        'survey' as source_name,
        source_table,
        disposition,
        reason
    from stg_survey__quarantined_rows
),

staged_counts as (
    select
        'shop' as source_name,
        'customers' as source_table,
        count(*) as staged_rows
    from stg_shop__customers
    union all
    select
        'shop' as source_name,
        'products' as source_table,
        count(*) as staged_rows
    from stg_shop__products
    union all
    select
        'shop' as source_name,
        'orders' as source_table,
        count(*) as staged_rows
    from stg_shop__orders
    union all
    select
        'shop' as source_name,
        'order_items' as source_table,
        count(*) as staged_rows
    from stg_shop__order_items
    union all
    select
        'shop' as source_name,
        'returns' as source_table,
        count(*) as staged_rows
    from stg_shop__returns
    union all
    select
        'tracking' as source_name,
        'events' as source_table,
        count(*) as staged_rows
    from stg_tracking__events
    union all
    select
        'privacy' as source_name,
        'consent_events' as source_table,
        count(*) as staged_rows
    from stg_privacy__consent_events
    union all
    select
        'privacy' as source_name,
        'deletion_requests' as source_table,
        count(*) as staged_rows
    from stg_privacy__deletion_requests
    union all
    select
        'survey' as source_name,
        'survey_responses' as source_table,
        count(*) as staged_rows
    from stg_survey__survey_responses
),

-- repaired and flagged rows were staged (with values set to null, or a flag): already counted
unstaged_counts as (
    select
        source_name,
        source_table,
        count(*) as unstaged_rows
    from logged_rows
    where disposition not in ('repaired', 'flagged')
    group by source_name, source_table
),

table_counts as (
    select
        staged_counts.source_name,
        staged_counts.source_table,
        staged_counts.staged_rows + coalesce(unstaged_counts.unstaged_rows, 0) as raw_rows
    from staged_counts
    left join unstaged_counts
        on
            staged_counts.source_name = unstaged_counts.source_name
            and staged_counts.source_table = unstaged_counts.source_table
),

reason_counts as (
    select
        source_name,
        source_table,
        disposition,
        reason,
        count(*) as logged_rows
    from logged_rows
    group by source_name, source_table, disposition, reason
),

logged_tables as (
    select distinct
        source_name,
        source_table
    from reason_counts
),

clean_tables as (
    select
        table_counts.source_name,
        table_counts.source_table,
        'clean' as disposition,
        'no rows logged' as reason,
        0 as logged_rows
    from table_counts
    left join logged_tables
        on
            table_counts.source_name = logged_tables.source_name
            and table_counts.source_table = logged_tables.source_table
    where logged_tables.source_table is null
),

counted as (
    select * from reason_counts
    union all
    select * from clean_tables
),

final as (
    select
        counted.source_name,
        counted.source_table,
        counted.disposition,
        counted.reason,
        cast(counted.logged_rows as bigint) as logged_rows,
        cast(table_counts.raw_rows as bigint) as raw_rows,
        {{ safe_divide('counted.logged_rows', 'table_counts.raw_rows') }} as share_of_raw_rows,
        {{ as_of_date() }} as as_of_date
    from counted
    inner join table_counts
        on
            counted.source_name = table_counts.source_name
            and counted.source_table = table_counts.source_table
)

select * from final
