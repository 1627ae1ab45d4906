-- "Most urgent first": a list ordered by priority (urgent, high, normal, low), then by
-- how long each has waited, keyset-paged on its own index like every other list.
alter table conversations add column priority_rank smallint generated always as (
    case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end) stored;
create index conversations_priority_queue_idx on conversations (status, assignee_id, priority_rank, created_at, id);
create index conversations_priority_status_idx on conversations (status, priority_rank, created_at, id);
