-- Invitations: an owner invites someone by e-mail; the link (a random token, only its
-- SHA-256 stored) lets them choose their password once, within a week.
create table invitations (
    token_hash   bytea primary key,
    user_id      bigint not null references users (id) on delete cascade,
    invited_by   bigint references users (id) on delete set null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null default now() + interval '7 days',
    accepted_at  timestamptz
);
create index invitations_user_idx on invitations (user_id);
