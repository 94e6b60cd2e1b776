-- Auditor's reproduction of a segment on a past business date, from the snapshots alone.
--   dbt compile --select reproduce_segment --vars '{audit_segment: bridal_intent, audit_date: 2026-09-14}'
-- then run target/compiled/segwarehouse/analyses/reproduce_segment.sql against the warehouse.
-- Rows: customers the rule version in force would have selected that day with that day's
-- features, consent and legal ground, and whether segment_history recorded each one (in_history). A row with
-- in_history = false, or a recorded member missing here (in_reproduction = false), is a finding.
{%- set audit_date = var('audit_date', '2026-09-30') %}
{%- set audit_segment = var('audit_segment', none) %}

with

reproduced as (
    {{ reproduce_segment_members(audit_date, audit_date, audit_segment) }}
),

recorded as (
    {{ recorded_segment_members(audit_date, audit_date, audit_segment) }}
),

final as (
    select
        coalesce(reproduced.audit_date, recorded.audit_date) as audit_date,
        coalesce(reproduced.segment_id, recorded.segment_id) as segment_id,
        coalesce(reproduced.customer_key, recorded.customer_key) as customer_key,
        coalesce(reproduced.segment_version, recorded.segment_version) as segment_version,
        coalesce(reproduced.legal_ground, recorded.legal_ground) as legal_ground,
        coalesce(reproduced.consent_version, recorded.consent_version) as consent_version,
        coalesce(reproduced.experiment_arm, recorded.experiment_arm) as experiment_arm,
        reproduced.customer_key is not null as in_reproduction,
        recorded.customer_key is not null as in_history
    from reproduced
    full outer join recorded
        on
            reproduced.audit_date = recorded.audit_date
            and reproduced.segment_id = recorded.segment_id
            and reproduced.customer_key = recorded.customer_key
)

select * from final
order by segment_id, customer_key
