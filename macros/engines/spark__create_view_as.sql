{#- dbt-spark 1.11.0's create_view_as, with each column comment cut to what the Hive metastore
    holds: an Iceberg view keeps its columns in the metastore, whose comment field takes 256
    characters, so a longer documented description fails the view's commit. A cut comment ends
    in '…' (the whole description is in the docs and on the tables). The root project's macro
    wins the dispatch.

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
                {%- set description = description if description | length <= 255
                    else description[:254] ~ '…' -%}
                {%- do comments.append(adapter.quote(column_name) ~ " comment '"
                    ~ description | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") -%}
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
