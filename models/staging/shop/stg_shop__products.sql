-- One row per product of the catalogue.
with

base_products as (
    select * from {{ ref('base_shop__products') }}
),

final as (
    select
        product_id,
        product_name,
        category,
        metal,
        gemstone,
        style,
        currency_code,
        list_price,
        is_lab_grown,
        is_bridal,
        launched_at
    from base_products
    where disposition = 'staged'
)

select * from final
