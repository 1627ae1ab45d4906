-- The queue's "closest to breach first" order: each dialogue's earliest running SLA due
-- time, or a far-future sentinel when none runs (paused, met, no policy), so the order
-- and its keyset cursor need no NULL handling. Kept by the server with `sla_due_at`.
alter table conversations add column sla_order timestamptz not null default '9999-12-31 00:00:00+00';

-- Unassigned and Mine: (status, assignee_id, sla_order, id); All open and Postponed:
-- (status, sla_order, id). Resolved dialogues keep the sentinel and are not in these lists.
create index conversations_sla_queue_idx on conversations (status, assignee_id, sla_order, id) where status <> 'resolved';
create index conversations_sla_status_idx on conversations (status, sla_order, id) where status <> 'resolved';
