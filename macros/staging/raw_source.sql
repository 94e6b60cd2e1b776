{#- The raw table of a source, read from the folder RAW_DATA_DIR (default data/raw) as
    <table>.parquet, <table>/*.parquet or <table>.csv, whichever exists first; its columns are
    the contract columns declared in the source's YAML, plus source_file and source_row_number
    (0-based row in that file), which let every staged or quarantined row be traced back.

    At execute time it checks the file against the contract and fails the build, naming the
    file and the column, when a required column is missing or has a type that cannot be read as
    the contract type. A missing table is an error if required, and an empty relation with the
    contract columns if the source table's meta says optional: true.

    Arguments:
      source_name: the source, as in source()
      table_name: the raw table, as in source()
-#}
{% macro raw_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return(relation) -}}
    {%- endif -%}

    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set raw_dir = env_var('RAW_DATA_DIR', 'data/raw').rstrip('/') -%}
    {%- set candidates = [
        {'format': 'parquet', 'path': raw_dir ~ '/' ~ table_name ~ '.parquet'},
        {'format': 'parquet', 'path': raw_dir ~ '/' ~ table_name ~ '/*.parquet'},
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
                ~ ", cast(null as varchar) as source_file, cast(null as bigint) as source_row_number where false)") -}}
        {%- endif -%}
        {{- exceptions.raise_compiler_error(
            "Required raw table " ~ source_name ~ "." ~ table_name ~ " not found: looked for "
            ~ candidates | map(attribute='path') | join(', ')
            ~ " (set RAW_DATA_DIR to the folder holding the raw files)."
        ) -}}
    {%- endif -%}

    {%- set path = found.candidate.path -%}
    {%- if found.candidate.format == 'parquet' -%}
        {%- set reader = "read_parquet('" ~ path ~ "', filename = true, file_row_number = true, union_by_name = true)" -%}
        {%- set row_number_sql = "file_row_number" -%}
    {%- else -%}
        {%- set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true, filename = true)" -%}
        {%- set row_number_sql = "row_number() over () - 1" -%}
    {%- endif -%}

    {%- set described = run_query("describe select * from " ~ reader) -%}
    {%- set present = {} -%}
    {%- for row in described.rows -%}
        {%- do present.update({row[0] | lower: row[1]}) -%}
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
            {{ row_number_sql }} as source_row_number
        from {{ reader }}
    )
{%- endmacro %}
