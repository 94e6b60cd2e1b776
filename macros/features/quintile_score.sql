{#- A 1-5 quintile score of an expression over all rows of the query (a window function):
    1 + floor(5 * percent_rank), capped at 5. Ties share one score (the lower quintile), so the
    score is deterministic. descending=true scores the smallest values highest (e.g. recency).

    Arguments:
      expression: SQL expression to score
      descending: score small values high
-#}
{% macro quintile_score(expression, descending=false) -%}
    cast(least(5, 1 + floor(5 * percent_rank() over (order by {{ expression }}{{ ' desc' if descending }}))) as integer)
{%- endmacro %}
