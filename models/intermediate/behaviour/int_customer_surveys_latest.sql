-- One row per customer who answered a survey by the business date: the latest stated purchase
-- occasion, style preference and value priority (each the newest non-null answer).
with

survey_responses as (
    select * from {{ ref('stg_survey__survey_responses') }}
),

known_responses as (
    select *
    from survey_responses
    where responded_at < {{ as_of_end_timestamp() }}
),

final as (
    select
        customer_key,
        {{ value_at_max('purchase_occasion', ['responded_at', 'response_id']) }}
        filter (where purchase_occasion is not null) as stated_purchase_occasion,
        {{ value_at_max('style_preference', ['responded_at', 'response_id']) }}
        filter (where style_preference is not null) as stated_style_preference,
        {{ value_at_max('value_priority', ['responded_at', 'response_id']) }}
        filter (where value_priority is not null) as stated_value_priority,
        max(responded_at) as last_responded_at
    from known_responses
    group by customer_key
)

select * from final
