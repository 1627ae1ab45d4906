-- The weekdays a team works (Monday the lowest bit; Monday to Friday by default), beside
-- its daily window (`work_start`, `work_end`, in its time zone): business-hours metrics
-- count only those.
alter table teams add column work_days smallint not null default 31 check (work_days between 0 and 127);
