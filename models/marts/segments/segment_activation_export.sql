-- What activation systems (e-mail, on-site, ad audiences) receive: the treatment arm of the
-- consented members on the business date, with no identifier but the
-- pseudonymous customer key. Holdout members are never exported, so the lift read-out stays
-- honest.
with

segment_membership as (
    select * from {{ ref('segment_membership') }}
),

final as (
    select
        customer_key,
        segment_id,
        segment_version,
        legal_ground,
        consent_version,
        expires_at,
        as_of_date
    from segment_membership
    where experiment_arm = 'treatment'
)

select * from final
