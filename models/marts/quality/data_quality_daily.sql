-- One row per business day, raw table, disposition and reason: the quarantine log of every
-- source as the day's build left it, with the table's raw row count (staged rows plus the rows
-- not staged, as test rows_reconcile reconciles them), so a reader sees each reason's share of
-- what arrived. A table with nothing logged has one row (disposition clean). Incremental: a
-- daily run records its business day (and replaces it when the day is run again), so the rows
-- of earlier days keep what their builds found.
{{ config(**date_window_config('as_of_date', 0, from_newest_loaded=false, purge_erased=false)) }}

with

int_raw_rows_counted as (
    select * from {{ ref('int_raw_rows_counted') }}
),

-- repaired and flagged rows were staged (with values set to null, or a flag): counted there
table_counts as (
    select
        source_name,
        source_table,
        sum(raw_rows) filter (where disposition not in ('repaired', 'flagged')) as raw_rows,
        count(*) filter (where disposition <> 'staged') as logged_reasons
    from int_raw_rows_counted
    group by source_name, source_table
),

logged as (
    select
        source_name,
        source_table,
        disposition,
        reason,
        raw_rows as logged_rows
    from int_raw_rows_counted
    where disposition <> 'staged'
),

clean_tables as (
    select
        source_name,
        source_table,
        'clean' as disposition,
        'no rows logged' as reason,
        0 as logged_rows
    from table_counts
    where logged_reasons = 0
),

counted as (
    select * from logged
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
