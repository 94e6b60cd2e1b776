{#- Data test: no raw row is lost or counted twice by staging, and no raw table is rejected
    wholesale. For the raw table source_name.table_name it counts the raw rows straight from
    the file, the staged rows in the model under test and the other dispositions in the
    source's quarantine log, and stops the build with a message carrying every count when
      raw rows <> staged + quarantined + duplicates + superseded + conflicts + deleted,
    when a quarantine entry points at no raw row or two entries at one row, or when the share
    of rejected rows (quarantined or conflict) is abnormal: above var max_reject_share_required
    for a required table, above var max_reject_share for any table. That message names the
    table, the share and the top reasons; with var reject_share_severity: warn the share is
    returned as a failing row instead (the test then only warns, if configured so).

    Arguments:
      model: the staging model (rows it holds count as staged)
      source_name, table_name: the raw table, as in source()
      quarantine_model: the source's quarantine log model
-#}
{% test rows_reconcile(model, source_name, table_name, quarantine_model) %}

{%- set label = source_name ~ '.' ~ table_name -%}
{%- set is_required = true -%}
{%- if execute -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set is_required = not node.meta.get('optional', false) -%}
{%- endif -%}
{%- set limit = (var('max_reject_share_required') if is_required else var('max_reject_share')) | float -%}
{%- set severity = var('reject_share_severity', 'error') -%}
{%- if severity not in ('error', 'warn') -%}
    {{- exceptions.raise_compiler_error(
        "dbt var reject_share_severity must be 'error' or 'warn', got '" ~ severity ~ "'"
    ) -}}
{%- endif -%}

{#- the share failure is the only row this test returns (the others raise): its severity -#}
{{ config(severity=severity) }}

{% set failures_sql %}
with

raw_files as (
    -- rows per raw file: a file's rows are numbered 0 .. file_rows - 1
    select source_file, count(*) as file_rows
    from {{ raw_source(source_name, table_name) }}
    group by source_file
),

log_rows as (
    select source_file, source_row_number, disposition, reason
    from {{ quarantine_model }}
    where source_table = '{{ table_name }}'
),

reason_counts as (
    select
        reason_part,
        count(*) as rows_with_reason
    from (
        select {{ split_rows('reason', '; ') }} as reason_part
        from log_rows
        where disposition in ('quarantined', 'conflict')
    ) as parts
    group by reason_part
),

top_reasons as (
    select coalesce(
        {{ ordered_string_agg(
            "reason_part || ' (' || rows_with_reason || ')'",
            ['-rows_with_reason', 'reason_part'],
            ', ',
        ) }},
        'none'
    ) as top_reasons
    from (
        select * from reason_counts
        order by rows_with_reason desc, reason_part
        limit 3
    ) as top_three
),

counts as (
    select
        (select coalesce(sum(file_rows), 0) from raw_files) as raw_count,
        (select count(*) from {{ model }}) as staged_count,
        (select count(*) from log_rows where disposition = 'quarantined') as quarantined_count,
        (select count(*) from log_rows where disposition = 'duplicate') as duplicate_count,
        (select count(*) from log_rows where disposition = 'superseded') as superseded_count,
        (select count(*) from log_rows where disposition = 'conflict') as conflict_count,
        (select count(*) from log_rows where disposition = 'deleted_customer') as deleted_count,
        (
            select count(*) from log_rows
            left join raw_files using (source_file)
            where
                raw_files.source_file is null
                or log_rows.source_row_number not between 0 and raw_files.file_rows - 1
        ) as dangling_count,
        (select count(*) from log_rows) - (
            select count(*) from (
                select distinct source_file, source_row_number from log_rows
            ) as logged_rows
        ) as repeated_count,
        (select top_reasons from top_reasons) as top_reasons
),

checked as (
    select
        *,
        'raw ' || raw_count || ', staged ' || staged_count || ', quarantined ' || quarantined_count
        || ', duplicates ' || duplicate_count || ', superseded ' || superseded_count
        || ', conflicts ' || conflict_count || ', deleted_customer ' || deleted_count
            as counts_text,
        case when raw_count > 0 then (quarantined_count + conflict_count) / raw_count else 0 end
            as reject_share,
        raw_count <> staged_count + quarantined_count + duplicate_count + superseded_count
        + conflict_count + deleted_count as is_unreconciled
    from counts
),

failures as (
    select
        'rows_reconcile {{ label }}: raw rows do not reconcile ('
        || counts_text || ')' as failure
    from checked
    where is_unreconciled
    union all
    select
        'rows_reconcile {{ label }}: ' || dangling_count
        || ' quarantine entries point at no raw row (' || counts_text || ')'
    from checked
    where dangling_count > 0
    union all
    select
        'rows_reconcile {{ label }}: ' || repeated_count || ' raw rows logged twice ('
        || counts_text || ')'
    from checked
    where repeated_count > 0
    union all
    select
        'Abnormal reject share in raw table {{ label }}: '
        || cast(round(100 * reject_share, 1) as string) || '% of ' || raw_count
        || ' rows quarantined or conflicting (limit {{ (limit * 100) | round(1) }}% for '
        || '{{ "a required" if is_required else "any" }} table). Top reasons: ' || top_reasons
        || '. Fix the extract, or the contract bounds (docs/raw-data-contract.md); '
        || 'var reject_share_severity: warn only warns. (' || counts_text || ')'
    from checked
    where reject_share > {{ limit }}
)
{% endset %}

{#- warn: print each abnormal share now (the returned row alone would only say "Got 1 result");
    an ephemeral model cannot be queried on its own, its test then only returns the row -#}
{%- if execute and severity == 'warn' and '__dbt__cte__' not in (model | string) -%}
    {%- for row in run_query(failures_sql ~ ' select failure from failures').rows -%}
        {%- if row[0].startswith('Abnormal reject share') -%}
            {%- do exceptions.warn(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

{{ failures_sql }},

-- the error is raised in the filter, not the projection: dbt counts the rows, and the engines
-- prune an unused column, so an error there would never run (Spark returned the row silently)
final as (
    select failure
    from failures
    where
        {%- if severity == 'warn' %}
        case
            when failure like 'Abnormal reject share%' then true
            else {{ raise_sql_error('failure') }} is null
        end
        {%- else %}
        {{ raise_sql_error('failure') }} is null
        {%- endif %}
)

select * from final

{% endtest %}
