{#- Hook that stops a run whose business date is before history already recorded in `this`:
    history is written in date order (a snapshot or incremental state rebuilt for an earlier day
    would be corrupted). Re-running the latest day is fine. To rebuild from an earlier day,
    roll the history back to it first (python -m segwarehouse.tools.history rollback), or reset it
    (make simulate does so). Renders nothing when `this` does not exist yet.

    Arguments:
      column: the column of `this` holding the business date of each row (dbt_valid_from for
              snapshots)
-#}
{% macro assert_history_in_order(column='dbt_valid_from') -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) -%}
        {%- if existing is not none -%}
            select error(
                '{{ this }} already holds history up to ' || cast(max_recorded as string)
                || ', after the business date ' || cast(business_day as string)
                || ': history is written in date order. To rebuild from an earlier day, roll it '
                || 'back first, keeping the days before it: make history-rollback TO=YYYY-MM-DD '
                || '(python -m segwarehouse.tools.history rollback --to YYYY-MM-DD)'
            )
            from (
                select
                    cast(max({{ column }}) as date) as max_recorded,
                    cast({{ business_timestamp() }} as date) as business_day
                from {{ existing }}
            ) as recorded
            where max_recorded > business_day
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
