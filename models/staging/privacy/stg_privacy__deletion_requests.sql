-- One row per right-to-delete request, customer pseudonymized. Ephemeral: the key of an erased
-- customer may be kept only in compliance_suppression_list, so no relation stores this one.
{{ config(materialized='ephemeral') }}
with

base_deletion_requests as (
    select * from {{ ref('base_privacy__deletion_requests') }}
),

final as (
    select
        request_id,
        {{ pseudonymize('customer_id', 'customer_id') }} as customer_key,
        request_channel,
        verified_at is not null as is_verified,
        requested_at,
        verified_at
    from base_deletion_requests
    where disposition = 'staged'
)

select * from final
