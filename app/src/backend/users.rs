//! Staff accounts.

use crate::model::user::CurrentUser;
use crate::domain::access::Role;
use crate::domain::email::EmailAddress;
use crate::error::AppError;
use crate::domain::password_policy::Owner;
pub use crate::model::admin::UserListItem;
use sqlx::PgPool;
use crate::backend::constraints::ConstraintExt;

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
    password_reset_required: bool,
}

/// An account and its password hash, looked up for sign-in.
pub struct Credentials {
    pub user: CurrentUser,
    pub password_hash: String,
    pub active: bool,
    /// An owner forced a password reset: the old password no longer signs in.
    pub reset_required: bool,
}

pub async fn credentials(pool: &PgPool, email: &EmailAddress) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<CredentialsRow> = sqlx::query_as(
        "select id as user_id, email, name, role, time_zone, password_hash, active, password_reset_required from users where lower(email) = $1",
    )
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|r| {
        Some(Credentials { user: r.user.into_user()?, password_hash: r.password_hash, active: r.active, reset_required: r.password_reset_required })
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
    .on_constraint("users_email_key", || AppError::Conflict(format!("An account for {} already exists.", new.email)))
}

pub async fn list(pool: &PgPool) -> Result<Vec<UserListItem>, sqlx::Error> {
    sqlx::query_as(
        "select u.id, u.name, u.email, u.role, t.name as team, u.team_id, u.time_zone, u.active, u.password_hash = '!' as invited,
                exists (select 1 from second_factors f where f.user_id = u.id and f.confirmed_at is not null) as two_factor
           from users u left join teams t on t.id = u.team_id
          order by u.role = 'operator', u.name",
    )
    .fetch_all(pool)
    .await
}

/// Invites someone: an account they cannot sign in to until they choose a password with
/// the returned link token (valid for a week, once). Returns (user id, token).
pub async fn invite(pool: &PgPool, by: i64, email: &EmailAddress, name: &str, role: Role, team_id: Option<i64>) -> Result<(i64, String), AppError> {
    let time_zone: String = match team_id {
        Some(team) => sqlx::query_scalar("select time_zone from teams where id = $1")
            .bind(team)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::Invalid("There is no such team.".into()))?,
        None => "UTC".into(),
    };
    // "!" is no Argon2 hash: no password matches it until the invitation is accepted.
    let id = create(pool, NewUser { email, name, role, team_id, time_zone: &time_zone, password_hash: "!" }).await?;
    let token = super::random_token();
    sqlx::query("insert into invitations (token_hash, user_id, invited_by) values ($1, $2, $3)")
        .bind(super::sha256(&token))
        .bind(id)
        .bind(by)
        .execute(pool)
        .await?;
    Ok((id, token))
}

/// The invited person's name and e-mail, if the link is valid (not used, not expired).
pub async fn invitation(pool: &PgPool, token: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select u.name, u.email from invitations i join users u on u.id = i.user_id
          where i.token_hash = $1 and i.accepted_at is null and i.expires_at > now() and u.active",
    )
    .bind(super::sha256(token))
    .fetch_optional(pool)
    .await
}

/// Sets the invited person's password and uses up the link, in one transaction: a link
/// clicked twice at once sets one password.
pub async fn accept_invitation(pool: &PgPool, token: &str, password: &str) -> Result<String, AppError> {
    let gone = || AppError::NotFound("This invitation has been used or has expired. Ask for a new one.".into());
    let (name, email) = invitation(pool, token).await?.ok_or_else(gone)?;
    super::passwords::check_strength(password, Owner { email: &email, name: &name })?;
    let hash = super::passwords::hash(password.to_string()).await?;
    let mut tx = pool.begin().await?;
    let user: Option<(i64, String)> = sqlx::query_as(
        "update invitations i set accepted_at = now() from users u
          where i.token_hash = $1 and i.accepted_at is null and i.expires_at > now() and u.id = i.user_id and u.active
         returning u.id, u.email",
    )
    .bind(super::sha256(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, email)) = user else { return Err(gone()) };
    sqlx::query("update users set password_hash = $2, password_changed_at = now() where id = $1").bind(id).bind(hash).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(email)
}

/// Changes a user's role, team and whether they may sign in. Deactivating ends their
/// sessions at once (and their API tokens stop working: both check `active`). The last
/// active owner cannot be demoted or deactivated, and nobody deactivates themself.
/// Returns what changed, in words, for the audit log.
pub async fn update(pool: &PgPool, by: i64, id: i64, role: Role, team_id: Option<i64>, active: bool) -> Result<Vec<(crate::domain::audit::AuditAction, String)>, AppError> {
    use crate::domain::audit::AuditAction;
    let mut tx = pool.begin().await?;
    // One owner change at a time, so two owners cannot demote each other at once.
    sqlx::query("select pg_advisory_xact_lock(hashtext('meridian:owners'))").execute(&mut *tx).await?;
    let before: Option<(String, Option<i64>, bool)> = sqlx::query_as("select role, team_id, active from users where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((old_role, old_team, was_active)) = before else {
        return Err(AppError::NotFound("There is no such user.".into()));
    };
    if id == by && !active {
        return Err(AppError::Conflict("You cannot deactivate your own account.".into()));
    }
    let stays_owner = role == Role::SuperAdmin && active;
    if old_role == Role::SuperAdmin.as_str() && was_active && !stays_owner {
        let others: i64 = sqlx::query_scalar("select count(*) from users where role = 'super_admin' and active and id <> $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if others == 0 {
            return Err(AppError::Conflict("This is the last active owner: make someone else an owner first.".into()));
        }
    }
    sqlx::query("update users set role = $2, team_id = $3, active = $4 where id = $1")
        .bind(id)
        .bind(role.as_str())
        .bind(team_id)
        .bind(active)
        .execute(&mut *tx)
        .await?;
    let mut changes = Vec::new();
    if old_role != role.as_str() || old_team != team_id {
        changes.push((AuditAction::RoleChanged, format!("role {old_role} → {}, team {:?} → {:?}", role.as_str(), old_team, team_id)));
    }
    if was_active && !active {
        sqlx::query("delete from sessions where user_id = $1").bind(id).execute(&mut *tx).await?;
        changes.push((AuditAction::UserDeactivated, "sessions ended; API tokens stop working".into()));
    } else if !was_active && active {
        changes.push((AuditAction::UserReactivated, String::new()));
    }
    tx.commit().await?;
    Ok(changes)
}

/// Active agents (operators), id and name, by name: who can be scheduled, sampled or handed a dialogue.
pub async fn agents(pool: &PgPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("select id, name from users where role = 'operator' and active order by name").fetch_all(pool).await
}

/// Active people who may review dialogues (reviewers, managers and owners), by name.
pub async fn reviewers(pool: &PgPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("select id, name from users where role in ('reviewer', 'admin', 'super_admin') and active order by name").fetch_all(pool).await
}

/// "Name <e-mail>" of a person, as the audit log names its targets; `None` when there is no such person.
pub async fn label(pool: &PgPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select name || ' <' || email || '>' from users where id = $1").bind(id).fetch_optional(pool).await
}

/// The e-mail address of a person who can sign in now (active, with a password chosen).
pub async fn signed_in_email(pool: &PgPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select email from users where id = $1 and active and password_hash <> '!'").bind(id).fetch_optional(pool).await
}
