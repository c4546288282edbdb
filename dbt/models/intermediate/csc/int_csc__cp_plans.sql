-- One row per child protection plan of every children's social care extract version, whichever layout it came
-- in: the csc zip's cp_plans module and the Children in Need census's ChildProtectionPlans and Annex A's List 7.

{{ union_layouts(
    {'csc': 'stg_csc__cp_plans', 'cin': 'stg_cin__cp_plans', 'annexa': 'stg_annexa__cp_plans'},
    ['plan_id', 'child_id', 'start_date', 'end_date', 'initial_category', 'latest_category', 'previous_plans']
) }}
