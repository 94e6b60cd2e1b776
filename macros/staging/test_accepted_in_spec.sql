{#- Data test: every non-null value of a staged column is one of the accepted values the
    staging spec declares for it (the column meta of the sources' YAML, named lists resolved),
    so the staged models are held to the same list the base model checks, stated once.
    Fails with the unexpected values and their counts. -#}
{% test accepted_in_spec(model, column_name, source_name, table_name) %}
{%- set accepted = segwarehouse.staged_accepted_values(source_name, table_name, column_name) -%}
select
    {{ column_name }} as value,
    count(*) as n_rows
from {{ model }}
where
    {{ column_name }} is not null
    {%- if accepted | length > 0 %}
    and {{ column_name }} not in ({{ sql_in_list(accepted) }})
    {%- endif %}
group by 1
{% endtest %}
