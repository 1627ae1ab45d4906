-- Every customer message records who sent it (issue #18 part 1): the e-mail address, the
-- social handle, or the chat visitor's address (proven or not). Older messages have none.
alter table messages add column sender text;

-- An e-mail threaded by its headers into a dialogue of another customer, from an address
-- that has not written in it before, opens apart ("from another sender") and names the
-- dialogue it answers, for an agent to accept into it or keep apart.
alter table conversations add column answers_dialogue_id bigint references conversations (id) on delete set null;

alter table conversation_events drop constraint conversation_events_kind_check;
alter table conversation_events add constraint conversation_events_kind_check check (kind in (
    'claimed', 'taken_over', 'assigned', 'released', 'replied', 'noted',
    'postponed', 'woke_up', 'resolved', 'reopened', 'priority_changed', 'outcome_changed', 'tagged', 'escalated',
    'opened', 'customer_wrote', 'rated', 'delivery_failed', 'acknowledged', 'incident_update',
    'sla_warning', 'sla_breached', 'rule_fired', 'held_apart', 'sender_accepted'));
