-- SLA results for the reports, and a manager's notification as an escalation.
--
-- A dialogue keeps one clock per wait for the next response (not only the latest), so
-- every answered wait stays met or missed; the key gains the clock's start.
alter table sla_clocks drop constraint sla_clocks_pkey;
alter table sla_clocks add primary key (conversation_id, metric, started_at);

-- SLA achievement in the rollups: targets met and missed per day, channel and team and per
-- agent (columns beside the other counters), and per policy and target.
alter table rollup_days add column sla_met int8 not null default 0, add column sla_breached int8 not null default 0;
alter table rollup_agent_days add column sla_met int8 not null default 0, add column sla_breached int8 not null default 0;
create table rollup_sla_days (
    day           date not null,
    -- 0: a policy since deleted.
    policy_id     int8 not null,
    metric        text not null check (metric in ('first_response', 'next_response', 'resolution')),
    channel_id    int8 not null,
    team_id       int8 not null,
    sla_met       int8 not null default 0,
    sla_breached  int8 not null default 0,
    primary key (day, policy_id, metric, channel_id, team_id)
);

-- A clock that stops, breaches or is computed again changes what its dialogue adds (the
-- messages' enqueue function reads `conversation_id` from the changed rows, as here).
create trigger sla_clocks_rollup_insert after insert on sla_clocks
    referencing new table as changed for each statement execute function rollup_enqueue_messages();
create trigger sla_clocks_rollup_update after update on sla_clocks
    referencing new table as changed for each statement execute function rollup_enqueue_messages();
create trigger sla_clocks_rollup_delete after delete on sla_clocks
    referencing old table as changed for each statement execute function rollup_enqueue_messages();

-- "Notify the team's managers" at a breach: a notification without a message, with its
-- sentence in `detail`.
alter table sla_policies drop constraint sla_policies_escalation_check;
alter table sla_policies add constraint sla_policies_escalation_check
    check (escalation in ('none', 'raise_priority', 'unassign', 'notify_manager'));
alter table notifications add column detail text check (length(detail) <= 300);
alter table notifications drop constraint notifications_kind_check;
alter table notifications add constraint notifications_kind_check check (kind in ('mention', 'forwarded', 'sla_breached'));

-- The report's clocks running now, per policy and target.
create index sla_clocks_running_idx on sla_clocks (policy_id, metric) include (due_at, conversation_id) where stopped_at is null;
