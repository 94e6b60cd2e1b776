-- One row per segment and day of int_segment_members_dated with members: members per arm.
with

int_segment_members_dated as (
    select * from {{ ref('int_segment_members_dated') }}
),

final as (
    select
        segment_id,
        member_date,
        count(*) as members,
        count(*) filter (where experiment_arm = 'treatment') as treatment_members,
        count(*) filter (where experiment_arm = 'holdout') as holdout_members
    from int_segment_members_dated
    group by segment_id, member_date
)

select * from final
