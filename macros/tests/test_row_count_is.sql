{#- Data test: the model holds exactly `count` rows. Fails with one row giving the count found.

    Arguments:
      model: the model under test
      count: the number of rows expected
-#}
{% test row_count_is(model, count) %}

select count(*) as row_count
from {{ model }}
having count(*) <> {{ count | int }}

{% endtest %}
