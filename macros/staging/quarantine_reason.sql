{#- Combine quarantine checks (SQL expressions giving a reason or null) into one reason text
    listing every failed check, separated by '; ', or null when the row passes them all. -#}
{% macro quarantine_reason(checks) -%}
    nullif(concat_ws('; ',
        {%- for check in checks %}
        {{ check }}{{ "," if not loop.last }}
        {%- endfor %}
    ), '')
{%- endmacro %}
