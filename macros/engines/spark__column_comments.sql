{#- Column comments on Spark, cut to what the Hive metastore holds: Iceberg tables and views in a
    Hive catalog keep their columns' comments in the metastore, whose comment field takes 256
    characters, so a longer documented description fails the commit. A cut comment ends in '…'
    (the whole description is in the docs). The root project's macros win dbt-spark's dispatch.

    metastore_comment(description): the description as a comment literal, cut and escaped.
-#}
{% macro metastore_comment(description) -%}
    {%- set text = description if description | length <= 255 else description[:254] ~ '…' -%}
    {{ return("'" ~ text | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{%- endmacro %}

{#- dbt-spark 1.11.0's create_view_as, with the column comments through metastore_comment.

    Arguments:
      relation: the view
      sql: its query
-#}
{% macro spark__create_view_as(relation, sql) -%}
    create or replace view {{ relation }}
    {% if config.persist_column_docs() -%}
        {%- set comments = [] -%}
        {%- for column_name in get_columns_in_query(sql) -%}
            {%- set description = (model.columns.get(column_name) or {}).get('description') -%}
            {%- if description -%}
                {%- do comments.append(adapter.quote(column_name) ~ " comment "
                    ~ segwarehouse.metastore_comment(description)) -%}
            {%- else -%}
                {%- do comments.append(adapter.quote(column_name)) -%}
            {%- endif -%}
        {%- endfor %}
    ({{ comments | join(', ') }})
    {%- endif %}
    {{ comment_clause() }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as
        {{ sql }}
{%- endmacro %}

{#- dbt-spark 1.11.0's alter_column_comment (persist_docs of a table's columns), with the comments
    through metastore_comment.

    Arguments:
      relation: the table
      column_dict: its documented columns
-#}
{% macro spark__alter_column_comment(relation, column_dict) -%}
    {%- if config.get('file_format', validator=validation.any[basestring]) in ['delta', 'hudi', 'iceberg'] -%}
        {%- for column_name in column_dict -%}
            {%- set column = column_dict[column_name] -%}
            {%- set name = adapter.quote(column_name) if column['quote'] else column_name -%}
            {%- do run_query(
                "alter table " ~ relation ~ (" alter column " if relation.is_iceberg else " change column ")
                ~ name ~ " comment " ~ segwarehouse.metastore_comment(column['description'] or '')
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
