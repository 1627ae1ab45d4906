-- A customer's local time for the dialogue view, or null for an unknown zone name.
-- Checking the name against pg_timezone_names cost ~30 ms per dialogue view; this costs
-- microseconds (the exception block only matters for a bad name).
create function local_time_text(zone text) returns text language plpgsql stable as $$
begin
    return to_char(now() at time zone zone, 'Dy HH24:MI');
exception when others then
    return null;
end
$$;
