{#- First day an incremental model (re)processes on this run, as a SQL date literal: the last
    `lookback_days` days before the newest day already loaded (late arrivals), and never after
    the business date minus the lookback (so rebuilding an earlier day replaces what came
    after it). On a full build: date '1900-01-01'. Call it in the model and in its pre-hook
    that deletes the days being reprocessed; both see the table before the delete.

    Arguments:
      column: the date column the model is loaded by (e.g. received_date)
      lookback_days: days reprocessed before the newest loaded day (default var event_lookback_days)
-#}
{% macro incremental_window_start(column, lookback_days=none) -%}
    {%- set days = lookback_days if lookback_days is not none else var('event_lookback_days', 3) -%}
    {%- if not execute -%}
        {#- at parse time, so a model using only this macro depends on what as_of_date reads
            (the staged orders, when var as_of is not given) -#}
        {%- do as_of_date() -%}
    {%- endif -%}
    {%- if execute and is_incremental() -%}
        {%- set start = run_query(
            "select coalesce(least(max(" ~ column ~ ") - " ~ days ~ ", " ~ as_of_date() ~ " - "
            ~ days ~ "), date '1900-01-01') from " ~ this
        ).columns[0].values()[0] -%}
        {{- return("date '" ~ start ~ "'") -}}
    {%- endif -%}
    {{- return("date '1900-01-01'") -}}
{%- endmacro %}

{#- Pre-hook of an incremental model loaded by a date column: on an incremental run, deletes the
    rows of the days it reprocesses (from incremental_window_start on); nothing on a full build.
    Use as pre_hook="{{ delete_reprocessed_days('received_date') }}".

    Arguments:
      column: the date column the model is loaded by
      lookback_days: as for incremental_window_start (default var event_lookback_days)
-#}
{% macro delete_reprocessed_days(column, lookback_days=none) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ column }} >= {{ incremental_window_start(column, lookback_days) }}
    {%- endif -%}
{%- endmacro %}
