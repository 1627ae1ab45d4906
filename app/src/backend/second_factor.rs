//! Two-factor sign-in: a TOTP authenticator per person (RFC 6238 by the `totp-rs`
//! crate, the QR code by `qrcode`), ten single-use recovery codes stored as SHA-256,
//! "remember this browser" on the known device, the sign-in's second step, and the
//! owner's policy (roles that must use it) and reset. The rules (window, replay, code
//! shapes) are `domain::second_factor`'s.
//!
//! Every check of a code locks the person's authenticator row, so two requests with
//! the same code are decided one after the other and the second finds its step used.

use super::{audit, random_token, settings, sha256, throttle};
use crate::domain::access::Role;
use crate::domain::audit::AuditAction;
use crate::domain::second_factor::{self as rules, Entered, RequiredRoles};
use crate::domain::sign_in_throttle::ThrottlePolicy;
use crate::error::AppError;
use crate::model::user::{CurrentUser, SecondStep, TwoFactorEnrolment, TwoFactorStatus};
use sqlx::{PgConnection, PgPool};
use totp_rs::{Algorithm, TOTP};

const ISSUER: &str = "Meridian";

fn authenticator(secret: Vec<u8>, email: &str) -> Result<TOTP, AppError> {
    // Skew 0: the window is the domain's, checked one step at a time.
    TOTP::new(Algorithm::SHA1, 6, 0, rules::STEP_SECONDS, secret, Some(ISSUER.into()), email.replace(':', "_")).map_err(|e| {
        tracing::error!(error = ?e, "an authenticator could not be built");
        AppError::Internal
    })
}

fn now_unix() -> u64 {
    chrono::Utc::now().timestamp().max(0) as u64
}

/// The code an authenticator shows for `secret` at `unix_seconds` (tests and the demo).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    authenticator(secret.to_vec(), "x@example.com").map(|t| t.generate(unix_seconds)).unwrap_or_default()
}

/// The QR code and typed-in secret for an authenticator app.
fn enrolment_view(secret: &[u8], email: &str) -> Result<TwoFactorEnrolment, AppError> {
    let totp = authenticator(secret.to_vec(), email)?;
    let qr = qrcode::QrCode::new(totp.get_url().as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "the enrolment QR code could not be drawn");
        AppError::Internal
    })?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    let svg = svg.split_once("?>").map(|(_, rest)| rest.to_string()).unwrap_or(svg);
    let base32 = totp.get_secret_base32();
    let secret = base32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    Ok(TwoFactorEnrolment { qr_svg: svg, secret })
}

/// The roles that must use a second factor.
pub async fn required_roles(pool: &PgPool) -> Result<RequiredRoles, sqlx::Error> {
    Ok(RequiredRoles::parse(&settings::get(pool, RequiredRoles::SETTING).await?.unwrap_or_default()))
}

/// The owner sets which roles must use a second factor (audited). People of those roles
/// who have not set one up are asked to at their next sign-in.
pub async fn set_required_roles(pool: &PgPool, by: &CurrentUser, roles: &[Role], addr: &str) -> Result<RequiredRoles, AppError> {
    let roles = RequiredRoles::parse(&RequiredRoles(roles.to_vec()).to_stored());
    if roles.requires(by.role) && !status(pool, by).await?.enabled {
        return Err(AppError::Conflict(format!(
            "Turn on two-factor sign-in for yourself first (Account settings): you are a {} and would be asked to at your next sign-in.",
            by.role.label()
        )));
    }
    settings::set(pool, RequiredRoles::SETTING, &roles.to_stored(), by.id).await?;
    audit::record(pool, Some(by.id), &audit::who(by), AuditAction::SettingChanged, "two-factor sign-in", &format!("required for {}", roles.describe()), addr).await?;
    Ok(roles)
}

/// Whether `user` has two-factor sign-in on, and how many recovery codes are left.
pub async fn status(pool: &PgPool, user: &CurrentUser) -> Result<TwoFactorStatus, sqlx::Error> {
    let (since, left): (Option<i64>, i64) = sqlx::query_as(
        "select (select extract(epoch from confirmed_at)::int8 from second_factors where user_id = $1 and confirmed_at is not null),
                (select count(*) from recovery_codes where user_id = $1 and used_at is null)",
    )
    .bind(user.id)
    .fetch_one(pool)
    .await?;
    let required = required_roles(pool).await?.requires(user.role);
    Ok(TwoFactorStatus { enabled: since.is_some(), since_epoch: since, recovery_left: if since.is_some() { left } else { 0 }, required })
}

