//! Staff accounts.

use crate::auth::CurrentUser;
use crate::domain::access::Role;
use crate::domain::email::EmailAddress;
use crate::error::AppError;
pub use crate::pages::admin::UserListItem;
use sqlx::PgPool;

/// The columns of a user that make a [`CurrentUser`]; queries select them as
/// `u.id as user_id, u.email, u.name, u.role, u.time_zone` and flatten this row in.
#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub time_zone: String,
}

impl UserRow {
    /// `None` (and an error in the log) for a role this version does not know.
    pub fn into_user(self) -> Option<CurrentUser> {
        let Ok(role) = self.role.parse::<Role>() else {
            tracing::error!(user_id = self.user_id, role = self.role, "user has an unknown role");
            return None;
        };
        Some(CurrentUser { id: self.user_id, email: self.email, name: self.name, role, time_zone: self.time_zone })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
    active: bool,
}

/// An account and its password hash, looked up for sign-in.
pub struct Credentials {
    pub user: CurrentUser,
    pub password_hash: String,
    pub active: bool,
}

pub async fn credentials(pool: &PgPool, email: &EmailAddress) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<CredentialsRow> = sqlx::query_as(
        "select id as user_id, email, name, role, time_zone, password_hash, active from users where lower(email) = $1",
    )
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|r| {
        Some(Credentials { user: r.user.into_user()?, password_hash: r.password_hash, active: r.active })
    }))
}

pub async fn id_by_email(pool: &PgPool, email: &EmailAddress) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("select id from users where lower(email) = $1")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
}

pub struct NewUser<'a> {
    pub email: &'a EmailAddress,
    pub name: &'a str,
    pub role: Role,
    pub team_id: Option<i64>,
    pub time_zone: &'a str,
    pub password_hash: &'a str,
}

/// Creates an account; an e-mail address already in use is a 409 with a sentence.
pub async fn create(pool: &PgPool, new: NewUser<'_>) -> Result<i64, AppError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("Enter the person's name.".into()));
    }
    sqlx::query_scalar(
        "insert into users (email, name, role, team_id, time_zone, password_hash)
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(new.email.as_str())
    .bind(name)
    .bind(new.role.as_str())
    .bind(new.team_id)
    .bind(new.time_zone)
    .bind(new.password_hash)
    .fetch_one(pool)
    .await
    .map_err(|err| match &err {
        sqlx::Error::Database(db) if db.constraint() == Some("users_email_key") => {
            AppError::Conflict(format!("An account for {} already exists.", new.email))
        }
        _ => err.into(),
    })
}

pub async fn list(pool: &PgPool) -> Result<Vec<UserListItem>, sqlx::Error> {
    sqlx::query_as(
        "select u.id, u.name, u.email, u.role, t.name as team, u.time_zone, u.active
           from users u left join teams t on t.id = u.team_id
          order by u.role = 'operator', u.name",
    )
    .fetch_all(pool)
    .await
}
