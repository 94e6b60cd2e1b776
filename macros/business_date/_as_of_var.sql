{#- The business date asked for, checked and normalized: 'YYYY-MM-DD' text of a real calendar
    date, or none when none is given. It is the dbt var as_of, or the environment variable
    SEGWAREHOUSE_AS_OF (the daily job's way: a new --vars value makes dbt parse the whole
    project again, an environment variable read only at execute time does not). Given both, they
    must agree (a unit test's vars override the variable). An empty value or null is not given. Any other value (another shape, an
    impossible date such as 2026-13-45 or 2026-02-30, a number, a list) fails the run, naming
    the var or the variable and the value, before anything is built: the var at parse time, the
    environment variable in the on-run-start hook. A date written unquoted in --vars arrives as
    a date and is accepted. -#}
{% macro _as_of_var() -%}
    {%- set given = [] -%}
    {%- set from_var = var('as_of', '') | string | trim -%}
    {%- if from_var not in ('', 'none', 'None') -%}
        {%- do given.append(('dbt var as_of', from_var)) -%}
    {%- endif -%}
    {%- set unit_test = model is defined and model is not none
        and model.get('resource_type') == 'unit_test' -%}
    {%- if execute and not unit_test -%}
        {#- never at parse time: dbt would record the variable as an input of the parse; not
            in a unit test, whose vars say the date of its fixture -#}
        {%- set from_env = env_var('SEGWAREHOUSE_AS_OF', '') | trim -%}
        {%- if from_env != '' -%}
            {%- do given.append(('environment variable SEGWAREHOUSE_AS_OF', from_env)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if given | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- for name, value in given -%}
        {%- if not segwarehouse._is_calendar_date(value) -%}
            {{- exceptions.raise_compiler_error(
                name ~ " must be a calendar date written YYYY-MM-DD (e.g. 2026-09-30), got '"
                ~ value ~ "'"
            ) -}}
        {%- endif -%}
    {%- endfor -%}
    {%- if given | length == 2 and given[0][1] != given[1][1] -%}
        {{- exceptions.raise_compiler_error(
            "dbt var as_of is " ~ given[0][1] ~ " but environment variable SEGWAREHOUSE_AS_OF is "
            ~ given[1][1] ~ ": give the business date once, or the same in both"
        ) -}}
    {%- endif -%}
    {{- return(given[0][1]) -}}
{%- endmacro %}

{#- Where the business date of the run was given, for messages: 'dbt var as_of' or
    'environment variable SEGWAREHOUSE_AS_OF' (the var when both agree). -#}
{% macro _as_of_source() -%}
    {%- if var('as_of', '') | string | trim not in ('', 'none', 'None') -%}
        {{- return('dbt var as_of') -}}
    {%- endif -%}
    {{- return('environment variable SEGWAREHOUSE_AS_OF') -}}
{%- endmacro %}

{#- True when `value` is 'YYYY-MM-DD' text of a real calendar date. -#}
{% macro _is_calendar_date(value) -%}
    {%- set parts = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', value) -%}
    {%- if not parts -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set year = parts.group(1) | int -%}
    {%- set month = parts.group(2) | int -%}
    {%- set day = parts.group(3) | int -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if month == 12 -%}
        {{- return(day <= 31) -}}
    {%- endif -%}
    {%- set month_days = (
        modules.datetime.date(year, month + 1, 1) - modules.datetime.timedelta(days=1)
    ).day -%}
    {{- return(day <= month_days) -}}
{%- endmacro %}
