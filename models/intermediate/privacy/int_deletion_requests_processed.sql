-- Every right-to-delete request staged by the business date, with when it takes effect: a
-- request verified by the end of the business date is processed from midnight UTC after its
-- verification day (from then on the customer has no row downstream). Ephemeral, like the
-- staged requests: the key of an erased customer is stored only in compliance_suppression_list.
{{ config(materialized='ephemeral') }}

with

stg_privacy__deletion_requests as (
    select * from {{ ref('stg_privacy__deletion_requests') }}
),

final as (
    select
        request_id,
        customer_key,
        request_channel,
        is_verified,
        requested_at,
        verified_at,
        case
            when is_verified and verified_at < {{ as_of_end_timestamp() }}
                then cast(cast(verified_at as date) + 1 as timestamp)
        end as processed_at,
        coalesce(is_verified and verified_at < {{ as_of_end_timestamp() }}, false) as is_processed
    from stg_privacy__deletion_requests
    where requested_at < {{ as_of_end_timestamp() }}
)

select * from final
