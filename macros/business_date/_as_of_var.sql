{#- The dbt var as_of checked and normalized: 'YYYY-MM-DD' text of a real calendar date, or none
    when the var is not given (empty or null). Any other value (another shape, an impossible date
    such as 2026-13-45 or 2026-02-30, a number, a list) fails the run at parse time, naming the
    var and the value, before anything is built. A date written unquoted in --vars arrives as a
    date and is accepted. -#}
{% macro _as_of_var() -%}
    {%- set value = var('as_of', '') | string | trim -%}
    {%- if value in ('', 'none', 'None') -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set parts = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', value) -%}
    {%- set valid = namespace(date=false) -%}
    {%- if parts -%}
        {%- set year = parts.group(1) | int -%}
        {%- set month = parts.group(2) | int -%}
        {%- set day = parts.group(3) | int -%}
        {%- if year >= 1 and 1 <= month <= 12 and day >= 1 -%}
            {%- if month == 12 -%}
                {%- set month_days = 31 -%}
            {%- else -%}
                {%- set month_days = (
                    modules.datetime.date(year, month + 1, 1) - modules.datetime.timedelta(days=1)
                ).day -%}
            {%- endif -%}
            {%- set valid.date = day <= month_days -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not valid.date -%}
        {{- exceptions.raise_compiler_error(
            "dbt var as_of must be a calendar date written YYYY-MM-DD (e.g. 2026-09-30), got '"
            ~ value ~ "'"
        ) -}}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
