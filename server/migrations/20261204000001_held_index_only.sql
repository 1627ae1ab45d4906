-- Automatic assignment counts, for every agent of a team, the dialogues they hold (open
-- or postponed) by channel. Through the queue's SLA index that fetched every held
-- dialogue's row (Asia-Pacific's 67 agents hold thousands); carrying the channel in the
-- index lets the count read the index alone. Same name, same keys, so the queue lists
-- that use it are unchanged, and no extra index for every write to keep.
drop index conversations_sla_queue_idx;
create index conversations_sla_queue_idx on conversations (status, assignee_id, sla_order, id)
    include (channel_id) where status <> 'resolved';
