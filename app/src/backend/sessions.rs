//! Server-side sessions in PostgreSQL. The cookie holds a random token; the table holds
//! only its SHA-256. A session ends on sign-out, after `session_idle` without a request,
//! or `session_max` after sign-in, whichever comes first.

use super::{random_token, sha256, Principal, Settings};
use super::users::UserRow;
use sqlx::PgPool;

/// Opens a new session for `user_id` and returns the token for the cookie. Always a new
/// token: a session id planted before sign-in never becomes a signed-in one.
pub async fn open(
    pool: &PgPool,
    settings: &Settings,
    user_id: i64,
    client_addr: &str,
    user_agent: &str,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    sqlx::query(
        "insert into sessions (id_hash, user_id, expires_at, client_addr, user_agent)
         values ($1, $2, now() + make_interval(secs => $3), $4, $5)",
    )
    .bind(sha256(&token))
    .bind(user_id)
    .bind(settings.session_max.as_secs_f64())
    .bind(client_addr)
    .bind(user_agent.chars().take(300).collect::<String>())
    .execute(pool)
    .await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    stale: bool,
    authenticated_epoch: i64,
}

/// The signed-in principal for a session token, or `None` if the session is unknown,
/// expired (idle or absolute) or its user deactivated. Refreshes the idle clock at most
/// once a minute, so reading pages does not write a row per request.
pub async fn resolve(pool: &PgPool, settings: &Settings, token: &str) -> Result<Option<Principal>, sqlx::Error> {
    let hash = sha256(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "select u.id as user_id, u.email, u.name, u.role, u.time_zone,
                s.last_seen_at < now() - interval '1 minute' as stale,
                extract(epoch from s.authenticated_at)::int8 as authenticated_epoch
           from sessions s join users u on u.id = s.user_id
          where s.id_hash = $1
            and s.expires_at > now()
            and s.last_seen_at > now() - make_interval(secs => $2)
            and u.active",
    )
    .bind(&hash)
    .bind(settings.session_idle.as_secs_f64())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        // Whatever it was, it is of no further use.
        sqlx::query("delete from sessions where id_hash = $1").bind(&hash).execute(pool).await?;
        return Ok(None);
    };
    if row.stale {
        sqlx::query("update sessions set last_seen_at = now() where id_hash = $1")
            .bind(&hash)
            .execute(pool)
            .await?;
    }
    let authenticated_epoch = Some(row.authenticated_epoch);
    Ok(row.user.into_user().map(|user| Principal { user, session_hash: Some(hash), token_scopes: None, authenticated_epoch }))
}

/// Records that the person proved their password again in this session.
pub async fn reauthenticated(pool: &PgPool, session_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("update sessions set authenticated_at = now() where id_hash = $1").bind(session_hash).execute(pool).await?;
    Ok(())
}

/// Whether a session still works (not ended, not expired, its person active): the live
/// event streams ask this to end when the session does.
pub async fn still_open(pool: &PgPool, settings: &Settings, session_hash: &[u8]) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "select exists (select 1 from sessions s join users u on u.id = s.user_id
                         where s.id_hash = $1 and s.expires_at > now()
                           and s.last_seen_at > now() - make_interval(secs => $2) and u.active)",
    )
    .bind(session_hash)
    .bind(settings.session_idle.as_secs_f64())
    .fetch_one(pool)
    .await
}

/// Ends a session on the server: the token stops working everywhere at once.
pub async fn close(pool: &PgPool, session_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("delete from sessions where id_hash = $1").bind(session_hash).execute(pool).await?;
    Ok(())
}

/// Removes sessions, throttle counters, reset links and known devices nobody can use any more.
pub async fn purge_expired(pool: &PgPool, settings: &Settings) -> Result<u64, sqlx::Error> {
    let sessions = sqlx::query(
        "delete from sessions where expires_at <= now() or last_seen_at <= now() - make_interval(secs => $1)",
    )
    .bind(settings.session_idle.as_secs_f64())
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query("delete from throttle_counters where last_at < now() - interval '1 day'").execute(pool).await?;
    sqlx::query("delete from password_resets where expires_at < now() - interval '1 day'").execute(pool).await?;
    sqlx::query("delete from known_devices where last_used_at < now() - make_interval(days => $1)")
        .bind(super::sign_in::DEVICE_DAYS as i32)
        .execute(pool)
        .await?;
    Ok(sessions)
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, and Secure with the `__Host-`
/// prefix when served over TLS.
pub fn cookie(settings: &Settings, token: &str) -> String {
    let secure = if settings.is_tls() { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        settings.session_cookie_name(),
        settings.session_max.as_secs()
    )
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clearing_cookie(settings: &Settings) -> String {
    let secure = if settings.is_tls() { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", settings.session_cookie_name())
}

/// The session token in a `Cookie` header, if there is one.
pub fn token_from_cookies<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// The value of cookie `name` in a request's headers, if it sent one.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .find_map(|h| token_from_cookies(h, name).map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = "theme=dark; meridian_session=abc123; other=1";
        assert_eq!(token_from_cookies(h, "meridian_session"), Some("abc123"));
        assert_eq!(token_from_cookies("meridian_session=", "meridian_session"), None);
        assert_eq!(token_from_cookies("x=1", "meridian_session"), None);
    }

    #[test]
    fn cookies_are_secure_and_host_prefixed_behind_tls() {
        let tls = Settings { public_url: Some("https://help.example.com".into()), ..Settings::default() };
        let c = cookie(&tls, "t");
        assert!(c.starts_with("__Host-meridian_session=t; Path=/; HttpOnly; SameSite=Lax"));
        assert!(c.ends_with("; Secure"));
        let plain = cookie(&Settings::default(), "t");
        assert!(plain.starts_with("meridian_session=t;") && !plain.contains("Secure"));
    }
}
