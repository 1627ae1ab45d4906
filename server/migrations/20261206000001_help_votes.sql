-- "Was this helpful?" counts one answer per visitor and article (issue #18 part 2): the
-- visitor is the help centre's cookie (its SHA-256), or the client address without one.
-- Answering again changes the answer; the article's counters follow.
create table kb_votes (
    article_id bigint not null references kb_articles (id) on delete cascade,
    voter      bytea  not null,
    helpful    boolean not null,
    voted_at   timestamptz not null default now(),
    primary key (article_id, voter)
);
