{#- Data test: the combination of columns is unique (a compound primary key); null values take
    part in the comparison as values. Fails with one row per repeated combination.

    On a daily run with var data_test_window_days set (e.g. 3) and a recent_column given, only
    the keys of the recent rows (recent_column within that many days of its newest value) are
    checked, each against every row of the model: exactly the duplicates a run that added only
    those rows can have made, at a fraction of the cost on a large incremental table. Older
    rows were checked by the runs that added them. Without the var, every key is checked.

    Arguments:
      model: the model under test
      columns: the list of column names forming the key
      recent_column: a date column marking when a row was added (optional)
-#}
{% test unique_combination(model, columns, recent_column=none) %}
{%- set window_days = var('data_test_window_days', '') -%}
{%- set key = columns | join(', ') -%}

{%- if recent_column is not none and window_days | string | length > 0 %}
with

recent_keys as (
    select distinct {{ key }}
    from {{ model }}
    where
        {{ recent_column }}
        >= (select max({{ recent_column }}) from {{ model }}) - {{ window_days | int }}
),

checked as (
    select {{ key }}
    from {{ model }} as checked_rows
    semi join recent_keys
        on
        {%- for column in columns %}
            {% if not loop.first %}and {% endif -%}
            checked_rows.{{ column }} is not distinct from recent_keys.{{ column }}
        {%- endfor %}
)

select
    {{ key }},
    count(*) as occurrences
from checked
group by {{ key }}
having count(*) > 1
{%- else %}
select
    {{ key }},
    count(*) as occurrences
from {{ model }}
group by {{ key }}
having count(*) > 1
{%- endif %}

{% endtest %}
