-- Priority and outcome changes are recorded like every other change.
alter table conversation_events drop constraint conversation_events_kind_check;
alter table conversation_events add constraint conversation_events_kind_check check (kind in (
    'claimed', 'taken_over', 'assigned', 'released', 'replied', 'noted',
    'postponed', 'woke_up', 'resolved', 'reopened', 'priority_changed', 'outcome_changed'));
-- The conversion metric counts dialogues whose outcome is 'converted'.
alter table conversations add constraint conversations_outcome_check
    check (outcome is null or outcome in ('converted', 'not_converted'));
