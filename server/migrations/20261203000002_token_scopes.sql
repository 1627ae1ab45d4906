-- API tokens get scopes (read or write per area, `domain::token_scope`) and an expiry.
-- Tokens made before keep what they could do (every area; owner-level administration is
-- refused to every token in code) and live 90 days from now, so nothing stops at once.
alter table api_tokens
    add column scopes text[] not null default '{queue:write,kb:write,qa:write,wfm:write,reports:write,incidents:write,admin:write}',
    add column expires_at timestamptz,
    -- Who made it, when an owner made it for someone else (also in the audit log).
    add column created_by bigint references users (id) on delete set null;
update api_tokens set expires_at = greatest(created_at, now()) + interval '90 days';
alter table api_tokens alter column expires_at set not null, alter column scopes drop default;
alter table api_tokens add constraint api_tokens_scopes_present check (cardinality(scopes) > 0);
