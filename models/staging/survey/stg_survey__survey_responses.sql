-- One row per survey answer, respondent pseudonymized.
with

base_survey_responses as (
    select * from {{ ref('base_survey__survey_responses') }}
),

final as (
    select
        response_id,
        {{ pseudonymize('customer_id', 'customer_id') }} as customer_key,
        order_id,
        survey_type,
        purchase_occasion,
        style_preference,
        value_priority,
        responded_at
    from base_survey_responses
    where disposition = 'staged'
)

select * from final
