{#- Data test: no text column of the relation holds something that looks like personal contact
    data: an e-mail address, or a phone number of 9 or more digits. Fails with one row per
    offending value (column name and a count, never the value itself).

    Arguments:
      model: the model under test
      exclude: column names not to scan (default none)
-#}
{% test no_personal_data(model, exclude=[]) %}

{%- set columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- if column.is_string() and column.name not in exclude -%}
            {%- do columns.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

{%- if columns | length == 0 %}
select cast(null as string) as column_name, 0 as offending_values
where false
{%- else -%}
{%- for column in columns %}
select
    '{{ column }}' as column_name,
    count(*) as offending_values
from {{ model }}
where
    {%- set quoted = adapter.quote(column) %}
    {{ contains_pattern(quoted, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}') }}
    or {{ contains_pattern(quoted, '[+]?[0-9][0-9 ().-]{8,}[0-9]') }}
        and length({{ replace_pattern(quoted, '[^0-9]', '') }}) between 9 and 15
        and not {{ contains_pattern(quoted, '^[0-9a-f]{16,}$') }}
having count(*) > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{%- endif %}

{% endtest %}
