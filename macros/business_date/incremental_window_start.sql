{#- First day a date-windowed incremental model (re)processes on this run, as a SQL date literal
    (the window is the pattern of macro date_window_config). On a full build: date '1900-01-01'.
    On an incremental run:
      - late arrivals (from_newest_loaded, the default): the last `lookback_days` days before the
        newest day already loaded, and never after the business date minus the lookback (so
        rebuilding an earlier day replaces what came after it);
      - business days (from_newest_loaded=false): the business date minus `lookback_days`.
    Call it in the model (its `where`) and let the pre-hook of date_window_config delete the
    same days; both see the table before the delete.

    Arguments:
      column: the date column the model is loaded by (e.g. received_date)
      lookback_days: days reprocessed before the newest loaded day or the business date
        (default var event_lookback_days)
      from_newest_loaded: true (late arrivals) or false (business days), as above
      model_name: the incremental model whose window this is (default: the model being built),
        for an ephemeral model feeding it: its run is incremental when that model's relation
        exists and --full-refresh is not given, as dbt decides for the model itself
-#}
{% macro incremental_window_start(column, lookback_days=none, from_newest_loaded=true, model_name=none) -%}
    {%- set days = lookback_days if lookback_days is not none else var('event_lookback_days', 3) -%}
    {%- if not execute -%}
        {#- at parse time, so a model using only this macro depends on what as_of_date reads
            (the staged orders, when var as_of is not given) -#}
        {%- do as_of_date() -%}
        {{- return("date '1900-01-01'") -}}
    {%- endif -%}
    {%- if model_name is none -%}
        {%- set relation = this if is_incremental() else none -%}
    {%- else -%}
        {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
        {%- set relation = none if flags.FULL_REFRESH
            else adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- endif -%}
    {%- if relation is none -%}
        {{- return("date '1900-01-01'") -}}
    {%- endif -%}
    {%- if from_newest_loaded -%}
        {%- set query = "select coalesce(least(max(" ~ column ~ ") - " ~ days ~ ", " ~ as_of_date()
            ~ " - " ~ days ~ "), date '1900-01-01') from " ~ relation -%}
    {%- else -%}
        {%- set query = "select cast(" ~ as_of_date() ~ " - " ~ days ~ " as date)" -%}
    {%- endif -%}
    {{- return("date '" ~ run_query(query).columns[0].values()[0] ~ "'") -}}
{%- endmacro %}
