{#- Data test: no raw row is lost or counted twice by staging. For the raw table
    source_name.table_name it checks that
      raw rows = rows of the staged model + quarantined rows + duplicates removed,
    counting the raw rows straight from the file, the staged rows from the model under test and
    the others from the source's quarantine log; and that every quarantine entry of the table
    points at one distinct raw row that exists. Fails with one row per broken rule.

    Arguments:
      model: the staging model (rows it holds count as staged)
      source_name, table_name: the raw table, as in source()
      quarantine_model: the source's quarantine log model
-#}
{% test rows_reconcile(model, source_name, table_name, quarantine_model) %}

with

raw_files as (
    -- rows per raw file: a file's rows are numbered 0 .. file_rows - 1
    select source_file, count(*) as file_rows
    from {{ raw_source(source_name, table_name) }}
    group by source_file
),

log_rows as (
    select source_file, source_row_number, disposition
    from {{ quarantine_model }}
    where source_table = '{{ table_name }}'
),

counts as (
    select
        (select coalesce(sum(file_rows), 0) from raw_files) as raw_count,
        (select count(*) from {{ model }}) as staged_count,
        (select count(*) from log_rows where disposition = 'quarantined') as quarantined_count,
        (select count(*) from log_rows where disposition = 'duplicate') as duplicate_count,
        (
            select count(*) from log_rows
            left join raw_files using (source_file)
            where
                raw_files.source_file is null
                or log_rows.source_row_number not between 0 and raw_files.file_rows - 1
        ) as dangling_count,
        (
            select count(*) - count(distinct (source_file, source_row_number)) from log_rows
        ) as repeated_count
),

failures as (
    select
        'raw ' || raw_count || ' <> staged ' || staged_count || ' + quarantined '
        || quarantined_count || ' + duplicates ' || duplicate_count as failure
    from counts
    where raw_count <> staged_count + quarantined_count + duplicate_count
    union all
    select dangling_count || ' quarantine entries point at no raw row' from counts
    where dangling_count > 0
    union all
    select repeated_count || ' raw rows logged twice' from counts
    where repeated_count > 0
)

select * from failures

{% endtest %}
