{#- Data test: the combination of columns is unique (a compound primary key); null values take
    part in the comparison as values. Fails with one row per repeated combination.

    Arguments:
      model: the model under test
      columns: the list of column names forming the key
-#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
