-- Reports read each agent's public replies over a period (and whether the schedule had
-- them on shift when they sent each one).
create index messages_agent_replies_idx on messages (created_at, author_user_id)
    where author_kind = 'agent' and visibility = 'public';
