{#- on-run-start / on-run-end hook: records each dbt invocation that runs nodes (build, run,
    seed, snapshot, test) in ops.dbt_invocations inside the warehouse, so the publisher can tell
    a finished build from one that was killed: the row is inserted (finished_at null) before the
    first node runs and completed only when the run ends. A SIGKILL, a crash or Ctrl-C leaves it
    unfinished; target/run_results.json cannot say so (it keeps the previous run's results, or
    only the nodes that completed before an interrupt). Schema ops is not published.

    Arguments:
      phase: 'start' (on-run-start) or 'end' (on-run-end)
      results: the on-run-end `results` (the run's node results); unused at start
-#}
{% macro record_dbt_invocation(phase, results=none) -%}
    {%- set table = 'ops.dbt_invocations' -%}
    {%- if phase == 'start' -%}
        {%- set selection = {} -%}
        {%- for flag in ['select', 'exclude', 'selector'] -%}
            {%- if invocation_args_dict.get(flag) -%}
                {%- do selection.update({flag: invocation_args_dict[flag]}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set statements = [
            "create schema if not exists ops",
            "create table if not exists " ~ table ~ " (
            invocation_id string" ~ segwarehouse._primary_key_clause() ~ ",
            command string not null,
            node_selection string,
            result_count integer,
            failed_count integer,
            is_success boolean,
            started_at timestamp not null,
            finished_at timestamp
        )",
            "insert into " ~ table ~ " (invocation_id, command, node_selection, result_count,
            failed_count, is_success, started_at, finished_at)
        values (
            '" ~ invocation_id ~ "',
            '" ~ flags.WHICH ~ "',
            " ~ ("'" ~ (tojson(selection) | replace("'", "''")) ~ "'" if selection else 'null') ~ ",
            null,
            null,
            null,
            timestamp '" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "',
            null
        )",
        ] -%}
    {%- elif phase == 'end' -%}
        {%- set ok_statuses = ['success', 'pass', 'warn', 'no-op'] -%}
        {%- set failed = (results or []) | rejectattr('status', 'in', ok_statuses) | list -%}
        {%- set statements = ["update " ~ table ~ "
        set
            result_count = " ~ (results or []) | length ~ ",
            failed_count = " ~ failed | length ~ ",
            is_success = " ~ ('true' if failed | length == 0 else 'false') ~ ",
            finished_at = " ~ segwarehouse.utc_now() ~ "
        where invocation_id = '" ~ invocation_id ~ "'"] -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("record_dbt_invocation: phase must be 'start' or 'end', got " ~ phase) }}
    {%- endif -%}
    {{ segwarehouse.hook_statements(statements) }}
{%- endmacro %}

{#- The primary-key clause of the invocation id (DuckDB; Spark tables have no key constraint:
    the invocation id is dbt's uuid, unique by construction). -#}
{% macro _primary_key_clause() -%}
    {{ return(adapter.dispatch('_primary_key_clause', 'segwarehouse')()) }}
{%- endmacro %}

{% macro default___primary_key_clause() -%}
    {{ return(' primary key') }}
{%- endmacro %}

{% macro spark___primary_key_clause() -%}
    {{ return('') }}
{%- endmacro %}
