-- All raw survey-answer rows, parsed and checked, with their disposition. An answer with a
-- missing key, an unknown customer or order, an unexpected code or an unparseable, implausible
-- or future time is quarantined.
with

source as (
    select * from {{ raw_source('survey', 'survey_responses') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ staged_columns('survey', 'survey_responses') }}
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason(staged_checks('survey', 'survey_responses') + [
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
            check_known('order_id', 'base_shop__orders', 'order_id'),
        ]) }} as quarantine_reason,
        {{ content_hash(staged_content('survey', 'survey_responses')) }} as content_hash,
        {{ is_erased_customer('customer_id') }} as is_erased
    from parsed
),

final as (
    select
        source_file,
        source_row_number,
        response_id,
        customer_id,
        order_id,
        survey_type,
        purchase_occasion,
        style_preference,
        value_priority,
        responded_at,
        quarantine_reason,
        content_hash,
        {{ disposition(['response_id'], 'responded_at', erased='is_erased') }} as disposition
    from checked
)

select * from final
