{#- The newest date present in the raw data of any source, for the as_of guard: a dict with
    `date` (a datetime.date, none when no raw table holds a dated row) and `tables` (the raw
    tables holding it, 'source.table'). Every raw table of the project is read through
    raw_source (the same file discovery and contract checks as staging): for daily deliveries
    the newest delivered_date folder name (no file is scanned), otherwise the newest of the
    contract's timestamp and date columns (parsed as staging does). Dates later than
    latest_plausible_timestamp() are ignored, so a junk future timestamp cannot make a future
    as_of look covered by data. Two queries in all. Call it at execute time only.
-#}
{% macro newest_raw_date() -%}
    {%- set limit = segwarehouse.latest_plausible_timestamp() -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name -%}
            {%- set dated = [] -%}
            {%- for column in node.columns.values() -%}
                {%- if column.data_type | lower in ('timestamp', 'timestamptz', 'date') -%}
                    {%- do dated.append(column.name | lower) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do tables.append({
                'name': node.source_name ~ '.' ~ node.name,
                'relation': segwarehouse.raw_source(node.source_name, node.name),
                'columns': dated,
            }) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set delivered_query -%}
        {%- for table in tables %}
        select '{{ table.name }}' as raw_table, max(delivered_date) as newest_date
        from {{ table.relation }} as raw
        where delivered_date <= cast({{ limit }} as date)
        {%- if not loop.last %}
        union all
        {%- endif -%}
        {%- endfor %}
    {%- endset -%}
    {%- set newest = {} -%}
    {%- for row in run_query(delivered_query).rows -%}
        {%- do newest.update({row[0]: row[1]}) -%}
    {%- endfor -%}

    {%- set scanned = [] -%}
    {%- for table in tables -%}
        {%- if newest[table.name] is none and table.columns | length > 0 -%}
            {%- do scanned.append(table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if scanned | length > 0 -%}
        {%- set timestamp_query -%}
            {%- for table in scanned %}
            select
                '{{ table.name }}' as raw_table,
                cast({{ 'greatest(' if table.columns | length > 1 }}
                    {%- for column in table.columns %}
                    max({{ segwarehouse.parse_timestamp(column) }})
                        filter (where {{ segwarehouse.parse_timestamp(column) }} <= {{ limit }})
                    {%- if not loop.last %},{% endif -%}
                    {%- endfor %}
                {{ ')' if table.columns | length > 1 }} as date) as newest_date
            from {{ table.relation }} as raw
            {%- if not loop.last %}
            union all
            {%- endif -%}
            {%- endfor %}
        {%- endset -%}
        {%- for row in run_query(timestamp_query).rows -%}
            {%- do newest.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}

    {%- set result = namespace(date=none, tables=[]) -%}
    {%- for name, day in newest | dictsort -%}
        {%- if day is not none -%}
            {%- if result.date is none or day > result.date -%}
                {%- set result.date = day -%}
                {%- set result.tables = [name] -%}
            {%- elif day == result.date -%}
                {%- set result.tables = result.tables + [name] -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return({'date': result.date, 'tables': result.tables}) -}}
{%- endmacro %}
