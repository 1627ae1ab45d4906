-- Remote/distributed teams: each agent's own working window, in their own time zone
-- (null: 08:00–20:00).
alter table users add column work_start time, add column work_end time;
