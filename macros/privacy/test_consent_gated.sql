{#- Data test: every feature column of the model (meta consent_purpose other than none) is null
    on every row where its purpose is not allowed (is_<purpose>_allowed not true). Proves that the
    SQL gates each feature by the purpose its YAML declares; fails with the column and the count
    of rows holding a value the customer's consent does not allow.

    Arguments:
      model: the model under test (its columns are read from the graph)
-#}
{% test consent_gated(model) %}
{%- set features = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
            and node.alias == model.identifier and node.schema == model.schema -%}
            {%- for column in node.columns.values() -%}
                {%- set meta = column.meta or (column.config or {}).get('meta') or {} -%}
                {%- if meta.get('consent_purpose') not in (none, 'none') -%}
                    {%- do features.append((column.name, meta['consent_purpose'])) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

ungated_values as (
    {%- for column, purpose in features %}
    select '{{ column }}' as column_name
    from {{ model }}
    where {{ column }} is not null and not coalesce(is_{{ purpose }}_allowed, false)
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor %}
    {%- if features | length == 0 %}
    select 'no feature column declares a consent purpose' as column_name
    {%- endif %}
),

final as (
    select
        column_name,
        count(*) as ungated_row_count
    from ungated_values
    group by column_name
)

select * from final

{% endtest %}
