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
    {%- set candidates = segwarehouse._raw_candidates(raw_dir, table_name) -%}
    {%- set all_patterns = [] -%}
    {%- for other in graph.sources.values() | sort(attribute='unique_id')
        if other.package_name == project_name -%}
        {%- for candidate in segwarehouse._raw_candidates(raw_dir, other.name) -%}
            {%- do all_patterns.append(candidate.path) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set matches = segwarehouse.raw_files_matching(
        raw_dir, candidates | map(attribute='path') | list, all_patterns
    ) -%}
    {%- set found = namespace(candidate=none) -%}
    {%- for candidate in candidates -%}
        {%- if found.candidate is none and matches[loop.index0] > 0 -%}
            {%- set found.candidate = candidate -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if found.candidate is none -%}
        {%- if node.meta.get('optional', false) -%}
            {{- log("Optional raw table " ~ source_name ~ "." ~ table_name ~ " not found in "
                ~ raw_dir ~ ": treated as empty.", info=false) -}}
            {%- set empty_columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do empty_columns.append("cast(null as " ~ segwarehouse.engine_type(column.data_type) ~ ") as " ~ column.name) -%}
            {%- endfor -%}
            {{- return("(select " ~ empty_columns | join(", ")
                ~ ", cast(null as " ~ 'string' ~ ") as source_file"
                ~ ", cast(null as bigint) as source_row_number"
                ~ ", cast(null as date) as delivered_date where false)") -}}
        {%- endif -%}
        {{- exceptions.raise_compiler_error(
            "Required raw table " ~ source_name ~ "." ~ table_name ~ " not found: looked for "
            ~ candidates | map(attribute='path') | join(', ')
            ~ " (set RAW_DATA_DIR to the folder holding the raw files)."
        ) -}}
    {%- endif -%}

    {%- set path = found.candidate.path -%}
    {%- set reader = segwarehouse.raw_reader(found.candidate.format, path) -%}
    {%- set where_sql = "" -%}
    {%- if found.candidate.format == 'deliveries' and delivered_since is not none -%}
        {%- set where_sql = "where " ~ reader.delivered_date ~ " >= " ~ delivered_since -%}
    {%- endif -%}
    {%- set raw = segwarehouse.raw_columns(found.candidate.format, path, reader.reader) -%}

    {%- set spelled = {} -%}
    {%- for name in raw.spellings if name is not none -%}
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

    {%- set present = {} -%}
    {%- for name, type in raw.types -%}
        {%- if name | lower != 'delivered_date' -%}
            {%- do present.update({name | lower: type}) -%}
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
            {%- do select_list.append("cast(null as " ~ segwarehouse.engine_type(column.data_type) ~ ") as " ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    (
        select
        {%- for item in select_list %}
            {{ item }},
        {%- endfor %}
            {{ reader.file }} as source_file,
            {{ reader.row_number }} as source_row_number,
            {{ reader.delivered_date }} as delivered_date
        from {{ reader.reader }}
        {{ where_sql }}
    )
{%- endmacro %}

{#- The files raw_source looks for, in this order: a list of {format, path}. -#}
{% macro _raw_candidates(raw_dir, table_name) -%}
    {{ return([
        {'format': 'parquet', 'path': raw_dir ~ '/' ~ table_name ~ '.parquet'},
        {'format': 'parquet', 'path': raw_dir ~ '/' ~ table_name ~ '/*.parquet'},
        {'format': 'deliveries', 'path': raw_dir ~ '/' ~ table_name ~ '/delivered_date=*/*.parquet'},
        {'format': 'csv', 'path': raw_dir ~ '/' ~ table_name ~ '.csv'},
    ]) }}
{%- endmacro %}
