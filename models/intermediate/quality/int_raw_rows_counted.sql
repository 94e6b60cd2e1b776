-- One row per raw table, disposition and reason: how many raw rows staging logged so (the
-- quarantine logs of every source), and one row per raw table with disposition staged and the
-- rows it staged. Every raw row is counted once under staged or a disposition that is not
-- staged (repaired and flagged rows are staged and logged besides), as test rows_reconcile
-- reconciles them with the raw files.
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

logged_counts as (
    select
        source_name,
        source_table,
        disposition,
        reason,
        count(*) as raw_rows
    from logged_rows
    group by source_name, source_table, disposition, reason
),

final as (
    select
        source_name,
        source_table,
        'staged' as disposition,
        'staged' as reason,
        staged_rows as raw_rows
    from staged_counts
    union all
    select * from logged_counts
)

select * from final
