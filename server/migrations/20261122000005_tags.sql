-- Tags on dialogues: for agents' triage, and later trending topics, mass replies and QA filters.
alter table conversations add column tags text[] not null default '{}';
create index conversations_tags_idx on conversations using gin (tags);
alter table conversation_events drop constraint conversation_events_kind_check;
alter table conversation_events add constraint conversation_events_kind_check check (kind in (
    'claimed', 'taken_over', 'assigned', 'released', 'replied', 'noted',
    'postponed', 'woke_up', 'resolved', 'reopened', 'priority_changed', 'outcome_changed', 'tagged'));
