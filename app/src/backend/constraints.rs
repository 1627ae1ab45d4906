//! One error path for the database's refusals: a unique or foreign-key violation becomes
//! the sentence the user sees (409 or 422); any other database error stays an opaque,
//! logged 500 (see `AppError: From<sqlx::Error>`); and the checks before a write that answer
//! with a sentence when something is not yours (`require`). In the spirit of realworld-axum-sqlx's
//! `ResultExt::on_constraint`.

use crate::error::AppError;

/// What kind of rule the database refused a write for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    Unique,
    ForeignKey,
}

/// A refused write: its kind and, where PostgreSQL names it, the constraint.
#[derive(Clone, Copy, Debug)]
pub struct Violation<'a> {
    pub kind: ViolationKind,
    pub constraint: Option<&'a str>,
}

pub trait ConstraintExt<T> {
    /// Maps a violation to what the user is told; `None` leaves it a 500.
    fn on_violation(self, to: impl FnOnce(Violation<'_>) -> Option<AppError>) -> Result<T, AppError>;

    /// Any unique violation becomes `409 Conflict` with this sentence.
    fn on_unique(self, sentence: impl FnOnce() -> String) -> Result<T, AppError>
    where
        Self: Sized,
    {
        self.on_violation(|v| (v.kind == ViolationKind::Unique).then(|| AppError::Conflict(sentence())))
    }

    /// A violation of the constraint called `name` becomes `error`.
    fn on_constraint(self, name: &str, error: impl FnOnce() -> AppError) -> Result<T, AppError>
    where
        Self: Sized,
    {
        self.on_violation(|v| (v.constraint == Some(name)).then(error))
    }
}

impl<T> ConstraintExt<T> for Result<T, sqlx::Error> {
    fn on_violation(self, to: impl FnOnce(Violation<'_>) -> Option<AppError>) -> Result<T, AppError> {
        self.map_err(|err| {
            let mapped = match &err {
                sqlx::Error::Database(db) => {
                    let kind = if db.is_unique_violation() {
                        Some(ViolationKind::Unique)
                    } else if db.is_foreign_key_violation() {
                        Some(ViolationKind::ForeignKey)
                    } else {
                        None
                    };
                    kind.and_then(|kind| to(Violation { kind, constraint: db.constraint() }))
                }
                _ => None,
            };
            mapped.unwrap_or_else(|| err.into())
        })
    }
}

/// `Ok` when `exists_sql` (a `select exists (…)` over `$1` and `$2`) answers true, else
/// `refusal`: the one shape of "is this yours / may you name them" checks before a write.
pub async fn require<'e, E: sqlx::PgExecutor<'e>>(db: E, exists_sql: &str, first: i64, second: i64, refusal: AppError) -> Result<(), AppError> {
    let found: bool = sqlx::query_scalar(exists_sql).bind(first).bind(second).fetch_one(db).await?;
    if found { Ok(()) } else { Err(refusal) }
}
