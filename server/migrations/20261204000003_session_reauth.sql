-- Sessions to NIST AAL2 (issue #17 part 4): when the person last proved their password in
-- this session (at sign-in, or by confirming it again). Sensitive actions (creating API
-- tokens, changing roles, forcing a reset, rotating or creating secrets) need it to be
-- recent.
alter table sessions add column authenticated_at timestamptz not null default now();
