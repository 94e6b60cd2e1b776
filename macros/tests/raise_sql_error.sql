{#- A SQL expression that fails the query with the text of message_sql (a SQL text
    expression) when evaluated: the database's own error function, so a data test can stop
    with a message that carries the counts it computed in the same query. Dispatched.

    Arguments:
      message_sql: SQL expression of the error text
-#}
{% macro raise_sql_error(message_sql) -%}
    {{ return(adapter.dispatch('raise_sql_error', 'segwarehouse')(message_sql)) }}
{%- endmacro %}

{% macro duckdb__raise_sql_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}

{% macro default__raise_sql_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}
