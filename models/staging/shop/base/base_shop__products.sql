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
        {{ staged_columns('shop', 'products') }}
    from source
),

checked as (
    select
        *,
        {{ staged_value_issues('shop', 'products') }},
        {{ quarantine_reason(staged_checks('shop', 'products')) }} as quarantine_reason,
        {{ content_hash(staged_content('shop', 'products')) }} as content_hash
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
