-- A chat visitor is who they prove to be (issue #18 part 1). Typing an address no longer
-- makes them that customer: without a signed identity from the embedding site they are a
-- new contact whose claimed address is kept apart (`unverified_email`), until they open
-- the link e-mailed to it; then their chat joins the customer of that address.
alter table customers add column unverified_email text;

-- The confirmation links (only their SHA-256), one per unverified chat start.
create table chat_confirmations (
    token_hash   bytea primary key,
    channel_id   bigint not null references channels (id) on delete cascade,
    customer_id  bigint not null references customers (id) on delete cascade,
    email        text not null,
    expires_at   timestamptz not null,
    used_at      timestamptz,
    created_at   timestamptz not null default now()
);
create index chat_confirmations_customer_idx on chat_confirmations (customer_id);

-- The link goes out by the account outbox, to a customer (no user).
alter table account_mail alter column user_id drop not null;
alter table account_mail drop constraint account_mail_purpose_check;
alter table account_mail add constraint account_mail_purpose_check check (purpose in ('password_reset', 'chat_confirmation'));