/// Starts (or starts again) setting up an authenticator: a new secret, waiting for its
/// first code. Refused while one is on (turn it off first).
pub async fn begin(pool: &PgPool, user: &CurrentUser) -> Result<TwoFactorEnrolment, AppError> {
    let secret = new_secret();
    let stored: Option<Vec<u8>> = sqlx::query_scalar(
        "insert into second_factors (user_id, secret) values ($1, $2)
         on conflict (user_id) do update set secret = excluded.secret, created_at = now(), last_step = 0
           where second_factors.confirmed_at is null
         returning secret",
    )
    .bind(user.id)
    .bind(&secret)
    .fetch_optional(pool)
    .await?;
    match stored {
        Some(secret) => enrolment_view(&secret, &user.email),
        None => Err(AppError::Conflict("Two-factor sign-in is already on. Turn it off first to move it to another app.".into())),
    }
}

fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn new_recovery_codes() -> Vec<String> {
    use rand::RngCore;
    (0..rules::RECOVERY_CODES)
        .map(|_| {
            let mut random = [0u8; rules::RECOVERY_LENGTH];
            rand::rngs::OsRng.fill_bytes(&mut random);
            rules::recovery_code(random)
        })
        .collect()
}

/// Replaces the person's recovery codes with ten new ones, returned as shown (`abcde-fghjk`).
async fn replace_recovery_codes(tx: &mut PgConnection, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let codes = new_recovery_codes();
    sqlx::query("delete from recovery_codes where user_id = $1").bind(user_id).execute(&mut *tx).await?;
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| sha256(c)).collect();
    sqlx::query("insert into recovery_codes (user_id, code_hash) select $1, unnest($2::bytea[]) on conflict do nothing")
        .bind(user_id)
        .bind(&hashes)
        .execute(&mut *tx)
        .await?;
    Ok(codes.iter().map(|c| rules::show_recovery(c)).collect())
}

/// How a code was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    Totp,
    Recovery,
}

/// Checks a code against the person's authenticator (confirmed or, with `enrolling`,
/// waiting for its first code) under its row lock, and uses it up: a TOTP code's step
/// is recorded so it never counts again, a recovery code is marked used. `Ok(None)`:
/// not right.
async fn check_code(tx: &mut PgConnection, user_id: i64, entered: &Entered, enrolling: bool) -> Result<Option<Accepted>, sqlx::Error> {
    let row: Option<(Vec<u8>, i64, bool)> =
        sqlx::query_as("select secret, last_step, confirmed_at is not null from second_factors where user_id = $1 for update")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((secret, last_step, confirmed)) = row else { return Ok(None) };
    if confirmed == enrolling {
        return Ok(None);
    }
    match entered {
        Entered::Totp(code) => {
            let Ok(totp) = authenticator(secret, "x@example.com") else { return Ok(None) };
            let now = rules::step_at(now_unix());
            let step = rules::candidate_steps(now, last_step.max(0) as u64).into_iter().find(|s| totp.check(code, s * rules::STEP_SECONDS));
            let Some(step) = step else { return Ok(None) };
            sqlx::query("update second_factors set last_step = $2 where user_id = $1").bind(user_id).bind(step as i64).execute(&mut *tx).await?;
            Ok(Some(Accepted::Totp))
        }
        Entered::Recovery(code) if !enrolling => {
            let used = sqlx::query("update recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null")
                .bind(user_id)
                .bind(sha256(code))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            Ok((used == 1).then_some(Accepted::Recovery))
        }
        Entered::Recovery(_) => Ok(None),
    }
}

/// The throttle door for second-factor codes of one person (six digits are guessable
/// without one).
fn door(user_id: i64) -> (String, ThrottlePolicy) {
    (format!("second-factor:{user_id}"), ThrottlePolicy::PER_ACCOUNT)
}

async fn admit(pool: &PgPool, user_id: i64) -> Result<(), AppError> {
    if let Err(wait) = throttle::admit(pool, &[door(user_id)]).await? {
        return Err(AppError::too_many("Too many wrong codes.", wait));
    }
    Ok(())
}

const WRONG_CODE: &str = "That code is not right. Codes change every 30 seconds and each works once: type the one your app shows now, or a recovery code.";

fn parse(code: &str) -> Result<Entered, AppError> {
    Entered::parse(code).map_err(|e| AppError::Invalid(e.into()))
}

