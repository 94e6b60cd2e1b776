{#- The latest raw timestamp believed (SQL expression): the wall clock of the run plus var
    future_tolerance_hours. Later timestamps are junk from the future: staging quarantines
    them (check_timestamp) and they never count as raw data for the as_of guard. -#}
{% macro latest_plausible_timestamp() -%}
    (cast(now() as timestamp) + {{ interval_of(var('future_tolerance_hours') | int, 'hour') }})
{%- endmacro %}
