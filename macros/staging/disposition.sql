{#- What staging does with a raw row: 'quarantined' (it failed a check), 'duplicate' (a valid
    row whose key was kept from another raw row), or 'staged'. Among valid rows of one key the
    first in order_by is kept; with kept_before (a SQL condition), a valid row whose key an
    earlier incremental load already staged is a duplicate too. Expects a quarantine_reason
    column. -#}
{% macro disposition(key_columns, order_by, kept_before=none) -%}
    case
        when quarantine_reason is not null then 'quarantined'
        {%- if kept_before is not none %}
        when {{ kept_before }} then 'duplicate'
        {%- endif %}
        when row_number() over (
            partition by quarantine_reason is null, {{ key_columns | join(', ') }}
            order by {{ order_by }}
        ) > 1 then 'duplicate'
        else 'staged'
    end
{%- endmacro %}
