-- What history.segment_registry_history records: every validated version of every segment, as
-- int_segment_versions_validated holds it. A model of its own so that the snapshot comes after
-- the business date that times it (int_business_dates_resolved, read by name in
-- duckdb__snapshot_get_time), which the registry model, reading only its file, does not ref.
-- depends_on: {{ ref('int_business_dates_resolved') }}
with

int_segment_versions_validated as (
    select * from {{ ref('int_segment_versions_validated') }}
),

final as (
    select * from int_segment_versions_validated  -- noqa: AM04
)

select * from final  -- noqa: AM04
