{#- The customers each segment rule selects, as a union of one select per segment version: rows
    (customer_key, qualified_date, segment_id, segment_version) for every row of `features` whose
    day falls in the version's validity, whose required consent purpose is allowed on that row
    (is_<purpose>_allowed) on a legal ground the version's lawful basis accepts
    (<purpose>_legal_ground, macro legal_ground_suffices: a consent-based segment needs a
    grant) and for which the version's rule is true. Rules come from the
    validated registry (int_segment_versions_validated) or a snapshot of it; the rule text is
    inlined as a predicate, so the same SQL runs on today's features and on a feature snapshot.

    Arguments:
      features: relation or CTE name with customer_features columns, one row per customer and day
      day_column: the column of `features` holding the business date of the row
      versions: relation or parenthesised query with the registry columns (segment_id,
                segment_version, rule_sql, required_purpose, lawful_basis, valid_from,
                valid_to)
                (none: no rules, an empty typed result)
      segment_id: optional; only this segment
-#}
{% macro segment_rule_matches(features, day_column, versions, segment_id=none) -%}
    {%- set rows = [] -%}
    {#- a relation not built yet (e.g. when a linter renders the model) has no rules -#}
    {%- if execute and versions is not none and versions.identifier is defined
        and load_relation(versions) is none -%}
        {%- set versions = none -%}
    {%- endif -%}
    {%- if execute and versions is not none -%}
        {%- set query -%}
            select segment_id, segment_version, rule_sql, required_purpose,
                cast(valid_from as string), cast(valid_to as string), lawful_basis
            from {{ versions }} as versions
            {%- if segment_id is not none %} where segment_id = '{{ segment_id }}'{% endif %}
            order by segment_id, segment_version
        {%- endset -%}
        {%- set rows = run_query(query).rows -%}
    {%- endif -%}
    {%- if rows | length == 0 %}
    select
        cast(null as string) as customer_key,
        cast(null as date) as qualified_date,
        cast(null as string) as segment_id,
        cast(null as integer) as segment_version
    from {{ features }}
    where false
    {%- endif -%}
    {%- for row in rows %}
    select
        customer_key,
        {{ day_column }} as qualified_date,
        '{{ row[0] }}' as segment_id,
        {{ row[1] }} as segment_version
    from {{ features }}
    where
        {{ day_column }} >= date '{{ row[4] }}'
        {%- if row[5] is not none %}
        and {{ day_column }} < date '{{ row[5] }}'
        {%- endif %}
        and coalesce(is_{{ row[3] }}_allowed, false)
        and {{ legal_ground_suffices("'" ~ row[6] ~ "'", row[3] ~ '_legal_ground') }}
        and coalesce(({{ row[2] }}), false)
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
