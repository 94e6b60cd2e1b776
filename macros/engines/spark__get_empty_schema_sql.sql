{#- The empty query whose schema dbt compares with a model's SQL when its contract is enforced:
    dbt's own, with each YAML data_type (written once, in DuckDB's names: varchar, varchar[])
    read through engine_type, so the same contract holds on Spark (string, array<string>). The
    root project's macro wins the dispatch.

    Arguments:
      columns: the model's YAML columns
-#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set missing = [] -%}
    select
    {% for name in columns -%}
        {%- set column = columns[name] -%}
        {%- if column['data_type'] is not defined or not column['data_type'] -%}
            {%- do missing.append(column['name']) -%}
        {%- endif -%}
        {%- set column_name = adapter.quote(column['name']) if column.get('quote') else column['name'] -%}
        cast(null as {{ segwarehouse.engine_type(column['data_type'] or 'varchar') }}) as {{ column_name }}{{ ", " if not loop.last }}
    {% endfor -%}
    {%- if missing | length > 0 -%}
        {{ exceptions.column_type_missing(column_names=missing) }}
    {%- endif -%}
{%- endmacro %}
