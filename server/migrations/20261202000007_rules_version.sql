-- A counter every change to the rules moves, so each server process keeps the rules in
-- memory and reads them again only when they changed (the event job runs every second).
create table rules_version (
    one      boolean primary key default true check (one),
    version  bigint not null default 0
);
insert into rules_version default values;

create function rules_version_bump() returns trigger language plpgsql as $$
begin
    update rules_version set version = version + 1;
    return null;
end
$$;
create trigger rules_changed after insert or update or delete or truncate on rules
    for each statement execute function rules_version_bump();
