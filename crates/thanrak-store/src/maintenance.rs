//! Keeping a database sound: an online copy of a SQLite database (`VACUUM INTO`, a consistent
//! snapshot taken while others read and write), the write-ahead log folded back into the file,
//! and the check that a database is whole — the backend's own integrity check and the invariants
//! the store keeps across tables (`household_counts`, whole scoring runs).

use std::path::{Path, PathBuf};

use crate::{with_pool, Store, StoreError};

/// Backups and checks: `store.maintenance()`.
#[derive(Debug, Clone, Copy)]
pub struct Maintenance<'s>(pub(crate) &'s Store);

impl Maintenance<'_> {
    /// The file of a SQLite database (`None` for PostgreSQL or an in-memory database).
    pub fn sqlite_file(self) -> Option<PathBuf> {
        match self.0 {
            Store::Sqlite(pool) => {
                let file = pool.connect_options().get_filename().to_path_buf();
                (!file.as_os_str().is_empty() && file != Path::new(":memory:")).then_some(file)
            }
            Store::Postgres(_) => None,
        }
    }

    /// Writes a consistent copy of a SQLite database to `path`, which must not exist, while the
    /// database stays open to readers and writers: SQLite's `VACUUM INTO` reads one snapshot and
    /// writes a compact file of it. PostgreSQL is backed up with its own `pg_dump`: `Config`.
    pub async fn sqlite_copy_to(self, path: &Path) -> Result<(), StoreError> {
        let Store::Sqlite(pool) = self.0 else {
            return Err(StoreError::Config(
                "a PostgreSQL database is copied with pg_dump, not by the store".into(),
            ));
        };
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Config(format!("{} is not a UTF-8 path", path.display())))?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// Folds SQLite's write-ahead log into the database file and empties it, so that the file
    /// alone holds every commit (before the file is replaced). Nothing on PostgreSQL.
    pub async fn checkpoint(self) -> Result<(), StoreError> {
        if let Store::Sqlite(pool) = self.0 {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// What is wrong with the database, empty when it is whole: SQLite's `integrity_check` and
    /// `foreign_key_check`; on both backends, villages whose `household_counts` row disagrees with
    /// the households stored, and scoring runs that do not hold a score for each household they
    /// say they scored.
    pub async fn problems(self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        if let Store::Sqlite(pool) = self.0 {
            let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(pool)
                .await?;
            problems.extend(lines.into_iter().filter(|l| l != "ok"));
            let orphans: Vec<(String, i64)> =
                sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                    .fetch_all(pool)
                    .await?;
            problems.extend(
                orphans
                    .into_iter()
                    .map(|(t, row)| format!("{t} row {row} names a row that does not exist")),
            );
        }
        let counts: Vec<(String, String, i64, i64)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT coalesce(c.round, h.round), coalesce(c.village_code, h.village_code),
                        coalesce(c.households, 0), coalesce(h.n, 0)
                 FROM household_counts c
                 FULL JOIN (SELECT round, village_code, count(*) AS n FROM households
                            GROUP BY round, village_code) h
                   ON h.round = c.round AND h.village_code = c.village_code
                 WHERE coalesce(c.households, 0) <> coalesce(h.n, 0)",
            )
            .fetch_all(pool)
            .await?
        });
        problems.extend(counts.into_iter().map(|(round, village, said, held)| {
            format!("round {round}, village {village}: household_counts says {said}, the households table holds {held}")
        }));
        let runs: Vec<(String, String, String, i64, i64)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT r.round, r.methodology_id, r.methodology_version, r.households,
                        (SELECT count(*) FROM scores s WHERE s.round = r.round
                           AND s.methodology_id = r.methodology_id
                           AND s.methodology_version = r.methodology_version)
                 FROM score_runs r",
            )
            .fetch_all(pool)
            .await?
        });
        problems.extend(
            runs.into_iter()
                .filter(|r| r.3 != r.4)
                .map(|(round, id, version, said, held)| {
                    format!("the run of {id} {version} on round {round} says {said} households and holds {held} scores")
                }),
        );
        Ok(problems)
    }
}

/// Whether the SQLite file at `path` is a thanrak database: it has been migrated by this store
/// (its `_sqlx_migrations` table) and holds the registry. Opened read-only; any failure is `false`.
pub async fn is_thanrak_sqlite(path: &Path) -> bool {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let Ok(mut conn) = opts.connect().await else {
        return false;
    };
    let tables: Result<i64, _> = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'
           AND name IN ('_sqlx_migrations', 'rounds', 'households', 'members')",
    )
    .fetch_one(&mut conn)
    .await;
    let _ = sqlx::Connection::close(conn).await;
    matches!(tables, Ok(4))
}
