{#- A categorical code normalised for comparison: trimmed, lowercase (or uppercase), null when
    blank. Whether the value is an accepted one is checked separately (check_accepted). -#}
{% macro clean_code(column, case='lower') -%}
    nullif({{ 'upper' if case == 'upper' else 'lower' }}(trim(cast({{ column }} as string))), '')
{%- endmacro %}
