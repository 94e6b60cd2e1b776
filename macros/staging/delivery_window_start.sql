{#- First delivery date an incremental staging model reads on this run, as a SQL date literal:
    lookback_days before the newest delivery it has loaded, so a file delivered late into a
    recent day's folder is still picked up (files already loaded are skipped by name). None on
    a full build, or when the loaded rows carry no delivery date (layouts without delivery
    folders): then every raw file is listed.
    Arguments:
      lookback_days: days before the newest loaded delivery to list again (default var
        delivery_lookback_days)
-#}
{% macro delivery_window_start(lookback_days=none) -%}
    {%- set days = lookback_days if lookback_days is not none else var('delivery_lookback_days', 3) -%}
    {%- if execute and is_incremental() -%}
        {%- set start = run_query(
            "select max(delivered_date) - " ~ (days | int) ~ " from " ~ this
        ).columns[0].values()[0] -%}
        {%- if start is not none -%}
            {{- return("date '" ~ start ~ "'") -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}
