-- Sales: a dialogue held by someone on the sales desk is theirs (the relationship between
-- one rep and one client). Colleagues do not take it over or reassign it; they acknowledge
-- the customer's message and forward it to the rep, who is notified.
alter table users add column desk text not null default 'support' check (desk in ('support', 'sales'));

alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check check (kind in ('mention', 'forwarded'));

alter table conversation_events drop constraint conversation_events_kind_check;
alter table conversation_events add constraint conversation_events_kind_check check (kind in (
    'claimed', 'taken_over', 'assigned', 'released', 'replied', 'noted',
    'postponed', 'woke_up', 'resolved', 'reopened', 'priority_changed', 'outcome_changed', 'tagged', 'escalated',
    'opened', 'customer_wrote', 'rated', 'delivery_failed', 'acknowledged'));

-- One queue per channel, purpose and team: each list within it reads its own index
-- (the same keyset as the lists: status, then the time and id).
create index conversations_channel_queue_idx on conversations (channel_id, status, created_at, id);
create index conversations_topic_queue_idx on conversations (topic, status, created_at, id);
create index conversations_team_queue_idx on conversations (team_id, status, created_at, id);
