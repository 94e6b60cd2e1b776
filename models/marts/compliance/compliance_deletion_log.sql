-- Every right-to-delete request staged by the business date: when it was made, verified and
-- processed (the first business date after verification: from then on the customer has no row
-- in any stored relation but compliance_suppression_list), and a check that no row of the
-- customer remains in the main ones. No personal data and no customer key.
with

int_deletion_requests_processed as (
    select * from {{ ref('int_deletion_requests_processed') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

segment_membership as (
    select * from {{ ref('segment_membership') }}
),

segment_qualifications as (
    select * from {{ ref('segment_qualifications') }}
),

int_events_attributed as (
    select * from {{ ref('int_events_attributed') }}
),

int_orders_valued as (
    select * from {{ ref('int_orders_valued') }}
),

requests as (
    select * from int_deletion_requests_processed
),

remaining as (
    select
        requests.request_id,
        count(distinct customer_features.customer_key)
        + count(distinct segment_membership.customer_key)
        + count(distinct segment_qualifications.customer_key)
        + count(distinct int_events_attributed.customer_key)
        + count(distinct int_orders_valued.customer_key) as remaining_rows
    from requests
    left join customer_features
        on requests.customer_key = customer_features.customer_key
    left join segment_membership
        on requests.customer_key = segment_membership.customer_key
    left join segment_qualifications
        on requests.customer_key = segment_qualifications.customer_key
    left join int_events_attributed
        on requests.customer_key = int_events_attributed.customer_key
    left join int_orders_valued
        on requests.customer_key = int_orders_valued.customer_key
    group by requests.request_id
),

final as (
    select
        requests.request_id,
        requests.request_channel,
        requests.is_verified,
        requests.requested_at,
        requests.verified_at,
        requests.processed_at,
        requests.is_processed,
        case
            when requests.is_processed
                -- every stored relation keyed to customers: staging never stages the customer's
                -- rows again, and the incremental ones purge what they loaded before
                then {{ sql_string_list([
                    'staging (every model: rows logged as deleted_customer, without keys)',
                    'staging.base_tracking__events', 'intermediate.int_events_attributed',
                    'intermediate.int_customer_event_days_aggregated', 'intermediate.int_orders_valued',
                    'intermediate.int_segment_exposures_attributed',
                    'marts.segment_qualifications',
                    'marts.customer_features', 'marts.segment_membership',
                    'marts.segment_activation_export', 'history.customer_features_history',
                    'history.segment_history', 'history.segment_qualifications_history'
                ]) }}
        end as relations_purged,
        remaining.remaining_rows as rows_remaining,
        {{ as_of_date() }} as as_of_date
    from requests
    inner join remaining
        on requests.request_id = remaining.request_id
)

select * from final