/// Confirms an enrolment with the first code from the app: two-factor sign-in is on,
/// and the ten recovery codes are returned to be shown once (audited).
pub async fn confirm(pool: &PgPool, user: &CurrentUser, code: &str, addr: &str) -> Result<Vec<String>, AppError> {
    let entered = parse(code)?;
    if matches!(entered, Entered::Recovery(_)) {
        return Err(AppError::Invalid("Type the six-digit code your authenticator app shows for Meridian.".into()));
    }
    admit(pool, user.id).await?;
    let mut tx = pool.begin().await?;
    if check_code(&mut tx, user.id, &entered, true).await?.is_none() {
        return Err(AppError::Invalid(WRONG_CODE.into()));
    }
    sqlx::query("update second_factors set confirmed_at = now() where user_id = $1").bind(user.id).execute(&mut *tx).await?;
    let codes = replace_recovery_codes(&mut tx, user.id).await?;
    audit::record(&mut *tx, Some(user.id), &audit::who(user), AuditAction::TwoFactorEnabled, &audit::who(user), "authenticator app, 10 recovery codes", addr).await?;
    tx.commit().await?;
    throttle::forget(pool, &door(user.id).0).await?;
    Ok(codes)
}

/// Checks a code of a signed-in person who has two-factor sign-in on (confirming a
/// sensitive action), throttled like sign-in's second step.
pub async fn check(pool: &PgPool, user: &CurrentUser, code: &str) -> Result<Accepted, AppError> {
    let entered = parse(code)?;
    admit(pool, user.id).await?;
    let mut tx = pool.begin().await?;
    let accepted = check_code(&mut tx, user.id, &entered, false).await?.ok_or_else(|| AppError::Invalid(WRONG_CODE.into()))?;
    tx.commit().await?;
    throttle::forget(pool, &door(user.id).0).await?;
    Ok(accepted)
}

