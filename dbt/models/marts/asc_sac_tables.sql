-- The Safeguarding Adults Collection tables SG1a-SG1d, SG2a, SG2b, SG2c, SG2e, SG3a and SG4a in the collection's
-- long shape, per authority and quarter end for the financial year to date, from the current extract: every cell
-- of every table (zeros included, laid out by the sac_table_layout seed), so an authority can check its annual
-- return (the 31 March rows) against it.

with

windows as (select * from {{ ref('int_asc__extract_windows') }}),
versions as (select load_id, file_name from {{ ref('int_extract_versions') }} where is_current),
layout as (select * from {{ ref('sac_table_layout') }}),
cells as (select * from {{ ref('int_asc__sac_cells') }}),

current_extracts as (

    select windows.*, versions.file_name as source_file
    from windows
    inner join versions using (load_id)

),

final as (

    select
        current_extracts.la_code,
        current_extracts.period_end,
        layout.table_reference,
        layout.enquiry_type,
        layout.category,
        layout.subcategory,
        coalesce(cells.value, 0) as value,
        layout.table_title,
        layout.counted,
        layout.sort_order,
        current_extracts.source_file

    from current_extracts
    cross join layout
    left join cells
        on cells.load_id = current_extracts.load_id
        and cells.table_reference = layout.table_reference
        and cells.enquiry_type = layout.enquiry_type
        and cells.category = layout.category
        and cells.subcategory = layout.subcategory

)

select * from final
