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
        {{ clean_identifier('response_id') }} as response_id,
        {{ clean_identifier('customer_id') }} as customer_id,
        {{ clean_identifier('order_id') }} as order_id,
        {{ clean_code('survey_type') }} as survey_type,
        {{ clean_code('purchase_occasion') }} as purchase_occasion,
        {{ clean_code('style_preference') }} as style_preference,
        {{ clean_code('value_priority') }} as value_priority,
        {{ parse_timestamp('responded_at') }} as responded_at,
        cast(responded_at as varchar) as responded_at__raw
    from source
),

checked as (
    select
        *,
        {{ quarantine_reason([
            check_identifier('response_id'),
            check_identifier('customer_id'),
            check_accepted('survey_type', ['post_purchase', 'exit_intent']),
            check_accepted('purchase_occasion', ['gift', 'self'], required=false),
            check_accepted('style_preference', ['classic', 'artisan_limited', 'trendy', 'vintage'], required=false),
            check_accepted('value_priority', ['sustainability', 'craftsmanship', 'price', 'ethical_sourcing', 'brand'], required=false),
            check_timestamp('responded_at'),
            check_known('customer_id', 'base_shop__customers', 'customer_id'),
            check_known('order_id', 'base_shop__orders', 'order_id'),
        ]) }} as quarantine_reason,
        {{ content_hash([
            'response_id', 'customer_id', 'order_id', 'survey_type', 'purchase_occasion',
            'style_preference', 'value_priority', 'responded_at',
        ]) }} as content_hash,
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
