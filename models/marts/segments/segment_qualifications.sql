-- One row per (customer, segment) that has ever qualified: the day it last qualified, under
-- which segment version, and the day its current membership spell began. A customer qualifies
-- on a business day when the rule of the segment version in force that day holds on the day's
-- customer_features and the version's required consent purpose is allowed that day.
-- A spell continues while the customer qualifies again no later than retention_days after the
-- last qualification; otherwise a new spell begins. Incremental: each daily run reads only the
-- day's features and updates the rows of the customers qualifying that day; re-running a day
-- gives the same rows. Business days are processed in order (make simulate does so); a past
-- day is reproduced from the snapshots (macro reproduce_segment_members), never rebuilt here.
-- Customers under a verified deletion request are purged (purge_erased_customers).
{{ config(
    materialized='incremental',
    incremental_strategy=keyed_incremental_strategy(),
    unique_key=['customer_key', 'segment_id'],
    on_schema_change='fail',
    pre_hook="{{ assert_history_in_order('last_qualified_date') }}",
    post_hook="{{ purge_erased_customers() }}"
) }}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

rule_matches as (
    {{ segment_rule_matches('customer_features', 'as_of_date', ref('int_segment_versions_validated')) }}
),

qualified as (
    select
        rule_matches.customer_key,
        rule_matches.segment_id,
        rule_matches.segment_version,
        rule_matches.qualified_date,
        int_segment_versions_validated.definition_hash,
        int_segment_versions_validated.retention_days
    from rule_matches
    inner join int_segment_versions_validated
        on
            rule_matches.segment_id = int_segment_versions_validated.segment_id
            and rule_matches.segment_version = int_segment_versions_validated.segment_version
),

{% if is_incremental() %}
previous as (
    select * from {{ this }}
),
{% else %}
    previous as (
        select
            cast(null as string) as customer_key,
            cast(null as string) as segment_id,
            cast(null as date) as entered_date,
            cast(null as date) as last_qualified_date,
            cast(null as integer) as retention_days
        where false
    ),
{% endif %}

final as (
    select
        qualified.customer_key,
        qualified.segment_id,
        qualified.segment_version,
        qualified.definition_hash,
        qualified.retention_days,
        case
            when
                previous.last_qualified_date <= qualified.qualified_date
                and previous.last_qualified_date + previous.retention_days
                >= qualified.qualified_date
                then previous.entered_date
            else qualified.qualified_date
        end as entered_date,
        qualified.qualified_date as last_qualified_date
    from qualified
    left join previous
        on
            qualified.customer_key = previous.customer_key
            and qualified.segment_id = previous.segment_id
)

select * from final
