{#- Hook that stops a run whose business date is before history already recorded in `this`:
    history is written in date order (a snapshot or incremental state rebuilt for an earlier day
    would be corrupted). Re-running the latest day is fine. To rebuild from an earlier day,
    roll the history back to it first (python -m segwarehouse.tools.history rollback), or reset it
    (make simulate does so). Nothing is checked when `this` does not exist yet.

    Arguments:
      column: the column of `this` holding the business date of each row (dbt_valid_from for
              snapshots)
-#}
{% macro assert_history_in_order(column='dbt_valid_from') -%}
    {#- checked here, as the hook is rendered (Spark runs a hook's query lazily: an error in its
        rows would never be raised), the hook itself a no-op statement -#}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
        {%- if existing is not none -%}
            {%- set checked -%}
                select
                    cast(cast(max({{ column }}) as date) as string) as max_recorded,
                    cast(cast({{ business_timestamp() }} as date) as string) as business_day
                from {{ existing }}
            {%- endset -%}
            {%- set row = run_query(checked).rows[0] -%}
            {%- if row[0] is not none and row[0] > row[1] -%}
                {{- exceptions.raise_compiler_error(
                    this ~ " already holds history up to " ~ row[0] ~ ", after the business date "
                    ~ row[1] ~ ": history is written in date order. To rebuild from an earlier"
                    ~ " day, roll it back first, keeping the days before it: make"
                    ~ " history-rollback TO=YYYY-MM-DD (python -m segwarehouse.tools.history"
                    ~ " rollback --to YYYY-MM-DD)"
                ) -}}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1 as history_in_order
{%- endmacro %}
