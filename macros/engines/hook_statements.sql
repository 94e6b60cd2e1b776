{#- Several SQL statements as the text of one hook. DuckDB runs them as one script (joined by
    ';'); Spark runs one statement per call, so there they are run here, in order, as the hook
    is rendered, and the hook itself is a no-op statement.

    Arguments:
      statements: list of SQL statements, without a trailing ';'
-#}
{% macro hook_statements(statements) -%}
    {{ return(adapter.dispatch('hook_statements', 'segwarehouse')(statements)) }}
{%- endmacro %}

{% macro default__hook_statements(statements) -%}
    {{ statements | join(';\n') }}
{%- endmacro %}

{% macro spark__hook_statements(statements) -%}
    {%- if execute -%}
        {%- for statement in statements -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as hook_statements_run
{%- endmacro %}

{#- The wall clock now, as a UTC timestamp without time zone (DuckDB) or a timestamp shown in the
    session's UTC (Spark). -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default__utc_now() -%}
    cast(current_timestamp at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro spark__utc_now() -%}
    current_timestamp()
{%- endmacro %}
