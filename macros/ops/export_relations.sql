{#- run-operation: writes every relation the project built (models that are not ephemeral,
    seeds, snapshots) to out_dir/<resource type>.<name>/ as parquet (named by the node, not the
    relation: the identity model's schema differs by engine), for comparing engines (the parity
    check of segwarehouse.spark.parity reads both exports with DuckDB). Relations that do not
    exist are skipped; prints one line per relation written.

    Arguments:
      out_dir: absolute folder to write into (one sub-folder per relation)
      nodes: optional list of node unique ids to export (e.g. what a build built, from its
        run_results.json), exported without looking them up (dbt-spark does not list Iceberg
        views); default every relation found
-#}
{% macro export_relations(out_dir, nodes=none) -%}
    {%- if "'" in out_dir -%}
        {{- exceptions.raise_compiler_error("export_relations: out_dir must hold no quote") -}}
    {%- endif -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.package_name == project_name
        and node.resource_type in ('model', 'seed', 'snapshot')
        and node.config.materialized != 'ephemeral'
        and (nodes is none or node.unique_id in nodes) -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        ) -%}
        {%- if nodes is none -%}
            {%- set relation = load_relation(relation) -%}
        {%- endif -%}
        {%- if relation is not none -%}
            {%- set path = out_dir.rstrip('/') ~ '/' ~ node.resource_type ~ '.' ~ node.name -%}
            {%- do run_query(segwarehouse._export_statement(relation, path)) -%}
            {{- log("exported " ~ relation, info=true) -}}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- The statement writing a relation's rows to a folder of parquet files. Dispatched. -#}
{% macro _export_statement(relation, path) -%}
    {{ return(adapter.dispatch('_export_statement', 'segwarehouse')(relation, path)) }}
{%- endmacro %}

{% macro default___export_statement(relation, path) -%}
    {{ segwarehouse._no_engine_implementation('_export_statement', 'write a relation as parquet') }}
{%- endmacro %}

{% macro duckdb___export_statement(relation, path) -%}
    copy (select * from {{ relation }}) to '{{ path }}' (format parquet, per_thread_output true, overwrite true)
{%- endmacro %}

{% macro spark___export_statement(relation, path) -%}
    insert overwrite directory '{{ path }}' using parquet select * from {{ relation }}
{%- endmacro %}
