{#- Re-runs segments as of past business dates from the snapshots alone, for auditors: for every
    day D in [from_date, to_date], the rule version in force on each earlier day d is evaluated
    on the customer_features snapshot valid on d, with the consent state of d (a customer
    qualifies on d only if the required purpose was allowed on d on a legal ground the version's
    lawful basis accepts); a customer is a member on D when their last qualification d
    satisfies d + retention_days > D (retention of the version they qualified under) and the
    required purpose is allowed on D on such a ground (macro legal_ground_suffices). The legal
    ground and the version processed under are those of D's features for the purpose; the
    experiment arm is recomputed from that version. Rows: audit_date, customer_key,
    segment_id, segment_version, legal_ground, consent_version, experiment_arm. The registry definitions are those the
    registry snapshot holds on to_date; history starts on the first snapshotted day and assumes
    one run per business day (as daily runs and make simulate do).

    Arguments:
      from_date: first business date to reproduce, 'YYYY-MM-DD'
      to_date: last business date to reproduce, 'YYYY-MM-DD' (default from_date)
      segment_id: optional; only this segment
-#}
{% macro reproduce_segment_members(from_date, to_date=none, segment_id=none) -%}
    {%- set to_date = to_date or from_date -%}
    {%- set features_history = ref('customer_features_history') -%}
    {%- set registry_history = ref('segment_registry_history') -%}
    {#- before the first snapshot (e.g. when a linter renders this) there are no rules to read -#}
    {%- set has_history = execute and load_relation(registry_history) is not none -%}
    {%- set versions -%}
        (
            select *
            from {{ registry_history }}
            where
                dbt_valid_from <= date '{{ to_date }}'
                and (dbt_valid_to is null or date '{{ to_date }}' < dbt_valid_to)
        )
    {%- endset -%}
    with

    reproduced_versions as (
        select * from {{ versions }} as versions
    ),

    history_start as (
        select cast(min(dbt_valid_from) as date) as first_day from {{ features_history }}
    ),

    audit_days as (
        select calendar_date as audit_date
        from {{ days_through("date '" ~ from_date ~ "'", "date '" ~ to_date ~ "'") }} as days
    ),

    qualification_days as (
        select calendar_date as qualification_date
        from {{ days_through("date '" ~ from_date ~ "' - 730", "date '" ~ to_date ~ "'") }} as days
        where
            calendar_date >= (select first_day from history_start)
            and calendar_date > date '{{ from_date }}' - (select max(retention_days) from reproduced_versions)
    ),

    feature_days as (
        select
            -- the snapshot's columns less dbt's: those of customer_features_versioned
            {{ documented_columns('customer_features', excluded=['as_of_date'], relation_alias='features') | indent(12) }},
            qualification_days.qualification_date as as_of_date
        from {{ features_history }} as features
        inner join qualification_days
            on
                features.dbt_valid_from <= qualification_days.qualification_date
                and (
                    features.dbt_valid_to is null
                    or qualification_days.qualification_date < features.dbt_valid_to
                )
    ),

    rule_matches as (
        {{ segment_rule_matches('feature_days', 'as_of_date', versions if has_history else none, segment_id) }}
    ),

    last_qualifications as (
        select
            audit_days.audit_date,
            rule_matches.customer_key,
            rule_matches.segment_id,
            max(rule_matches.qualified_date) as last_qualified_date,
            {{ value_at_max('rule_matches.segment_version', ['rule_matches.qualified_date']) }} as segment_version
        from audit_days
        inner join rule_matches
            on rule_matches.qualified_date <= audit_days.audit_date
        group by audit_days.audit_date, rule_matches.customer_key, rule_matches.segment_id
    ),

    reproduced as (
        select
            last_qualifications.audit_date,
            last_qualifications.customer_key,
            last_qualifications.segment_id,
            last_qualifications.segment_version,
            reproduced_versions.lawful_basis,
            {{ segwarehouse.purpose_column(
                'reproduced_versions.required_purpose', 'feature_days', 'legal_ground'
            ) }} as legal_ground,
            {{ segwarehouse.purpose_column(
                'reproduced_versions.required_purpose', 'feature_days', 'legal_ground_version'
            ) }} as consent_version,
            {{ experiment_arm(
                'last_qualifications.customer_key', 'last_qualifications.segment_id',
                segwarehouse.purpose_column(
                    'reproduced_versions.required_purpose', 'feature_days', 'legal_ground_version'
                ), 'reproduced_versions.holdout_pct'
            ) }} as experiment_arm,
            {{ segwarehouse.purpose_allowed(
                'reproduced_versions.required_purpose', 'feature_days'
            ) }} as is_purpose_allowed
        from last_qualifications
        inner join reproduced_versions
            on
                last_qualifications.segment_id = reproduced_versions.segment_id
                and last_qualifications.segment_version = reproduced_versions.segment_version
        inner join feature_days
            on
                last_qualifications.customer_key = feature_days.customer_key
                and last_qualifications.audit_date = feature_days.as_of_date
        where
            last_qualifications.last_qualified_date + reproduced_versions.retention_days
            > last_qualifications.audit_date
    )

    select
        audit_date,
        customer_key,
        segment_id,
        segment_version,
        legal_ground,
        consent_version,
        experiment_arm
    from reproduced
    where
        coalesce(is_purpose_allowed, false)
        and {{ segwarehouse.legal_ground_suffices('lawful_basis', 'legal_ground') }}
{%- endmacro %}

{#- The members segment_history recorded for every day in [from_date, to_date], with the same
    columns as reproduce_segment_members, to compare the two.

    Arguments:
      from_date: first business date, 'YYYY-MM-DD'
      to_date: last business date, 'YYYY-MM-DD' (default from_date)
      segment_id: optional; only this segment
-#}
{% macro recorded_segment_members(from_date, to_date=none, segment_id=none) -%}
    {%- set to_date = to_date or from_date -%}
    select
        days.calendar_date as audit_date,
        history.customer_key,
        history.segment_id,
        history.segment_version,
        history.legal_ground,
        history.consent_version,
        history.experiment_arm
    from {{ ref('segment_history') }} as history
    inner join {{ days_through("date '" ~ from_date ~ "'", "date '" ~ to_date ~ "'") }} as days
        on
            history.dbt_valid_from <= days.calendar_date
            and (history.dbt_valid_to is null or days.calendar_date < history.dbt_valid_to)
    {%- if segment_id is not none %}
    where history.segment_id = '{{ segment_id }}'
    {%- endif %}
{%- endmacro %}
