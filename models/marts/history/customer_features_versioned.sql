-- What history.customer_features_history records: every column of customer_features except
-- as_of_date, which is the day of the run (the snapshot's dbt_valid_from), not a feature: kept,
-- it would open a new version of every customer every day.
with

customer_features as (
    select * from {{ ref('customer_features') }}
),

final as (
    select
        {{ documented_columns('customer_features', excluded=['as_of_date']) }}
    from customer_features
)

select * from final  -- noqa: AM04