/// Makes ten new recovery codes (the old ones stop working; audited).
pub async fn renew_recovery_codes(pool: &PgPool, user: &CurrentUser, addr: &str) -> Result<Vec<String>, AppError> {
    let mut tx = pool.begin().await?;
    let on: Option<i64> = sqlx::query_scalar("select user_id from second_factors where user_id = $1 and confirmed_at is not null for update")
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
    if on.is_none() {
        return Err(AppError::Conflict("Two-factor sign-in is off: there are no recovery codes to renew.".into()));
    }
    let codes = replace_recovery_codes(&mut tx, user.id).await?;
    audit::record(&mut *tx, Some(user.id), &audit::who(user), AuditAction::RecoveryCodesRenewed, &audit::who(user), "the old ones stopped working", addr).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Removes a person's authenticator (or an enrolment waiting for its first code),
/// recovery codes and remembered browsers; answers whether two-factor sign-in was on.
async fn remove(tx: &mut PgConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let was_on: Option<bool> = sqlx::query_scalar("delete from second_factors where user_id = $1 returning confirmed_at is not null")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    sqlx::query("delete from recovery_codes where user_id = $1").bind(user_id).execute(&mut *tx).await?;
    sqlx::query("update known_devices set second_factor_until = null where user_id = $1").bind(user_id).execute(&mut *tx).await?;
    Ok(was_on == Some(true))
}

/// Turns the caller's two-factor sign-in off (audited); refused when their role requires it.
pub async fn disable(pool: &PgPool, user: &CurrentUser, addr: &str) -> Result<(), AppError> {
    if required_roles(pool).await?.requires(user.role) {
        return Err(AppError::Conflict(format!(
            "Two-factor sign-in is required for every {} here, so it cannot be turned off. To move it to a new phone, make new recovery codes or ask an owner to reset it.",
            user.role.label()
        )));
    }
    let mut tx = pool.begin().await?;
    if !remove(&mut tx, user.id).await? {
        return Err(AppError::Conflict("Two-factor sign-in is already off.".into()));
    }
    audit::record(&mut *tx, Some(user.id), &audit::who(user), AuditAction::TwoFactorDisabled, &audit::who(user), "", addr).await?;
    tx.commit().await?;
    Ok(())
}

/// An owner resets someone's two-factor sign-in (a lost phone): the authenticator,
/// recovery codes and remembered browsers are gone and the person's sessions end; they
/// sign in with their password and, if their role requires it, set up a new one.
/// Answers the person's label (`Name <email>`).
pub async fn owner_reset(pool: &PgPool, by: &CurrentUser, user_id: i64, addr: &str) -> Result<String, AppError> {
    let who = super::users::label(pool, user_id).await?.ok_or_else(|| AppError::NotFound("There is no such user.".into()))?;
    let mut tx = pool.begin().await?;
    if !remove(&mut tx, user_id).await? {
        return Err(AppError::Conflict(format!("{who} has not turned on two-factor sign-in: there is nothing to reset.")));
    }
    let ended = sqlx::query("delete from sessions where user_id = $1").bind(user_id).execute(&mut *tx).await?.rows_affected();
    audit::record(&mut *tx, Some(by.id), &audit::who(by), AuditAction::TwoFactorReset, &who, &format!("{ended} session(s) ended"), addr).await?;
    tx.commit().await?;
    Ok(who)
}

/// What follows a right password.
pub enum AfterPassword {
    /// No second factor is needed: open the session.
    SignedIn,
    /// A second step is needed: the token for the challenge cookie.
    Challenge(String),
}

/// Decides whether a sign-in that passed its password needs a second step: a code when
/// the person has two-factor sign-in on (unless this browser is remembered), setting one
/// up when their role requires it and they have none.
pub async fn after_password(
    pool: &PgPool,
    user: &CurrentUser,
    device_id: Option<i64>,
    addr: &str,
    user_agent: &str,
) -> Result<AfterPassword, AppError> {
    let enabled: bool = sqlx::query_scalar("select exists (select 1 from second_factors where user_id = $1 and confirmed_at is not null)")
        .bind(user.id)
        .fetch_one(pool)
        .await?;
    if enabled {
        let remembered: bool = sqlx::query_scalar(
            "select exists (select 1 from known_devices where id = $1 and user_id = $2 and second_factor_until > now())",
        )
        .bind(device_id)
        .bind(user.id)
        .fetch_one(pool)
        .await?;
        if remembered {
            return Ok(AfterPassword::SignedIn);
        }
    } else if !required_roles(pool).await?.requires(user.role) {
        return Ok(AfterPassword::SignedIn);
    }
    let token = random_token();
    sqlx::query("delete from sign_in_challenges where user_id = $1 and expires_at < now()").bind(user.id).execute(pool).await?;
    sqlx::query(
        "insert into sign_in_challenges (token_hash, user_id, device_id, client_addr, user_agent, expires_at)
         values ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))",
    )
    .bind(sha256(&token))
    .bind(user.id)
    .bind(device_id)
    .bind(addr)
    .bind(user_agent.chars().take(300).collect::<String>())
    .bind(rules::CHALLENGE_MINUTES)
    .execute(pool)
    .await?;
    Ok(AfterPassword::Challenge(token))
}

/// The sentence for a challenge that is gone.
pub const CHALLENGE_GONE: &str = "This sign-in has expired (it waits five minutes for the code, and five wrong codes end it). Sign in again.";

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    #[sqlx(flatten)]
    user: super::users::UserRow,
    device_id: Option<i64>,
    enabled: bool,
}

async fn challenge_row(tx: &mut PgConnection, token: &str, lock: bool) -> Result<Option<ChallengeRow>, AppError> {
    let sql = format!(
        "select u.id as user_id, u.email, u.name, u.role, u.time_zone, c.device_id,
                exists (select 1 from second_factors f where f.user_id = u.id and f.confirmed_at is not null) as enabled
           from sign_in_challenges c join users u on u.id = c.user_id
          where c.token_hash = $1 and c.expires_at > now() and u.active {}",
        if lock { "for update of c" } else { "" }
    );
    Ok(sqlx::query_as(&sql).bind(sha256(token)).fetch_optional(&mut *tx).await?)
}

/// What the second step asks of the browser holding `token`; for a set-up, the QR code
/// (the secret is made once and kept while the challenge lasts).
pub async fn second_step(pool: &PgPool, token: &str) -> Result<SecondStep, AppError> {
    let mut tx = pool.begin().await?;
    let row = challenge_row(&mut tx, token, false).await?.ok_or_else(|| AppError::NotFound(CHALLENGE_GONE.into()))?;
    tx.commit().await?;
    let user = row.user.into_user().ok_or(AppError::Internal)?;
    if row.enabled {
        return Ok(SecondStep::Verify { email: user.email });
    }
    let pending: Option<Vec<u8>> =
        sqlx::query_scalar("select secret from second_factors where user_id = $1 and confirmed_at is null and created_at > now() - interval '10 minutes'")
            .bind(user.id)
            .fetch_optional(pool)
            .await?;
    let enrolment = match pending {
        Some(secret) => enrolment_view(&secret, &user.email)?,
        None => begin(pool, &user).await?,
    };
    Ok(SecondStep::Enrol { email: user.email, enrolment })
}

