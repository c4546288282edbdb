-- The DfE's official figure for each area, metric and year end (31 March), with the rates per 10,000 children
-- the DfE computes but these data sets do not carry (children in need, child protection plans), from the counts
-- and the ONS mid-year estimate of the year before (DfE convention). An authority is known by its current code,
-- as everywhere else (the authorities seed: Somerset's county code E10000027 reads as E06000066).

with

authorities as (select la_code, predecessor_code from {{ ref('authorities') }}),

figures as (

    select
        coalesce(successors.la_code, official.area_code) as area_code,
        official.* exclude (area_code)
    from {{ ref('stg_dfe__official_figures') }} as official
    left join authorities as successors
        on official.area_code = successors.predecessor_code

),

counts as (

    select area_code, make_date(time_period, 3, 31) as period_end, measure as metric_code, value, fetch_status
    from figures
    where measure <> 'ons_population_0_17'

),

population as (

    select area_code, time_period as mid_year, value as population_0_17
    from figures
    where measure = 'ons_population_0_17'

),

rates as (

    select
        counts.area_code,
        counts.period_end,
        replace(counts.metric_code, '_open', '_rate_per_10k') as metric_code,
        10000 * counts.value / population.population_0_17 as value,
        counts.fetch_status
    from counts
    inner join population
        on population.area_code = counts.area_code
        and population.mid_year = year(counts.period_end) - 1
    where counts.metric_code in ('csc_cin_open', 'csc_cp_open')

)

select * from counts
union all
select * from rates
