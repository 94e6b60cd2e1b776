-- Every right-to-delete request staged by the business date: when it was made, verified and
-- processed (the first business date after verification: from then on the customer has no row
-- in the feature, membership, export, history and suppression relations listed), and a check
-- that no row of the customer remains in them. No personal data and no customer key.
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

int_segment_qualifications_tracked as (
    select * from {{ ref('int_segment_qualifications_tracked') }}
),

requests as (
    select * from int_deletion_requests_processed
),

remaining as (
    select
        requests.request_id,
        count(distinct customer_features.customer_key)
        + count(distinct segment_membership.customer_key)
        + count(distinct int_segment_qualifications_tracked.customer_key) as remaining_rows
    from requests
    left join customer_features
        on requests.customer_key = customer_features.customer_key
    left join segment_membership
        on requests.customer_key = segment_membership.customer_key
    left join int_segment_qualifications_tracked
        on requests.customer_key = int_segment_qualifications_tracked.customer_key
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
                then {{ sql_string_list([
                    'marts.customer_features', 'marts.segment_membership',
                    'marts.segment_activation_export', 'intermediate.int_segment_qualifications_tracked',
                    'history.customer_features_history', 'history.segment_history'
                ]) }}
        end as relations_purged,
        remaining.remaining_rows as rows_remaining,
        {{ as_of_date() }} as as_of_date
    from requests
    inner join remaining
        on requests.request_id = remaining.request_id
)

select * from final
