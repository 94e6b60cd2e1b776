{#- The engine-specific parts of reading raw files (macro raw_source holds the contract logic).

    raw_files_matching(raw_dir, patterns, all_patterns): how many files match each glob of
    patterns (a list of counts in the same order). all_patterns: every glob raw_source may look
    for in the raw folder (all the project's raw tables), which Spark lists in one go.
-#}
{% macro raw_files_matching(raw_dir, patterns, all_patterns) -%}
    {{ return(adapter.dispatch('raw_files_matching', 'segwarehouse')(raw_dir, patterns, all_patterns)) }}
{%- endmacro %}

{% macro default__raw_files_matching(raw_dir, patterns, all_patterns) -%}
    {{ segwarehouse._no_engine_implementation('raw_files_matching', 'count the files matching each glob') }}
{%- endmacro %}

{% macro duckdb__raw_files_matching(raw_dir, patterns, all_patterns) -%}
    {%- set counts = [] -%}
    {%- for pattern in patterns -%}
        {%- do counts.append("(select count(*) from glob('" ~ pattern ~ "'))") -%}
    {%- endfor -%}
    {{ return(run_query("select " ~ counts | join(", ")).rows[0] | list) }}
{%- endmacro %}

{#- Spark: a glob matching no file is an error (PATH_NOT_FOUND), so the files are listed by
    one glob over every raw table's candidates (binaryFile reads no content when only the
    metadata is selected), then counted per pattern by a regular expression on the path below
    the raw folder. Only when the raw folder holds no raw file of any table does it fail, with
    Spark's error naming the glob. -#}
{% macro spark__raw_files_matching(raw_dir, patterns, all_patterns) -%}
    {%- set prefix = raw_dir ~ '/' -%}
    {%- set relative = [] -%}
    {%- for pattern in all_patterns -%}
        {%- do relative.append(pattern[prefix | length:]) -%}
    {%- endfor -%}
    {%- set anchor = modules.re.escape('/' ~ raw_dir.split('/')[-1] ~ '/') -%}
    {%- set counts = [] -%}
    {%- for pattern in patterns -%}
        {%- set regex = anchor ~ modules.re.escape(pattern[prefix | length:]).replace('\\*', '[^/]*') ~ '$' -%}
        {%- do counts.append("count_if(file_path rlike '" ~ regex | replace('\\', '\\\\') ~ "')") -%}
    {%- endfor -%}
    {%- set query -%}
        select {{ counts | join(', ') }}
        from (
            select _metadata.file_path as file_path
            from binaryFile.`{{ prefix }}{{ '{' ~ relative | unique | join(',') ~ '}' }}`
        ) as listed
    {%- endset -%}
    {{ return(run_query(query).rows[0] | list) }}
{%- endmacro %}

{#- raw_reader(format, path): the relation reading the raw files of one layout, as a dict of SQL:
    reader (the from clause), file (the file's path), row_number (0-based row in that file) and
    delivered_date (the delivery folder's date, deliveries only; else a null date). format:
    parquet, deliveries (parquet in delivered_date=YYYY-MM-DD folders) or csv. -#}
{% macro raw_reader(format, path) -%}
    {{ return(adapter.dispatch('raw_reader', 'segwarehouse')(format, path)) }}
{%- endmacro %}

{% macro default__raw_reader(format, path) -%}
    {{ segwarehouse._no_engine_implementation('raw_reader', 'read parquet and csv files with their path and row number') }}
{%- endmacro %}

{% macro duckdb__raw_reader(format, path) -%}
    {%- set reader = {'file': 'filename', 'row_number': 'file_row_number', 'delivered_date': 'cast(null as date)'} -%}
    {%- if format == 'parquet' -%}
        {%- do reader.update({'reader': "read_parquet('" ~ path ~ "', filename = true, file_row_number = true, union_by_name = true)"}) -%}
    {%- elif format == 'deliveries' -%}
        {%- do reader.update({
            'reader': "read_parquet('" ~ path ~ "', filename = true, file_row_number = true, union_by_name = true, hive_partitioning = true, hive_types = {'delivered_date': date})",
            'delivered_date': 'delivered_date',
        }) -%}
    {%- else -%}
        {%- do reader.update({
            'reader': "read_csv('" ~ path ~ "', header = true, all_varchar = true, filename = true)",
            'row_number': 'row_number() over () - 1',
        }) -%}
    {%- endif -%}
    {{ return(reader) }}
{%- endmacro %}

{#- Spark: the parquet files with their hidden _metadata (path, row index); files of different
    columns are merged by name (spark.sql.parquet.mergeSchema, set by the profile). The file's
    path is the URI without a file: scheme, as DuckDB names it. The delivery date is read from
    the folder name. CSV files are not read on Spark (its csv reader has no header and no row
    index in SQL): convert them to parquet. -#}
{% macro spark__raw_reader(format, path) -%}
    {%- if format == 'csv' -%}
        {{- exceptions.raise_compiler_error(
            "Raw file '" ~ path ~ "': CSV raw files are read on DuckDB only; on Spark deliver"
            ~ " the table as parquet (see docs/raw-data-contract.md)."
        ) -}}
    {%- endif -%}
    {%- set file_sql = "regexp_replace(_metadata.file_path, '^file:', '')" -%}
    {%- set delivered_sql = "cast(null as date)" -%}
    {%- if format == 'deliveries' -%}
        {%- set delivered_sql = "cast(regexp_extract(_metadata.file_path, '/delivered_date=([^/]+)/[^/]*$', 1) as date)" -%}
    {%- endif -%}
    {{ return({
        'reader': "(select *, " ~ file_sql ~ " as filename, _metadata.row_index as file_row_number, "
            ~ delivered_sql ~ " as delivered_date from parquet.`" ~ path ~ "`)",
        'file': 'filename',
        'row_number': 'file_row_number',
        'delivered_date': 'delivered_date',
    }) }}
{%- endmacro %}

{#- raw_columns(format, path, reader): the raw columns, a dict: spellings (the names as written
    in the files: DuckDB renames a second column that differs only in case, COUNTRY_CODE to
    COUNTRY_CODE_1, so they come from the file's own schema) and types (name and type, in the
    engine's type names, of each column of the reader). -#}
{% macro raw_columns(format, path, reader) -%}
    {{ return(adapter.dispatch('raw_columns', 'segwarehouse')(format, path, reader)) }}
{%- endmacro %}

{% macro default__raw_columns(format, path, reader) -%}
    {{ segwarehouse._no_engine_implementation('raw_columns', 'the names and types of the raw columns') }}
{%- endmacro %}

{% macro duckdb__raw_columns(format, path, reader) -%}
    {%- if format == 'csv' -%}
        {%- set header = run_query(
            "select * from read_csv('" ~ path ~ "', header = false, all_varchar = true) limit 1"
        ) -%}
        {%- set spellings = header.rows[0] | list if header.rows | length > 0 else [] -%}
    {%- else -%}
        {%- set spellings = run_query(
            "select distinct name from parquet_schema('" ~ path ~ "') where num_children is null"
        ).columns[0].values() | list -%}
    {%- endif -%}
    {%- set types = [] -%}
    {%- for row in run_query("describe select * from " ~ reader).rows -%}
        {%- do types.append((row[0], row[1])) -%}
    {%- endfor -%}
    {{ return({'spellings': spellings, 'types': types}) }}
{%- endmacro %}

{#- Spark: the merged schema of the files. Spark itself refuses files whose columns differ only
    in case (its case-insensitive analysis finds a duplicate column), naming them. -#}
{% macro spark__raw_columns(format, path, reader) -%}
    {%- set types = [] -%}
    {%- for row in run_query("describe query select * from " ~ reader).rows -%}
        {%- if row[0] and not row[0].startswith('#') -%}
            {%- do types.append((row[0], row[1])) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'spellings': types | map('first') | list, 'types': types}) }}
{%- endmacro %}

{#- engine_type(data_type): a contract data_type (DuckDB's names: varchar, integer, timestamp...)
    as the engine's type name (Spark: string for varchar and text). -#}
{% macro engine_type(data_type) -%}
    {{ return(adapter.dispatch('engine_type', 'segwarehouse')(data_type)) }}
{%- endmacro %}

{% macro default__engine_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__engine_type(data_type) -%}
    {%- set lowered = data_type | lower | trim -%}
    {%- if lowered in ('varchar', 'text') -%}
        {{ return('string') }}
    {%- elif lowered.endswith('[]') -%}
        {{ return('array<' ~ segwarehouse.spark__engine_type(lowered[:-2]) ~ '>') }}
    {%- elif lowered == 'timestamptz' -%}
        {{ return('timestamp') }}
    {%- endif -%}
    {{ return(data_type) }}
{%- endmacro %}
