-- One row per episode of care of every children's social care extract version, whichever layout it came in:
-- the csc zip's cla_episodes module and the SSDA903 return's Episodes table and Annex A's List 8 (a period of care
-- as one episode), in the same columns.

{{ union_layouts(
    {'csc': 'stg_csc__cla_episodes', 'csc903': 'int_csc903__episodes', 'annexa': 'stg_annexa__cla_episodes'},
    ['child_id', 'episode_start', 'reason_new_episode', 'legal_status', 'category_of_need', 'placement',
     'episode_end', 'reason_ceased', 'uasc']
) }}
