-- Team-wide settings owners change in Admin: the support promise everyone sees on their
-- home page (what the team commits to, e.g. "Every chat answered within 2 minutes, every
-- e-mail within 4 hours, around the clock").
create table app_settings (
    key         text primary key,
    value       text not null,
    updated_at  timestamptz not null default now(),
    updated_by  bigint references users (id) on delete set null
);
insert into app_settings (key, value) values ('support_promise', '');
