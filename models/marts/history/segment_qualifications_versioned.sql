-- What history.segment_qualifications_history records: the incremental segment state
-- segment_qualifications with last_qualified_date recorded as
-- last_qualified_before_date, null while the customer qualifies on the business date of the
-- run, else the earlier day they last qualified. A streak of daily qualifications is then one
-- version, not one per day: a new version opens only when the customer starts or stops
-- qualifying or the spell, version or retention changes. segwarehouse.tools.history restores the
-- state of a day D from the versions valid on D (a null read as the last day run up to D).
with

segment_qualifications as (
    select * from {{ ref('segment_qualifications') }}
),

final as (
    select
        customer_key,
        segment_id,
        segment_version,
        definition_hash,
        retention_days,
        entered_date,
        nullif(last_qualified_date, {{ as_of_date() }}) as last_qualified_before_date
    from segment_qualifications
)

select * from final
