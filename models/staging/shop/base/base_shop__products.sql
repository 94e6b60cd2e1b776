-- All raw product rows, parsed and checked, with their disposition. Products are a dimension:
-- only a missing id quarantines the row; an invalid attribute is set to null (value_issues).
with

source as (
    select * from {{ raw_source('shop', 'products') }}
),

parsed as (
    select
        source_file,
        source_row_number,
        {{ clean_identifier('product_id') }} as product_id,
        nullif(trim(product_name), '') as product_name,
        {{ clean_code('category') }} as category,
        {{ clean_code('metal') }} as metal,
        {{ clean_code('gemstone') }} as gemstone,
        {{ clean_code('style') }} as style,
        {{ clean_code('currency', case='upper') }} as currency_code,
        {{ parse_amount('list_price') }} as list_price,
        {{ parse_boolean('is_lab_grown') }} as is_lab_grown,
        {{ parse_boolean('is_bridal') }} as is_bridal,
        {{ parse_timestamp('launched_at') }} as launched_at,
        cast(list_price as varchar) as list_price__raw,
        cast(launched_at as varchar) as launched_at__raw
    from source
),

checked as (
    select
        *,
        {{ check_accepted('category', ['rings', 'necklaces', 'earrings', 'bracelets', 'watches'], required=false) }}
            as category_issue,
        {{ check_accepted('metal', [
            'yellow_gold', 'white_gold', 'rose_gold', 'platinum', 'silver', 'stainless_steel'
        ], required=false) }} as metal_issue,
        {{ check_accepted('style', ['classic', 'artisan_limited', 'trendy', 'vintage'], required=false) }}
            as style_issue,
        {{ check_amount('list_price', required=false) }} as list_price_issue,
        {{ check_timestamp('launched_at', required=false) }} as launched_at_issue,
        {{ quarantine_reason([check_identifier('product_id')]) }} as quarantine_reason,
        {{ content_hash([
            'product_id', 'product_name', 'category', 'metal', 'gemstone', 'style', 'currency_code',
            'list_price', 'is_lab_grown', 'is_bridal', 'launched_at',
        ]) }} as content_hash
    from parsed
),

repaired as (
    select
        source_file,
        source_row_number,
        product_id,
        product_name,
        case when category_issue is null then category end as category,
        case when metal_issue is null then metal end as metal,
        coalesce(gemstone, 'none') as gemstone,
        case when style_issue is null then style end as style,
        currency_code,
        case when list_price_issue is null then list_price end as list_price,
        coalesce(is_lab_grown, false) as is_lab_grown,
        coalesce(is_bridal, false) as is_bridal,
        case when launched_at_issue is null then launched_at end as launched_at,
        nullif(
            concat_ws(
                '; ', category_issue, metal_issue, style_issue, list_price_issue, launched_at_issue
            ),
            ''
        ) as value_issues,
        quarantine_reason,
        content_hash
    from checked
),

final as (
    select
        *,
        {{ disposition(['product_id'], 'launched_at desc nulls last') }} as disposition
    from repaired
)

select * from final
