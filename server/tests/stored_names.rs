//! The domain's named enums stored as text: they bind and decode through PostgreSQL, and a
//! name the code does not know is an error.

use app::domain::access::Role;
use app::domain::dialogue::{ChannelKind, Priority, Status};
use app::domain::kb::Visibility;

#[sqlx::test]
async fn names_round_trip_through_postgres(pool: sqlx::PgPool) {
    let (status, kind): (Status, ChannelKind) =
        sqlx::query_as("select $1, $2").bind(Status::Postponed).bind(ChannelKind::Email).fetch_one(&pool).await.unwrap();
    assert_eq!((status, kind), (Status::Postponed, ChannelKind::Email));
    let role: Role = sqlx::query_scalar("select 'reviewer'::text").fetch_one(&pool).await.unwrap();
    assert_eq!(role, Role::Reviewer);
    let unknown = sqlx::query_scalar::<_, Visibility>("select 'secret'::text").fetch_one(&pool).await;
    assert!(unknown.unwrap_err().to_string().contains("unknown Visibility 'secret'"));
    let list: Vec<Priority> = sqlx::query_scalar("select $1::text[]").bind(vec![Priority::High, Priority::Low]).fetch_one(&pool).await.unwrap();
    assert_eq!(list, vec![Priority::High, Priority::Low]);
}
