{#- Fixes of dbt-spark 1.11.0's snapshots on Iceberg, found by the engines' parity over several
    business days (a snapshot's second run):

    - spark_build_snapshot_staging_table: the staging rows are written to a table, not a view.
      A view's text goes into the Hive metastore, whose embedded Derby store cuts it at 32,700
      characters: the check of every column of customer_features_history is longer, and the
      commit failed with CommitStateUnknownException. The table goes, unqualified as dbt-spark's
      view did (the merge reads it by name), to the target's schema (create_target_schema).
    - spark__post_snapshot: that table is dropped with its files (purge), so no copy of the
      staged rows stays on disk; a crash before leaves it to the next run, which replaces it.
    - spark__create_columns: dbt-spark leaves out only dbt_unique_key of the staging columns it
      adds to the snapshot, not dbt_unique_key_1, _2, ... of a composite unique_key (dbt-core's
      own snapshot leaves them out), so it added them and the next run failed with
      AMBIGUOUS_REFERENCE. They are left out here, the others added as dbt-spark adds them
      (its merge inserts by name, `insert *`, so the extra staging columns need nothing else).
      -#}
{% macro spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
    {%- set staging = api.Relation.create(
        identifier=target_relation.identifier ~ '__dbt_tmp', schema=none, database=none,
        type='table') -%}
    {%- set select = snapshot_staging_table(strategy, sql, target_relation) -%}
    {% call statement('build_snapshot_staging_relation') %}
        create or replace table {{ staging }}
        using {{ config.get('file_format') or 'iceberg' }}
        as {{ select }}
    {% endcall %}
    {{ return(staging) }}
{% endmacro %}

{% macro spark__post_snapshot(staging_relation) %}
    {% call statement('drop_snapshot_staging_relation') %}
        drop table if exists {{ staging_relation }} purge
    {% endcall %}
{% endmacro %}

{% macro spark__create_columns(relation, columns) %}
    {%- set kept = [] -%}
    {%- for column in columns -%}
        {%- if not segwarehouse._is_snapshot_key_column(column.name) -%}
            {%- do kept.append(adapter.quote(column.name) ~ ' ' ~ column.data_type) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if kept -%}
        {% call statement('add_snapshot_columns') %}
            alter table {{ relation }} add columns ({{ kept | join(', ') }})
        {% endcall %}
    {%- endif -%}
{% endmacro %}

{#- Whether a column name is one of the staging-only key columns dbt_unique_key_<n> of a
    composite unique_key.

    Arguments:
      name: the column name
-#}
{% macro _is_snapshot_key_column(name) -%}
    {{ return(modules.re.fullmatch('dbt_unique_key_[0-9]+', name | lower) is not none) }}
{%- endmacro %}
