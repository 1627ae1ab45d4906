//! The queue in PostgreSQL: its lists (keyset-paged, with the right index for each view and
//! sort), the counts on its tabs (capped), and the page that shows them.

use super::dialogue::now_epoch;
use crate::domain::dialogue::{ChannelKind, Priority, Status, COUNT_CAP};
use crate::domain::queue::{self, Cursor, QueueFilter, QueueSort, QueueView};
use crate::domain::sla::{Metric, SlaDue};
use crate::model::queue::{QueueList, QueueRow};
use sqlx::PgPool;

const LIST_COLUMNS: &str = "
    c.id, ch.kind as channel_kind, ch.name as channel, cu.name as customer, c.subject, c.priority, c.status,
    u.name as assignee, c.assigned_how, c.assignment_note,
    extract(epoch from c.created_at)::bigint as created_epoch,
    extract(epoch from ch.first_response_target)::bigint as target_seconds,
    extract(epoch from c.first_response_at)::bigint as first_response_epoch,
    (select left(m.body, 160) from messages m where m.conversation_id = c.id order by m.created_at, m.id limit 1) as preview,
    (select s.metric from sla_clocks s where s.conversation_id = c.id and s.stopped_at is null order by s.due_at nulls last limit 1) as sla_metric,
    floor(extract(epoch from c.sla_due_at))::bigint as sla_due_epoch";

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    channel_kind: ChannelKind,
    channel: String,
    customer: String,
    subject: String,
    priority: Priority,
    status: Status,
    assignee: Option<String>,
    assigned_how: Option<crate::domain::assignment::AssignedHow>,
    assignment_note: Option<String>,
    created_epoch: i64,
    target_seconds: i64,
    first_response_epoch: Option<i64>,
    preview: Option<String>,
    sla_metric: Option<Metric>,
    sla_due_epoch: Option<i64>,
    sort_micros: i64,
    sort_rank: i64,
}

/// One page of a list: at most `limit` rows after `cursor`, in the view's order, on the
/// view's index. Returns the rows and the cursor of the next page, if there is one.
pub async fn list(
    pool: &PgPool,
    view: QueueView,
    sort: QueueSort,
    me: i64,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<QueueRow>, Option<Cursor>), sqlx::Error> {
    list_filtered(pool, view, sort, &QueueFilter::default(), me, cursor, limit).await
}

/// [`list`] within one queue: a channel, a purpose, a team (see [`QueueFilter`]).
pub async fn list_filtered(
    pool: &PgPool,
    view: QueueView,
    sort: QueueSort,
    filter_by: &QueueFilter,
    me: i64,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<QueueRow>, Option<Cursor>), sqlx::Error> {
    // Fixed SQL per view, and only the filters in use (issue #23: a catch-all
    // `($n is null or column = $n)` left the planner a generic plan that cannot drop the
    // unused ones). Values are always bound, never spliced in.
    let (filter, sort_col) = match view {
        QueueView::Unassigned => ("c.status = 'open' and c.assignee_id is null", "c.created_at"),
        QueueView::Mine => ("c.status = 'open' and c.assignee_id = ", "c.created_at"),
        QueueView::Open => ("c.status = 'open'", "c.created_at"),
        QueueView::Postponed => ("c.status = 'postponed'", "c.created_at"),
        QueueView::Resolved => ("c.status = 'resolved'", "c.resolved_at"),
    };
    // Closest to breach: the earliest running SLA due time (a far-future sentinel when
    // none runs), on the indexes of migration 20261202000002.
    let sort_col = if sort == QueueSort::Breach && view != QueueView::Resolved { "c.sla_order" } else { sort_col };
    // The same index serves both directions (scanned backwards for newest first); by
    // priority, the rank leads the key (an index of its own).
    let (order, after) = if sort.descending(view) { ("desc", "<") } else { ("asc", ">") };
    let (key, rank_order) = if sort.by_priority() { ("c.priority_rank, ", "c.priority_rank, ") } else { ("", "") };
    let mut query = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
        "select {LIST_COLUMNS}, (extract(epoch from {sort_col}) * 1000000)::bigint as sort_micros, c.priority_rank::bigint as sort_rank
           from conversations c
           join channels ch on ch.id = c.channel_id
           join customers cu on cu.id = c.customer_id
           left join users u on u.id = c.assignee_id
          where {filter}"
    ));
    if view == QueueView::Mine {
        query.push_bind(me);
    }
    if let Some(cursor) = cursor {
        query.push(format!(" and ({key}{sort_col}, c.id) {after} ("));
        if sort.by_priority() {
            query.push_bind(cursor.rank.unwrap_or(0) as i16).push("::smallint, ");
        }
        query.push("to_timestamp(").push_bind(cursor.at_micros).push("::float8 / 1000000), ").push_bind(cursor.id).push(")");
    }
    push_filter(&mut query, "c.", filter_by);
    query.push(format!(" order by {rank_order}{sort_col} {order}, c.id {order} limit ")).push_bind(limit + 1);
    let mut rows: Vec<ListRow> = query.build_query_as().fetch_all(pool).await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| Cursor { rank: sort.by_priority().then_some(r.sort_rank), at_micros: r.sort_micros, id: r.id })
    } else {
        None
    };
    let now = now_epoch();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let viewers = super::presence::viewers(pool, &ids, me).await?;
    let items = rows
        .into_iter()
        .map(|r| QueueRow {
            viewers: viewers.iter().filter(|v| v.conversation_id == r.id).map(|v| v.name.clone()).collect(),
            id: r.id,
            channel_kind: r.channel_kind,
            channel: r.channel,
            customer: r.customer,
            subject: r.subject,
            preview: r.preview.unwrap_or_default(),
            priority: r.priority,
            status: r.status,
            assigned_how: r.assigned_how.filter(|_| r.assignee.is_some()),
            assignment_note: r.assignment_note.filter(|_| r.assignee.is_none()),
            assignee: r.assignee,
            waiting_seconds: now - r.created_epoch,
            clock: queue::response_clock(r.created_epoch, r.target_seconds, r.first_response_epoch, now),
            sla: r.sla_metric.map(|metric| SlaDue { metric, due_epoch: r.sla_due_epoch }),
        })
        .collect();
    Ok((items, next))
}

