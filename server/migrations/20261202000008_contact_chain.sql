-- The contact ratio's denominator without counting distinct customers: each dialogue with
-- the creation time of its customer's previous dialogue. The customers who opened a
-- dialogue in a period are the period's dialogues whose previous one is older than the
-- period (or who have none): one count over an index, where `count(distinct customer_id)`
-- sorted a quarter of a million ids for a 90-day report on 1M dialogues.
--
-- A narrow table of its own rather than a column of `conversations`: a bulk load fills it
-- in one pass at the end (`meridian seed-demo` sets `meridian.bulk_load`), which a column
-- would have cost an update of every dialogue row.
create table contact_chain (
    conversation_id bigint primary key references conversations (id) on delete cascade,
    customer_id bigint not null,
    created_at timestamptz not null,
    prev_at timestamptz
);
create index contact_chain_created_idx on contact_chain (created_at) include (prev_at);

-- The chains of some customers, computed again from their dialogues; rows that are right
-- already are not written.
create function contact_chain_refresh(customers bigint[]) returns void language sql as $$
    insert into contact_chain (conversation_id, customer_id, created_at, prev_at)
    select id, customer_id, created_at, lag(created_at) over (partition by customer_id order by created_at, id)
      from conversations where customer_id = any (customers)
    on conflict (conversation_id) do update
       set customer_id = excluded.customer_id, created_at = excluded.created_at, prev_at = excluded.prev_at
     where (contact_chain.customer_id, contact_chain.created_at, contact_chain.prev_at)
           is distinct from (excluded.customer_id, excluded.created_at, excluded.prev_at)
$$;

create function contact_chain_added() returns trigger language plpgsql as $$
begin
    if coalesce(current_setting('meridian.bulk_load', true), '') = 'on' then
        return null;
    end if;
    perform contact_chain_refresh(array(select distinct customer_id from added));
    return null;
end $$;
create trigger conversations_contact_chain_insert after insert on conversations
    referencing new table as added for each statement execute function contact_chain_added();

create function contact_chain_removed() returns trigger language plpgsql as $$
begin
    perform contact_chain_refresh(array(select distinct customer_id from removed));
    return null;
end $$;
create trigger conversations_contact_chain_delete after delete on conversations
    referencing old table as removed for each statement execute function contact_chain_removed();

-- A dialogue moved to another customer (or re-dated): both customers' chains change.
create function contact_chain_moved() returns trigger language plpgsql as $$
begin
    perform contact_chain_refresh(array[old.customer_id, new.customer_id]);
    return null;
end $$;
create trigger conversations_contact_chain_update after update of customer_id, created_at on conversations
    for each row when (old.customer_id is distinct from new.customer_id or old.created_at is distinct from new.created_at)
    execute function contact_chain_moved();

-- The dialogues already stored.
insert into contact_chain (conversation_id, customer_id, created_at, prev_at)
select id, customer_id, created_at, lag(created_at) over (partition by customer_id order by created_at, id) from conversations;
analyze contact_chain;
