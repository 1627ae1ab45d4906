//! A person's own account: changing the password, the e-mailed link for a forgotten one
//! (and an owner forcing one), and the sessions they are signed in with.

use super::{audit, passwords, random_token, sha256, throttle};
use crate::domain::audit::AuditAction;
use crate::domain::email::EmailAddress;
use crate::domain::password_policy::Owner;
use crate::domain::sign_in_throttle::ThrottlePolicy;
use crate::error::AppError;
use crate::model::user::{CurrentUser, SessionInfo};
use sqlx::{PgConnection, PgPool};

/// A reset link works once, for this long.
pub const RESET_MINUTES: i32 = 30;

/// The one answer to "Forgot your password?", whether or not the address has an account.
pub const RESET_SENT: &str =
    "If that address belongs to an account, we have sent it a link to choose a new password. The link works once, for 30 minutes.";

fn mismatch(new: &str, again: &str) -> Result<(), AppError> {
    if new != again {
        return Err(AppError::Invalid("The two new passwords are not the same.".into()));
    }
    Ok(())
}

/// Changes the signed-in person's password: the current one is checked (throttled like
/// sign-in), the new one must pass the policy, and every other session of theirs ends.
/// Returns how many other sessions ended.
pub async fn change_password(
    pool: &PgPool,
    me: &CurrentUser,
    this_session: Option<&[u8]>,
    current: &str,
    new: &str,
    again: &str,
    addr: &str,
) -> Result<u64, AppError> {
    mismatch(new, again)?;
    passwords::check_strength(new, Owner { email: &me.email, name: &me.name })?;
    if current == new {
        return Err(AppError::Invalid("The new password is the one you have now; choose a different one.".into()));
    }
    check_password(pool, me, current, addr).await?;
    let hash = passwords::hash(new.to_string()).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("update users set password_hash = $2, password_changed_at = now(), password_reset_required = false where id = $1")
        .bind(me.id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    let ended = end_other_sessions(&mut tx, me.id, this_session).await?;
    audit::record(&mut *tx, Some(me.id), &audit::who(me), AuditAction::PasswordChanged, &audit::who(me), &ended_text(ended, true), addr).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Checks the signed-in person's password (changing it, confirming it for a sensitive
/// action), throttled like sign-in on the account's counter.
pub async fn check_password(pool: &PgPool, me: &CurrentUser, password: &str, addr: &str) -> Result<(), AppError> {
    let key = format!("account:{}", me.email.to_lowercase());
    if let Err(wait) = throttle::admit(pool, &[(key.clone(), ThrottlePolicy::PER_ACCOUNT)]).await? {
        return Err(AppError::too_many("Too many wrong passwords.", wait));
    }
    let stored: Option<String> = sqlx::query_scalar("select password_hash from users where id = $1").bind(me.id).fetch_optional(pool).await?;
    if !passwords::verify(password.to_string(), stored).await? {
        tracing::info!(user_id = me.id, addr, "a wrong password for a signed-in person");
        return Err(AppError::Invalid("Your current password is not right.".into()));
    }
    throttle::forget(pool, &key).await?;
    Ok(())
}

/// "1 other session ended", or without "other" when every session of the person ended.
fn ended_text(ended: u64, other: bool) -> String {
    let other = if other { "other " } else { "" };
    match ended {
        0 => format!("no {other}session was open"),
        1 => format!("1 {other}session ended"),
        n => format!("{n} {other}sessions ended"),
    }
}

async fn end_other_sessions(tx: &mut PgConnection, user_id: i64, keep: Option<&[u8]>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("delete from sessions where user_id = $1 and ($2::bytea is null or id_hash <> $2)")
        .bind(user_id)
        .bind(keep)
        .execute(&mut *tx)
        .await?
        .rows_affected())
}

/// Queues a reset link for `user_id` (30 minutes, once) in `tx`, ending the earlier
/// unused links; the outbox job e-mails it.
async fn queue_reset(tx: &mut PgConnection, user_id: i64, forced_by: Option<&CurrentUser>, addr: &str) -> Result<(), sqlx::Error> {
    sqlx::query("update password_resets set expires_at = least(expires_at, now()) where user_id = $1 and used_at is null")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let token = random_token();
    sqlx::query(
        "insert into password_resets (user_id, token_hash, expires_at, forced_by, client_addr)
         values ($1, $2, now() + make_interval(mins => $3), $4, $5)",
    )
    .bind(user_id)
    .bind(sha256(&token))
    .bind(RESET_MINUTES)
    .bind(forced_by.map(|u| u.id))
    .bind(addr)
    .execute(&mut *tx)
    .await?;
    let why = match forced_by {
        Some(owner) => format!("{} asked everyone who uses this account to choose a new password: the old one no longer signs in.", owner.name),
        None => "Someone (we hope you) asked to reset the password of this account. If it was not you, ignore this e-mail: your password stays as it is.".into(),
    };
    let body = format!(
        "Hello {{name}},\n\n{why}\n\nChoose a new password here (the link works once, for {RESET_MINUTES} minutes):\n\n{{link}}\n\nMeridian\n"
    );
    sqlx::query(
        "insert into account_mail (user_id, purpose, recipient, subject, body, link_path)
         select id, 'password_reset', email, 'Choose a new Meridian password', replace($2, '{name}', name), $3 from users where id = $1",
    )
    .bind(user_id)
    .bind(body)
    .bind(format!("/reset-password/{token}"))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// "Forgot your password?": the same answer ([`RESET_SENT`]) whether or not the address
/// has an account; a link is queued only for an active one. Throttled per address typed
/// and per client address, whether or not the account exists.
pub async fn request_reset(pool: &PgPool, email: &str, addr: &str) -> Result<(), AppError> {
    let email = EmailAddress::parse(email).map_err(|e| AppError::Invalid(e.to_string()))?;
    let doors = [
        (format!("reset:{}", email.as_str()), ThrottlePolicy::RESET_PER_ACCOUNT),
        (format!("reset-address:{addr}"), ThrottlePolicy::PER_ADDRESS),
    ];
    if let Err(wait) = throttle::admit(pool, &doors).await? {
        return Err(AppError::too_many("Too many reset requests.", wait));
    }
    let mut tx = pool.begin().await?;
    let user: Option<(i64, String)> =
        sqlx::query_as("select id, name || ' <' || email || '>' from users where lower(email) = $1 and active and password_hash <> '!'")
            .bind(email.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((id, who)) = user {
        queue_reset(&mut tx, id, None, addr).await?;
        audit::record(&mut *tx, Some(id), &who, AuditAction::PasswordResetRequested, &who, "a link was e-mailed", addr).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The person a reset link is for (name, e-mail), if it still works.
pub async fn reset_link(pool: &PgPool, token: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select u.name, u.email from password_resets r join users u on u.id = r.user_id
          where r.token_hash = $1 and r.used_at is null and r.expires_at > now() and u.active",
    )
    .bind(sha256(token))
    .fetch_optional(pool)
    .await
}

/// Sets a new password through a reset link and uses the link up, in one transaction (a
/// link sent twice at once sets one password); every session of the account ends. A
/// refused password leaves the link working. Returns the account's e-mail.
pub async fn reset_password(pool: &PgPool, token: &str, new: &str, again: &str, addr: &str) -> Result<String, AppError> {
    let gone = || AppError::NotFound("This link has been used or has expired. Ask for a new one.".into());
    let (name, email) = reset_link(pool, token).await?.ok_or_else(gone)?;
    mismatch(new, again)?;
    passwords::check_strength(new, Owner { email: &email, name: &name })?;
    let hash = passwords::hash(new.to_string()).await?;
    let mut tx = pool.begin().await?;
    let used: Option<(i64, String)> = sqlx::query_as(
        "update password_resets r set used_at = now() from users u
          where r.token_hash = $1 and r.used_at is null and r.expires_at > now() and u.id = r.user_id and u.active
         returning u.id, u.name || ' <' || u.email || '>'",
    )
    .bind(sha256(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, who)) = used else { return Err(gone()) };
    sqlx::query("update users set password_hash = $2, password_changed_at = now(), password_reset_required = false where id = $1")
        .bind(id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    let ended = end_other_sessions(&mut tx, id, None).await?;
    audit::record(&mut *tx, Some(id), &who, AuditAction::PasswordChanged, &who, &format!("by a reset link; {}", ended_text(ended, false)), addr).await?;
    tx.commit().await?;
    throttle::forget(pool, &format!("account:{}", email.to_lowercase())).await?;
    Ok(email)
}

/// An owner forces a reset: the user's password stops working, their sessions end, and
/// a link to choose a new one is e-mailed to them (audited).
pub async fn force_reset(pool: &PgPool, by: &CurrentUser, user_id: i64, addr: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let who: Option<String> = sqlx::query_scalar(
        "update users set password_reset_required = true where id = $1 and active and password_hash <> '!'
         returning name || ' <' || email || '>'",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(who) = who else {
        return Err(AppError::NotFound("There is no active user with a password by that id (an invited person sets one from the invitation).".into()));
    };
    let ended = end_other_sessions(&mut tx, user_id, None).await?;
    queue_reset(&mut tx, user_id, Some(by), addr).await?;
    audit::record(&mut *tx, Some(by.id), &audit::who(by), AuditAction::PasswordResetForced, &who, &format!("a link was e-mailed; {}", ended_text(ended, false)), addr)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The person's open sessions, newest first, the one asking marked.
pub async fn sessions(pool: &PgPool, user_id: i64, this_session: Option<&[u8]>) -> Result<Vec<SessionInfo>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, bool)> = sqlx::query_as(
        "select extract(epoch from created_at)::int8, extract(epoch from last_seen_at)::int8, client_addr, user_agent, id_hash = $2 as this
           from sessions where user_id = $1 and expires_at > now() order by created_at desc limit 100",
    )
    .bind(user_id)
    .bind(this_session.unwrap_or_default())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(created_epoch, last_seen_epoch, client_addr, user_agent, this)| SessionInfo { created_epoch, last_seen_epoch, client_addr, user_agent, this })
        .collect())
}

/// "Sign out everywhere else": ends every session of the person but this one (audited).
pub async fn sign_out_elsewhere(pool: &PgPool, me: &CurrentUser, this_session: Option<&[u8]>, addr: &str) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let ended = end_other_sessions(&mut tx, me.id, this_session).await?;
    audit::record(&mut *tx, Some(me.id), &audit::who(me), AuditAction::SignedOutElsewhere, &audit::who(me), &ended_text(ended, true), addr).await?;
    tx.commit().await?;
    Ok(ended)
}

/// An account e-mail due to be sent, locked for this transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct DueMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link_path: Option<String>,
    pub attempts: i32,
}

pub async fn next_mail(tx: &mut PgConnection) -> Result<Option<DueMail>, sqlx::Error> {
    sqlx::query_as(
        "select id, recipient, subject, body, link_path, attempts from account_mail
          where sent_at is null and failed_at is null and next_attempt_at <= now()
          order by next_attempt_at, id limit 1 for update skip locked",
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Marks a mail sent, dropping its link from the stored text (it is in the inbox now).
pub async fn mail_sent(tx: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update account_mail set sent_at = now(), attempts = attempts + 1, link_path = null, last_error = null where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A failed send: tried again with a growing pause; after a day's worth it gives up (the
/// link has long expired by then).
pub async fn mail_failed(tx: &mut PgConnection, mail: &DueMail, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update account_mail set attempts = attempts + 1, last_error = $2,
                next_attempt_at = now() + make_interval(secs => least(30 * power(2, attempts), 3600)),
                failed_at = case when attempts + 1 >= 8 then now() end,
                link_path = case when attempts + 1 >= 8 then null else link_path end
          where id = $1",
    )
    .bind(mail.id)
    .bind(error.chars().take(500).collect::<String>())
    .execute(&mut *tx)
    .await?;
    Ok(())
}
