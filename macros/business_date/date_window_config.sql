{#- The one pattern of a date-windowed incremental model, as its config:
        {{ config(**date_window_config('received_date')) }}
    append, with a pre-hook that on an incremental run deletes the rows of the days it
    reprocesses (`column` >= incremental_window_start, called with the same arguments), and
    the purge of erased customers after each run. The model selects the same days:
        where received_date >= {{ incremental_window_start('received_date') }}
    so a run replaces its window whole and leaves the days before it as they are; nothing is
    deleted on a full build. on_schema_change is fail (a contracted model needs it).

    Arguments:
      column: the date column the model is loaded by
      lookback_days: as for incremental_window_start (default var event_lookback_days)
      from_newest_loaded: as for incremental_window_start (default true: late arrivals)
      also_replace: optional SQL condition (it may hold Jinja, rendered when the hook runs) on
        the stored rows that are replaced too, whatever their date (e.g. orders updated in the
        window)
      purge_erased: false for a model without customer keys (default true: post-hook
        purge_erased_customers)
-#}
{% macro date_window_config(
    column, lookback_days=none, from_newest_loaded=true, also_replace=none, purge_erased=true
) -%}
    {%- if not execute -%}
        {#- at parse time: the pre-hook reads the business date (incremental_window_start), so
            the model depends on what as_of_date reads, even if its body does not call it -#}
        {%- do as_of_date() -%}
    {%- endif -%}
    {%- set window_start = "incremental_window_start('" ~ column ~ "', "
        ~ (lookback_days if lookback_days is not none else "none") ~ ", "
        ~ (from_newest_loaded | string | lower) ~ ")" -%}
    {%- set pre_hook = "{% if is_incremental() %}delete from {{ this }} where " ~ column
        ~ " >= {{ " ~ window_start ~ " }}"
        ~ (" or " ~ also_replace if also_replace else "") ~ "{% endif %}" -%}
    {%- set settings = {
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': pre_hook,
    } -%}
    {%- if purge_erased -%}
        {%- do settings.update({'post_hook': "{{ purge_erased_customers() }}"}) -%}
    {%- endif -%}
    {{- return(settings) -}}
{%- endmacro %}
