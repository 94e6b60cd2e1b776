{#- Data test on the validated segment registry: every column a segment version declares in
    feature_columns (which holds every column its rule reads, checked by segwarehouse.registry)
    is a column of the built features relation. Fails the test with every problem, each naming
    the segment and version (the same message segwarehouse.registry gives), so a rule over an
    unknown feature is caught without the registry model reading the mart.

    Arguments:
      model: the validated registry (int_segment_versions_validated)
      features: the features relation rules are evaluated on (ref('customer_features'))
-#}
{% test segment_features_exist(model, features) %}
{%- set known = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(features) -%}
        {%- do known.append(column.name | lower) -%}
    {%- endfor -%}
{%- endif %}

with

declared_columns as (
    select
        segment_id,
        segment_version,
        {{ list_rows('feature_columns') }} as feature_column
    from {{ model }}
),

unknown_columns as (
    select
        segment_id,
        segment_version,
        feature_column,
        'segment ''' || segment_id || ''' v' || segment_version || ': unknown column '''
        || feature_column || ''' in feature_columns' as problem
    from declared_columns
    where not {{ list_has(sql_string_list(known), 'feature_column') }}
),

summary as (
    select
        count(*) as problem_count,
        {{ ordered_string_agg(
            'problem', ['segment_id', 'segment_version', 'feature_column'], '\n  - '
        ) }} as problems
    from unknown_columns
),

final as (
    select
        problem_count,
        problems
    from summary
    where
        problem_count > 0
        -- in the filter, not the projection: dbt counts the rows, and DuckDB prunes an unused
        -- column, so an error() there would never run
        and {{ raise_sql_error(
            "'segment registry: ' || problem_count || ' problem(s) against " ~ features
            ~ ":' || chr(10) || '  - ' || problems"
        ) }} is null
)

select * from final

{% endtest %}
