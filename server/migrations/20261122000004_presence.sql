-- Who is looking at (or typing in) which dialogue right now. Ephemeral by nature, so
-- UNLOGGED: fast, and nothing is lost that a heartbeat will not rewrite within seconds.
create unlogged table presence (
    user_id          bigint not null references users (id) on delete cascade,
    conversation_id  bigint not null references conversations (id) on delete cascade,
    typing           boolean not null default false,
    seen_at          timestamptz not null default now(),
    primary key (conversation_id, user_id)
);
create index presence_seen_idx on presence (seen_at);
