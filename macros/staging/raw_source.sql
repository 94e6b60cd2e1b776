{#- The raw table of a source, read from the folder RAW_DATA_DIR (default data/raw) as
    <table>.parquet, <table>/*.parquet, <table>/delivered_date=YYYY-MM-DD/*.parquet (daily
    deliveries, Hive layout) or <table>.csv, whichever exists first; its columns are the
    contract columns declared in the source's YAML, plus source_file and source_row_number
    (0-based row in that file), which let every staged or quarantined row be traced back, and
    delivered_date (the delivery folder's date; null for the other layouts).

    With delivered_since (a SQL date expression) only the deliveries of that date and later
    are read: the filter is on the folder name, so DuckDB skips the older files without
    opening them and every row of a file it reads is returned (nothing is filtered on row
    content). Layouts without delivery folders ignore it and return every file.

    At execute time it checks the file against the contract and fails the build, naming the
    file and the column, when a required column is missing or has a type that cannot be read as
    the contract type, or when two raw columns differ only in case and one is a contract column
    (names are matched case-insensitively, so either could be bound). A missing table is an error if required, and an empty relation with the
    contract columns if the source table's meta says optional: true.

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
      delivered_since: optional SQL date expression, first delivery date to read
-#}
{% macro raw_source(source_name, table_name, delivered_since=none) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return(relation) -}}
    {%- endif -%}

    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set raw_dir = env_var('RAW_DATA_DIR', 'data/raw').rstrip('/') -%}
    {%- set candidates = [
        {'format': 'parquet', 'path': raw_dir ~ '/' ~ table_name ~ '.parquet'},
        {'format': 'parquet', 'path': raw_dir ~ '/' ~ table_name ~ '/*.parquet'},
        {'format': 'deliveries', 'path': raw_dir ~ '/' ~ table_name ~ '/delivered_date=*/*.parquet'},
        {'format': 'csv', 'path': raw_dir ~ '/' ~ table_name ~ '.csv'},
    ] -%}
    {%- set found = namespace(candidate=none) -%}
    {%- for candidate in candidates -%}
        {%- if found.candidate is none -%}
            {%- set matches = run_query(
                "select count(*) from glob('" ~ candidate.path ~ "')"
            ).columns[0].values()[0] -%}
            {%- if matches > 0 -%}
                {%- set found.candidate = candidate -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if found.candidate is none -%}
        {%- if node.meta.get('optional', false) -%}
            {{- log("Optional raw table " ~ source_name ~ "." ~ table_name ~ " not found in "
                ~ raw_dir ~ ": treated as empty.", info=false) -}}
            {%- set empty_columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do empty_columns.append("cast(null as " ~ column.data_type ~ ") as " ~ column.name) -%}
            {%- endfor -%}
            {{- return("(select " ~ empty_columns | join(", ")
                ~ ", cast(null as varchar) as source_file, cast(null as bigint) as source_row_number"
                ~ ", cast(null as date) as delivered_date where false)") -}}
        {%- endif -%}
        {{- exceptions.raise_compiler_error(
            "Required raw table " ~ source_name ~ "." ~ table_name ~ " not found: looked for "
            ~ candidates | map(attribute='path') | join(', ')
            ~ " (set RAW_DATA_DIR to the folder holding the raw files)."
        ) -}}
    {%- endif -%}

    {%- set path = found.candidate.path -%}
    {%- set delivered_sql = "cast(null as date)" -%}
    {%- set where_sql = "" -%}
    {%- if found.candidate.format == 'parquet' -%}
        {%- set reader = "read_parquet('" ~ path ~ "', filename = true, file_row_number = true, union_by_name = true)" -%}
        {%- set row_number_sql = "file_row_number" -%}
    {%- elif found.candidate.format == 'deliveries' -%}
        {%- set reader = "read_parquet('" ~ path ~ "', filename = true, file_row_number = true, union_by_name = true, hive_partitioning = true, hive_types = {'delivered_date': date})" -%}
        {%- set row_number_sql = "file_row_number" -%}
        {%- set delivered_sql = "delivered_date" -%}
        {%- if delivered_since is not none -%}
            {%- set where_sql = "where delivered_date >= " ~ delivered_since -%}
        {%- endif -%}
    {%- else -%}
        {%- set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true, filename = true)" -%}
        {%- set row_number_sql = "row_number() over () - 1" -%}
    {%- endif -%}

    {#- the names as written in the file: DuckDB renames a second column that differs only in
        case (COUNTRY_CODE becomes COUNTRY_CODE_1), so a contract column would silently bind
        the first one -#}
    {%- if found.candidate.format == 'csv' -%}
        {%- set header = run_query(
            "select * from read_csv('" ~ path ~ "', header = false, all_varchar = true) limit 1"
        ) -%}
        {%- set written = header.rows[0] | list if header.rows | length > 0 else [] -%}
    {%- else -%}
        {%- set written = run_query(
            "select distinct name from parquet_schema('" ~ path ~ "') where num_children is null"
        ).columns[0].values() | list -%}
    {%- endif -%}
    {%- set spelled = {} -%}
    {%- for name in written if name is not none -%}
        {%- set lowered = name | lower -%}
        {%- if lowered in spelled and spelled[lowered] != name
            and lowered in node.columns.keys() | map('lower') | list -%}
            {{- exceptions.raise_compiler_error(
                "Raw file '" ~ path ~ "' (" ~ source_name ~ "." ~ table_name ~ "): columns '"
                ~ spelled[lowered] ~ "' and '" ~ name ~ "' differ only in case, so contract column '"
                ~ lowered ~ "' is ambiguous: keep one of them (see docs/raw-data-contract.md)."
            ) -}}
        {%- endif -%}
        {%- do spelled.update({lowered: name}) -%}
    {%- endfor -%}

    {%- set described = run_query("describe select * from " ~ reader) -%}
    {%- set present = {} -%}
    {%- for row in described.rows -%}
        {%- if row[0] | lower != 'delivered_date' -%}
            {%- do present.update({row[0] | lower: row[1]}) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set select_list = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set name = column.name | lower -%}
        {%- if name in present -%}
            {%- if not segwarehouse._raw_type_is_readable(present[name], column.data_type) -%}
                {{- exceptions.raise_compiler_error(
                    "Raw file '" ~ path ~ "' (" ~ source_name ~ "." ~ table_name ~ "): column '"
                    ~ name ~ "' has type " ~ present[name] ~ ", which cannot be read as "
                    ~ column.data_type ~ " (see docs/raw-data-contract.md)."
                ) -}}
            {%- endif -%}
            {%- do select_list.append(adapter.quote(name) ~ " as " ~ name) -%}
        {%- elif column.meta.get('required', true) -%}
            {{- exceptions.raise_compiler_error(
                "Raw file '" ~ path ~ "' (" ~ source_name ~ "." ~ table_name
                ~ "): required column '" ~ name ~ "' is missing. Columns present: "
                ~ present.keys() | list | sort | join(', ') ~ " (see docs/raw-data-contract.md)."
            ) -}}
        {%- else -%}
            {%- do select_list.append("cast(null as " ~ column.data_type ~ ") as " ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    (
        select
        {%- for item in select_list %}
            {{ item }},
        {%- endfor %}
            filename as source_file,
            {{ row_number_sql }} as source_row_number,
            {{ delivered_sql }} as delivered_date
        from {{ reader }}
        {{ where_sql }}
    )
{%- endmacro %}
