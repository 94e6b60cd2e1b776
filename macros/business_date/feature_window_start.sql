{#- The first business day of a feature window ending on the business date, as a SQL date
    expression: a day is in the window when `<date> >= feature_window_start('short')`. The
    lengths are vars (short_feature_window_days 30, medium_feature_window_days 90,
    long_feature_window_days 365), the same int_business_dates_resolved records.

    Arguments:
      window: short, medium or long
-#}
{% macro feature_window_start(window) -%}
    {%- if window not in ('short', 'medium', 'long') -%}
        {{- exceptions.raise_compiler_error(
            "feature_window_start: window must be short, medium or long, got '" ~ window ~ "'"
        ) -}}
    {%- endif -%}
    {%- set days = var(window ~ '_feature_window_days') | int -%}
    {%- if days < 1 -%}
        {{- exceptions.raise_compiler_error(
            "dbt var " ~ window ~ "_feature_window_days must be a whole number of days >= 1, got '"
            ~ var(window ~ '_feature_window_days') ~ "'"
        ) -}}
    {%- endif -%}
    ({{ as_of_date() }} - {{ days - 1 }})
{%- endmacro %}
