{#- What staging does with a raw row: 'quarantined' (it failed a check), 'duplicate' (a valid
    row whose key was kept from another raw row), or 'staged'. Among valid rows of one key the
    first in order_by is kept. Expects a quarantine_reason column. -#}
{% macro disposition(key_columns, order_by) -%}
    case
        when quarantine_reason is not null then 'quarantined'
        when row_number() over (
            partition by quarantine_reason is null, {{ key_columns | join(', ') }}
            order by {{ order_by }}
        ) > 1 then 'duplicate'
        else 'staged'
    end
{%- endmacro %}
