-- Pairwise overlap of segments on the business date: for every ordered pair of distinct
-- segments (both directions, so a BI filter on either segment finds the pair), the members of
-- each, the members they share and the Jaccard index shared / (a + b - shared).
with

segment_membership as (
    select * from {{ ref('segment_membership') }}
),

segments as (
    select * from {{ ref('segments') }}
),

sizes as (
    select
        segments.segment_id,
        count(segment_membership.customer_key) as members
    from segments
    left join segment_membership
        on segments.segment_id = segment_membership.segment_id
    group by segments.segment_id
),

shared as (
    select
        a.segment_id,
        b.segment_id as other_segment_id,
        count(*) as shared_members
    from segment_membership as a
    inner join segment_membership as b
        on a.customer_key = b.customer_key and a.segment_id != b.segment_id
    group by a.segment_id, b.segment_id
),

final as (
    select
        a.segment_id,
        b.segment_id as other_segment_id,
        a.members,
        b.members as other_members,
        coalesce(shared.shared_members, 0) as shared_members,
        {{ safe_divide(
            'coalesce(shared.shared_members, 0)',
            'a.members + b.members - coalesce(shared.shared_members, 0)'
        ) }} as jaccard_index,
        {{ as_of_date() }} as as_of_date
    from sizes as a
    inner join sizes as b
        on a.segment_id != b.segment_id
    left join shared
        on a.segment_id = shared.segment_id and b.segment_id = shared.other_segment_id
)

select * from final
