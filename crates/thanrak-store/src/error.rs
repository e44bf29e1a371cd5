//! Store errors, neutral of the backend that raised them.

/// What went wrong in the store. Callers never see a driver type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A write collided with data already there (a unique key).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL or options are wrong (a user error).
    #[error("{0}")]
    Config(String),
    /// The database cannot be reached or opened.
    #[error("{0}")]
    Unavailable(String),
    /// Stored data failed validation when read back (the database was changed outside thanrak).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// Any other database failure (an internal fault).
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("row".into()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}
