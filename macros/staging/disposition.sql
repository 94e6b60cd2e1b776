{#- What staging does with a raw row (expects quarantine_reason and content_hash columns):
      deleted_customer  a row of a customer under a verified deletion request (erased, a SQL
                   condition, e.g. customer_id in erased_customer_ids()): never staged
      quarantined  it failed a check (quarantine_reason)
      staged       the kept row of its key: the first valid row in order_by, ties broken by
                   content_hash, so the winning content never depends on file order (among
                   exact copies, the first in position)
      duplicate    an exact copy (same content_hash) of the kept row
      superseded   an older version of the key (its version differs from the kept row's)
      conflict     same key (and same version, where there is one) as the kept row, but a
                   different content: the platform re-used a key; logged, never staged
    Without a version, every valid row of a key whose content differs from the kept row's is a
    conflict. With earlier_hash (the content_hash of the row an earlier incremental load staged
    for this key, null if none), a row of a key staged before is a duplicate when equal to it,
    else a conflict: the earlier row stays.

    copy_rank and kept_hash (SQL expressions) replace the windows over all rows: the row's rank
    in order_by among the valid rows of its key that are not erased and the kept row's
    content_hash, both null for a key that occurs once. On a large table, ranking only the keys
    that repeat (a narrow aggregate) and joining them back is far cheaper than windows carrying
    every row.

    Arguments:
      key_columns: list of the key's columns
      order_by: optional SQL order of the valid rows of a key, first = kept (content_hash is
        appended: the tie-break)
      version: optional SQL expression of the row's version (e.g. updated_at)
      earlier_hash: optional SQL expression, see above
      copy_rank, kept_hash: optional precomputed rank and kept hash, see above
      erased: optional SQL condition: the row belongs to an erased customer
      position: the raw row's position, last tie-break: among exact copies, which one is
        logged as the staged row is then deterministic too (default source_file,
        source_row_number)
-#}
{% macro disposition(
    key_columns, order_by=none, version=none, earlier_hash=none, copy_rank=none, kept_hash=none,
    erased=none, position='source_file, source_row_number'
) -%}
    {#- only the rows that may be staged compete for the key: not quarantined, not erased -#}
    {%- set window -%}
        over (
            partition by
                quarantine_reason is null{{ ' and not (' ~ erased ~ ')' if erased is not none }},
                {{ key_columns | join(', ') }}
            order by {{ order_by ~ ', ' if order_by }}content_hash, {{ position }}
        )
    {%- endset -%}
    case
        {%- if erased is not none %}
        when {{ erased }} then 'deleted_customer'
        {%- endif %}
        when quarantine_reason is not null then 'quarantined'
        {%- if earlier_hash is not none %}
        when {{ earlier_hash }} = content_hash then 'duplicate'
        when {{ earlier_hash }} is not null then 'conflict'
        {%- endif %}
        {%- if copy_rank is not none %}
        when coalesce({{ copy_rank }}, 1) = 1 then 'staged'
        when content_hash = {{ kept_hash }} then 'duplicate'
        {%- else %}
        when row_number() {{ window }} = 1 then 'staged'
        when content_hash = first_value(content_hash) {{ window }} then 'duplicate'
        {%- if version is not none %}
        when not (({{ version }}) is not distinct from first_value({{ version }}) {{ window }})
            then 'superseded'
        {%- endif %}
        {%- endif %}
        else 'conflict'
    end
{%- endmacro %}