/// Capped counts of every list (see [`COUNT_CAP`]).
pub async fn counts(pool: &PgPool, me: i64, filter_by: &QueueFilter) -> Result<Vec<(QueueView, i64)>, sqlx::Error> {
    let mut query = sqlx::QueryBuilder::<sqlx::Postgres>::new(
        "with q as not materialized (select status, assignee_id from conversations where true",
    );
    push_filter(&mut query, "", filter_by);
    query.push(") select (select count(*) from (select 1 from q where status = 'open' and assignee_id is null limit ");
    query.push_bind(COUNT_CAP).push(") t), (select count(*) from (select 1 from q where status = 'open' and assignee_id = ");
    query.push_bind(me).push(" limit ").push_bind(COUNT_CAP).push(") t), (select count(*) from (select 1 from q where status = 'open' limit ");
    query.push_bind(COUNT_CAP).push(") t), (select count(*) from (select 1 from q where status = 'postponed' limit ");
    query.push_bind(COUNT_CAP).push(") t), (select count(*) from (select 1 from q where status = 'resolved' limit ");
    query.push_bind(COUNT_CAP).push(") t)");
    let row: (i64, i64, i64, i64, i64) = query.build_query_as().fetch_one(pool).await?;
    Ok(vec![
        (QueueView::Unassigned, row.0),
        (QueueView::Mine, row.1),
        (QueueView::Open, row.2),
        (QueueView::Postponed, row.3),
        (QueueView::Resolved, row.4),
    ])
}

/// The queue's filters in use, as ` and column = $n` (`prefix` names the table alias).
fn push_filter(query: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>, prefix: &str, filter_by: &QueueFilter) {
    if let Some(channel) = filter_by.channel_id {
        query.push(format!(" and {prefix}channel_id = ")).push_bind(channel);
    }
    if let Some(topic) = filter_by.topic {
        query.push(format!(" and {prefix}topic = ")).push_bind(topic.as_str());
    }
    if let Some(team) = filter_by.team_id {
        query.push(format!(" and {prefix}team_id = ")).push_bind(team);
    }
}

pub async fn queue_list(
    pool: &PgPool,
    view: QueueView,
    sort: QueueSort,
    filter: QueueFilter,
    me: i64,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<QueueList, sqlx::Error> {
    let (items, next) = list_filtered(pool, view, sort, &filter, me, cursor, limit).await?;
    let channels = sqlx::query_as("select id, name from channels where active order by name").fetch_all(pool).await?;
    let teams = super::teams::names(pool).await?;
    Ok(QueueList {
        view,
        sort,
        counts: counts(pool, me, &filter).await?,
        filter,
        channels,
        teams,
        items,
        next_cursor: next.map(Cursor::encode),
        now: now_epoch(),
    })
}
