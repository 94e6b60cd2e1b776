{#- A raw number (any numeric type or numeric text) as decimal(18, 2), null when unparseable. -#}
{% macro parse_amount(column) -%}
    try_cast(nullif(trim(cast({{ column }} as varchar)), '') as decimal(18, 2))
{%- endmacro %}

{#- A raw count (integer type or integer text) as integer, null when unparseable. -#}
{% macro parse_integer(column) -%}
    try_cast(nullif(trim(cast({{ column }} as varchar)), '') as integer)
{%- endmacro %}

{#- A raw flag (BOOLEAN, 0/1, true/false/t/f/yes/no text) as boolean, null when unparseable. -#}
{% macro parse_boolean(column) -%}
    try_cast(nullif(trim(cast({{ column }} as varchar)), '') as boolean)
{%- endmacro %}
