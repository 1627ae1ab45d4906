-- Report rollups (app/src/domain/rollup.rs): what every dialogue adds to per-day and
-- per-hour counters, kept up to date as dialogues change, so reports over a year read a
-- few thousand rows instead of a million dialogues.
--
-- Each dialogue's current contribution is kept in rollup_contributions; a change to a
-- dialogue (a statement trigger puts its id in rollup_queue) is applied by a background
-- job in the server as the difference between its new and its stored contribution.
-- `meridian rollups rebuild` computes everything from scratch.

-- Element-wise sum of two histograms (a shorter one counts as zeros).
create function bins_add(a int8[], b int8[]) returns int8[] language sql immutable as $$
    select coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) order by i), '{}')
      from unnest(a, b) with ordinality as t(x, y, i)
$$;

-- Per day (in the reporting time zone), channel and team (0: none).
create table rollup_days (
    day                              date not null,
    channel_id                       int8 not null,
    team_id                          int8 not null,
    created                          int8 not null default 0,
    first_responses                  int8 not null default 0,
    first_response_seconds           int8 not null default 0,
    first_response_business_seconds  int8 not null default 0,
    response_waits                   int8 not null default 0,
    response_wait_seconds            int8 not null default 0,
    replies                          int8 not null default 0,
    resolutions                      int8 not null default 0,
    resolution_seconds               int8 not null default 0,
    resolved_replies                 int8 not null default 0,
    first_contact                    int8 not null default 0,
    reopened                         int8 not null default 0,
    csat_bad                         int8 not null default 0,
    csat_good                        int8 not null default 0,
    csat_excellent                   int8 not null default 0,
    nps_promoters                    int8 not null default 0,
    nps_passives                     int8 not null default 0,
    nps_detractors                   int8 not null default 0,
    ces_answers                      int8 not null default 0,
    ces_sum                          int8 not null default 0,
    ces_easy                         int8 not null default 0,
    converted                        int8 not null default 0,
    fr_bins                          int8[] not null default '{}',
    res_bins                         int8[] not null default '{}',
    primary key (day, channel_id, team_id)
);

-- Per day and agent: what the agent did (replies, first responses, resolutions, ratings
-- of what they resolved, conversions).
create table rollup_agent_days (
    day                              date not null,
    agent_id                         int8 not null,
    created                          int8 not null default 0,
    first_responses                  int8 not null default 0,
    first_response_seconds           int8 not null default 0,
    first_response_business_seconds  int8 not null default 0,
    response_waits                   int8 not null default 0,
    response_wait_seconds            int8 not null default 0,
    replies                          int8 not null default 0,
    resolutions                      int8 not null default 0,
    resolution_seconds               int8 not null default 0,
    resolved_replies                 int8 not null default 0,
    first_contact                    int8 not null default 0,
    reopened                         int8 not null default 0,
    csat_bad                         int8 not null default 0,
    csat_good                        int8 not null default 0,
    csat_excellent                   int8 not null default 0,
    nps_promoters                    int8 not null default 0,
    nps_passives                     int8 not null default 0,
    nps_detractors                   int8 not null default 0,
    ces_answers                      int8 not null default 0,
    ces_sum                          int8 not null default 0,
    ces_easy                         int8 not null default 0,
    converted                        int8 not null default 0,
    primary key (day, agent_id)
);
create index rollup_agent_days_agent_idx on rollup_agent_days (agent_id, day);

-- Dialogues created per hour (UTC hour start), channel and team: the heatmap.
create table rollup_hours (
    hour        timestamptz not null,
    channel_id  int8 not null,
    team_id     int8 not null,
    created     int8 not null default 0,
    primary key (hour, channel_id, team_id)
);

create table rollup_contributions (
    conversation_id  int8 primary key references conversations (id) on delete cascade,
    -- The rows this dialogue adds to, as compact JSON (domain::rollup::Contribution).
    contribution     text not null
);

-- Dialogues changed since the rollups last looked at them.
create table rollup_queue (
    conversation_id  int8 primary key
);

create function rollup_enqueue_conversations() returns trigger language plpgsql as $$
begin
    insert into rollup_queue (conversation_id) select distinct id from changed on conflict do nothing;
    return null;
end
$$;
create function rollup_enqueue_messages() returns trigger language plpgsql as $$
begin
    insert into rollup_queue (conversation_id) select distinct conversation_id from changed on conflict do nothing;
    return null;
end
$$;
create trigger conversations_rollup_insert after insert on conversations
    referencing new table as changed for each statement execute function rollup_enqueue_conversations();
create trigger conversations_rollup_update after update on conversations
    referencing new table as changed for each statement execute function rollup_enqueue_conversations();
create trigger messages_rollup_insert after insert on messages
    referencing new table as changed for each statement execute function rollup_enqueue_messages();

-- Dialogues that exist already are counted by the background job (or at once by
-- `meridian rollups rebuild`).
insert into rollup_queue (conversation_id) select id from conversations;

-- The time zone report days are counted in.
insert into app_settings (key, value) values ('report_time_zone', 'UTC') on conflict (key) do nothing;

-- Low ratings, newest first, link to their dialogues.
create index conversations_low_rating_idx on conversations (rated_at desc) where csat = 1;
-- Contact ratio: distinct customers who opened a dialogue in the period, read from the
-- index alone (also for one team or channel).
create index conversations_created_customer_idx on conversations (created_at) include (customer_id, team_id, channel_id);
