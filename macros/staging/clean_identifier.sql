{#- Trimmed text of an identifier, or null when it is missing or a junk placeholder
    ('', 'null', 'unknown', 'anonymous', '0', '-1', ...: see var junk_identifiers), so junk
    never becomes one giant customer. -#}
{% macro clean_identifier(column) -%}
    {%- set junk = var('junk_identifiers', [
        '', 'null', 'none', 'nil', 'nan', 'unknown', 'anonymous', 'guest', 'n/a', 'na',
        'undefined', '0', '-1', '#n/a', '(null)'
    ]) -%}
    case
        when lower(trim(cast({{ column }} as string))) in (
            {%- for value in junk %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
        ) then null
        else trim(cast({{ column }} as string))
    end
{%- endmacro %}
