{#- What staging does with a raw row: 'quarantined' (it failed a check), 'duplicate' (a valid
    row whose key was kept from another raw row), or 'staged'. Among valid rows of one key the
    first in order_by is kept; with kept_before (a SQL condition), a valid row whose key an
    earlier incremental load already staged is a duplicate too. Expects a quarantine_reason
    column.

    copy_rank (a SQL expression) replaces the window over all rows: the row's rank in order_by
    among the valid rows of its key, null for a key that occurs once. On a large table, ranking
    only the keys that repeat (a narrow aggregate) and joining the ranks back is far cheaper
    than a window that carries every row and column (base_tracking__events). -#}
{% macro disposition(key_columns, order_by, kept_before=none, copy_rank=none) -%}
    case
        when quarantine_reason is not null then 'quarantined'
        {%- if kept_before is not none %}
        when {{ kept_before }} then 'duplicate'
        {%- endif %}
        {%- if copy_rank is not none %}
        when coalesce({{ copy_rank }}, 1) > 1 then 'duplicate'
        {%- else %}
        when row_number() over (
            partition by quarantine_reason is null, {{ key_columns | join(', ') }}
            order by {{ order_by }}
        ) > 1 then 'duplicate'
        {%- endif %}
        else 'staged'
    end
{%- endmacro %}
