-- A rule's "call a webhook" action: one delivery of `rule_fired` to the subscription the
-- rule names, whatever events it subscribes to, through the same outbox (signed, retried).
-- The dialogue's part of every payload is now one function, shared with webhook_enqueue.

create function webhook_dialogue(conversation bigint) returns jsonb language sql stable as $$
    select jsonb_build_object(
               'id', c.id, 'subject', c.subject, 'status', c.status, 'priority', c.priority, 'topic', c.topic,
               'tags', to_jsonb(c.tags), 'team_id', c.team_id, 'assignee_id', c.assignee_id,
               'channel', ch.kind, 'customer', jsonb_build_object('id', cu.id, 'name', cu.name, 'email', cu.email))
      from conversations c join channels ch on ch.id = c.channel_id join customers cu on cu.id = c.customer_id
     where c.id = conversation
$$;

create or replace function webhook_enqueue(event text, conversation bigint, extra jsonb) returns void language plpgsql as $$
begin
    insert into webhook_deliveries (subscription_id, event, conversation_id, payload)
    select s.id, event, conversation,
           jsonb_build_object('event', event, 'occurred_at', now(), 'dialogue', d.dialogue) || extra
      from webhook_subscriptions s, (select webhook_dialogue(conversation) as dialogue) d
     where s.active and event = any(s.events) and d.dialogue is not null;
end
$$;

-- Returns the delivery's id, or null when the subscription is paused or gone.
create function webhook_call(subscription bigint, conversation bigint, extra jsonb) returns bigint language sql as $$
    insert into webhook_deliveries (subscription_id, event, conversation_id, payload)
    select s.id, 'rule_fired', conversation,
           jsonb_build_object('event', 'rule_fired', 'occurred_at', now(), 'dialogue', d.dialogue) || extra
      from webhook_subscriptions s, (select webhook_dialogue(conversation) as dialogue) d
     where s.id = subscription and s.active and d.dialogue is not null
    returning id
$$;
