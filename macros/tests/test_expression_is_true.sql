{#- Data test: a SQL boolean expression holds on every row (null counts as false). Fails with
    the rows where it does not.

    Arguments:
      model: the model under test
      expression: SQL boolean expression over the model's columns
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
