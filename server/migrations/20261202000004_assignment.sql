-- Automatic assignment (domain::assignment, backend::assignment): per team and channel
-- kind a mode and a capacity per agent; agents' skills; how each dialogue came to its
-- agent, and why a waiting one waits.
create table assignment_settings (
    team_id       bigint not null references teams (id) on delete cascade,
    channel_kind  text not null check (channel_kind in ('chat', 'email', 'social')),
    mode          text not null default 'manual' check (mode in ('manual', 'round_robin', 'balanced')),
    capacity      integer not null default 3 check (capacity between 1 and 100),
    updated_at    timestamptz not null default now(),
    primary key (team_id, channel_kind)
);

create table agent_skills (
    user_id  bigint not null references users (id) on delete cascade,
    kind     text not null check (kind in ('language', 'topic', 'tag')),
    value    text not null check (length(value) between 1 and 40),
    level    smallint not null check (level between 1 and 5),
    primary key (user_id, kind, value)
);

-- Round-robin: the agent given a dialogue longest ago goes first.
alter table users add column last_assigned_at timestamptz;
-- The language the customer writes in ("de"), for language skills.
alter table customers add column language text check (length(language) between 2 and 12);

alter table conversations
    add column assigned_how text check (assigned_how in ('claimed', 'round_robin', 'balanced', 'skill', 'shift_handover', 'reassigned')),
    add column assignment_note text check (length(assignment_note) <= 200);

-- The job's look-up: a team's waiting dialogues, oldest first.
create index conversations_waiting_team_idx on conversations (team_id, created_at, id) where status = 'open' and assignee_id is null;