/// A second step answered.
pub struct Answered {
    pub user: CurrentUser,
    /// Recovery codes to show once, when the step was setting up two-factor sign-in.
    pub recovery_codes: Option<Vec<String>>,
}

/// Answers the second step with a code (or, for a set-up, the app's first code). A right
/// code ends the challenge and, with `remember`, marks this browser to skip the second
/// step for 30 days; a wrong one counts against the challenge (five end it) and the
/// person's throttle. Audited either way.
pub async fn answer(pool: &PgPool, token: &str, code: &str, remember: bool, addr: &str) -> Result<Answered, AppError> {
    let entered = parse(code)?;
    // The throttle first, on its own connection, before this one holds any lock.
    let user_id: i64 = sqlx::query_scalar("select user_id from sign_in_challenges where token_hash = $1 and expires_at > now()")
        .bind(sha256(token))
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound(CHALLENGE_GONE.into()))?;
    admit(pool, user_id).await?;
    let mut tx = pool.begin().await?;
    let row = challenge_row(&mut tx, token, true).await?.ok_or_else(|| AppError::NotFound(CHALLENGE_GONE.into()))?;
    let user = row.user.into_user().ok_or(AppError::Internal)?;
    let enrolling = !row.enabled;
    let Some(accepted) = check_code(&mut tx, user.id, &entered, enrolling).await? else {
        let attempts: i32 = sqlx::query_scalar("update sign_in_challenges set attempts = attempts + 1 where token_hash = $1 returning attempts")
            .bind(sha256(token))
            .fetch_one(&mut *tx)
            .await?;
        let last = attempts >= rules::CHALLENGE_ATTEMPTS;
        if last {
            sqlx::query("delete from sign_in_challenges where token_hash = $1").bind(sha256(token)).execute(&mut *tx).await?;
        }
        audit::record(&mut *tx, Some(user.id), &audit::who(&user), AuditAction::SignInFailed, &audit::who(&user), "wrong second-factor code", addr).await?;
        tx.commit().await?;
        return Err(if last { AppError::NotFound(CHALLENGE_GONE.into()) } else { AppError::Invalid(WRONG_CODE.into()) });
    };
    sqlx::query("delete from sign_in_challenges where token_hash = $1").bind(sha256(token)).execute(&mut *tx).await?;
    let recovery_codes = if enrolling {
        sqlx::query("update second_factors set confirmed_at = now() where user_id = $1").bind(user.id).execute(&mut *tx).await?;
        let codes = replace_recovery_codes(&mut tx, user.id).await?;
        audit::record(&mut *tx, Some(user.id), &audit::who(&user), AuditAction::TwoFactorEnabled, &audit::who(&user), "set up at sign-in (required for the role)", addr)
            .await?;
        Some(codes)
    } else {
        None
    };
    if accepted == Accepted::Recovery {
        let left: i64 = sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null").bind(user.id).fetch_one(&mut *tx).await?;
        audit::record(&mut *tx, Some(user.id), &audit::who(&user), AuditAction::RecoveryCodeUsed, &audit::who(&user), &format!("{left} left"), addr).await?;
    }
    if remember {
        sqlx::query("update known_devices set second_factor_until = now() + make_interval(days => $2) where id = $1 and user_id = $3")
            .bind(row.device_id)
            .bind(rules::REMEMBER_DAYS)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    throttle::forget(pool, &door(user.id).0).await?;
    Ok(Answered { user, recovery_codes })
}

/// The challenge cookie's name.
pub fn challenge_cookie_name(settings: &super::Settings) -> &'static str {
    if settings.is_tls() {
        "__Host-meridian_challenge"
    } else {
        "meridian_challenge"
    }
}

/// `Set-Cookie` for a challenge (five minutes), or, with `None`, one that clears it.
pub fn challenge_cookie(settings: &super::Settings, token: Option<&str>) -> String {
    let secure = if settings.is_tls() { "; Secure" } else { "" };
    let (value, age) = match token {
        Some(t) => (t, rules::CHALLENGE_MINUTES as i64 * 60),
        None => ("", 0),
    };
    format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{secure}", challenge_cookie_name(settings))
}
