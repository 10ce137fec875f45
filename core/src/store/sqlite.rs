//! The embedded default: one SQLite file holding responses and control state.
//!
//! All writes go through one writer thread that commits whatever is queued as one
//! transaction (group commit): concurrent requests never meet `database is locked`, and one
//! fsync covers many responses. A caller is answered only after its transaction committed
//! with `synchronous = FULL`, so a 2xx always means the response is on disk.
//!
//! Nothing in the file orders responses by arrival (docs/privacy.md, "Whoever holds the
//! data"): both tables are `WITHOUT ROWID`, keyed by random ids, so rows are read back in key
//! order; the rollback journal (not a WAL) keeps no history of commits once each one is
//! done; `secure_delete` zeroes what is deleted; and a maintenance pass on a timer deletes
//! expired control items and `VACUUM`s, rewriting every page in key order so that where a row
//! sits in its page no longer says when it came.
//!
//! Each stored response also adds one to its survey's row of `progress` for its ISO week, in
//! the same transaction (so a repeat or a failed write counts nothing), and a removal
//! recounts its week in its own transaction: the counters are exact by construction. The
//! hourly public snapshot is one row of `progress_snapshot` per survey and wave.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations, SchemaVersion};
use tokio::sync::oneshot;

use super::{
    ControlStore, Listed, Pages, ProgressStore, PutOutcome, ResponseStore, Snapshot, StoreError,
    WeekCount, WeekFilter, counter_expires_at, snapshot_expires_at, unix_now,
};

use crate::record::ResponseRecord;
use crate::wave::{IsoWeek, Wave};

const PAGE_SIZE: usize = 1000;
const MAX_BATCH: usize = 512;

/// How often the writer purges expired control items and rewrites the file in key order,
/// when anything was written since the last time.
pub const DEFAULT_MAINTENANCE_EVERY: Duration = Duration::from_secs(600);

/// The one control row every repeated put rewrites, so that a repeat costs a commit like a
/// first put does and its timing does not tell the two apart.
const PAD_KEY: &str = "store/pad";

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE responses (
            response_id    TEXT PRIMARY KEY NOT NULL,
            survey_id      TEXT NOT NULL,
            survey_version INTEGER NOT NULL,
            iso_week       TEXT NOT NULL,
            answers        TEXT NOT NULL,
            pow_verified   INTEGER NOT NULL
        );
        CREATE INDEX responses_by_survey ON responses (survey_id);
        CREATE TABLE control (
            key        TEXT PRIMARY KEY NOT NULL,
            counter    INTEGER NOT NULL DEFAULT 0,
            value      TEXT,
            expires_at INTEGER NOT NULL
        );",
        ),
        // Rowid tables keep rows in arrival order; these keep them in (random) key order.
        // Control items are short-lived by design: they are dropped, not copied.
        M::up(
            "CREATE TABLE responses_by_key (
                response_id    TEXT PRIMARY KEY NOT NULL,
                survey_id      TEXT NOT NULL,
                survey_version INTEGER NOT NULL,
                iso_week       TEXT NOT NULL,
                answers        TEXT NOT NULL,
                pow_verified   INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO responses_by_key
                SELECT response_id, survey_id, survey_version, iso_week, answers, pow_verified
                FROM responses ORDER BY response_id;
            DROP TABLE responses;
            ALTER TABLE responses_by_key RENAME TO responses;
            CREATE INDEX responses_by_survey ON responses (survey_id, response_id);
            DROP TABLE control;
            CREATE TABLE control (
                key        TEXT PRIMARY KEY NOT NULL,
                counter    INTEGER NOT NULL DEFAULT 0,
                value      TEXT,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;",
        ),
        // The progress counters (one row per survey and week) and the public snapshot (one
        // per survey and wave); the hook counts what older versions stored without them.
        M::up_with_hook(
            "CREATE TABLE progress (
                survey_id  TEXT NOT NULL,
                iso_week   TEXT NOT NULL,
                responses  INTEGER NOT NULL,
                unverified INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (survey_id, iso_week)
            ) WITHOUT ROWID;
            CREATE TABLE progress_snapshot (
                survey_id          TEXT NOT NULL,
                wave               TEXT NOT NULL,
                hour               INTEGER NOT NULL,
                responses_at_least INTEGER NOT NULL,
                expires_at         INTEGER NOT NULL,
                PRIMARY KEY (survey_id, wave)
            ) WITHOUT ROWID;",
            count_stored_responses,
        ),
    ])
}

/// Fills `progress` from the responses an older schema stored, in the migration's
/// transaction, so the counters are exact from the first open on.
fn count_stored_responses(tx: &rusqlite::Transaction<'_>) -> rusqlite_migration::HookResult {
    let weeks: Vec<(String, String)> = tx
        .prepare("SELECT DISTINCT survey_id, iso_week FROM responses")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (survey_id, week) in weeks {
        // A week that does not parse belongs to a malformed row, which the listing reports.
        if let Ok(week) = week.parse::<IsoWeek>() {
            recount(tx, &survey_id, week)?;
        }
    }
    Ok(())
}

/// Sets the counter of `week` to what `responses` holds for it, and returns that; a week
/// with nothing left has no row.
fn recount(
    tx: &rusqlite::Transaction<'_>,
    survey_id: &str,
    week: IsoWeek,
) -> rusqlite::Result<WeekCount> {
    let week_text = week.to_string();
    let counted = tx
        .prepare_cached(
            "SELECT count(*), coalesce(sum(pow_verified = 0), 0) FROM responses
             WHERE survey_id = ?1 AND iso_week = ?2",
        )?
        .query_row(params![survey_id, week_text], |row| {
            Ok(WeekCount {
                responses: row.get::<_, i64>(0)?.max(0) as u64,
                unverified: row.get::<_, i64>(1)?.max(0) as u64,
            })
        })?;
    if counted.responses == 0 {
        tx.prepare_cached("DELETE FROM progress WHERE survey_id = ?1 AND iso_week = ?2")?
            .execute(params![survey_id, week_text])?;
    } else {
        tx.prepare_cached(
            "INSERT INTO progress (survey_id, iso_week, responses, unverified, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (survey_id, iso_week) DO UPDATE SET
               responses = excluded.responses, unverified = excluded.unverified",
        )?
        .execute(params![
            survey_id,
            week_text,
            counted.responses as i64,
            counted.unverified as i64,
            counter_expires_at(week)
        ])?;
    }
    Ok(counted)
}

fn classify(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::DiskFull
            | ErrorCode::ReadOnly
            | ErrorCode::SystemIoFailure
            | ErrorCode::CannotOpen
            | ErrorCode::OutOfMemory
            | ErrorCode::PermissionDenied,
        ) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Failed(e.to_string()),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // A WAL would keep every commit's pages in order until the next checkpoint: a log of
    // which rows came together and when. The rollback journal is emptied at each commit.
    conn.pragma_update(None, "journal_mode", "TRUNCATE")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Job {
    Put(Box<ResponseRecord>, Reply<PutOutcome>),
    PutMany(Vec<ResponseRecord>, Reply<u64>),
    Increment(String, i64, Reply<u64>),
    Claim(String, i64, Reply<bool>),
    RemoveWeek(WeekFilter, Reply<u64>),
    Recount(String, IsoWeek, Reply<WeekCount>),
    OfferSnapshot(String, Wave, Snapshot, Reply<Snapshot>),
}

/// Shared by the delete and the dry-run count, so both always select the same rows.
const WEEK_WHERE: &str = "survey_id = ?1 AND iso_week = ?2 AND (?3 = 0 OR pow_verified = 0)";

/// What a job computed inside the transaction; sent to its caller only after commit.
enum Done {
    Put(PutOutcome),
    Count(u64),
    Claimed(bool),
    Counted(WeekCount),
    Snapshot(Snapshot),
}

impl Job {
    fn apply(&self, tx: &rusqlite::Transaction<'_>, now: i64) -> rusqlite::Result<Done> {
        match self {
            Job::Put(record, _) => Ok(Done::Put(insert(tx, record)?)),
            Job::PutMany(records, _) => {
                let mut stored = 0;
                for r in records {
                    if insert(tx, r)? == PutOutcome::Stored {
                        stored += 1;
                    }
                }
                Ok(Done::Count(stored))
            }
            Job::Increment(key, expires_at, _) => tx
                .query_row(
                    "INSERT INTO control (key, counter, expires_at) VALUES (?1, 1, ?2)
                     ON CONFLICT (key) DO UPDATE SET
                       counter = CASE WHEN expires_at <= ?3 THEN 1 ELSE counter + 1 END,
                       expires_at = CASE WHEN expires_at <= ?3 THEN excluded.expires_at ELSE expires_at END
                     RETURNING counter",
                    params![key, expires_at, now],
                    |row| row.get::<_, i64>(0),
                )
                .map(|n| Done::Count(n.max(0) as u64)),
            Job::Claim(key, expires_at, _) => tx
                .execute(
                    "INSERT INTO control (key, expires_at) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at, counter = 0, value = NULL
                     WHERE control.expires_at <= ?3",
                    params![key, expires_at, now],
                )
                .map(|changed| Done::Claimed(changed == 1)),
            Job::RemoveWeek(f, _) => {
                let deleted = tx.execute(
                    &format!("DELETE FROM responses WHERE {WEEK_WHERE}"),
                    params![f.survey_id, f.week, f.unverified_only],
                )?;
                // In the same transaction: the counter never disagrees with the rows.
                if let Ok(week) = f.week.parse::<IsoWeek>() {
                    recount(tx, &f.survey_id, week)?;
                }
                Ok(Done::Count(deleted as u64))
            }
            Job::Recount(survey_id, week, _) => recount(tx, survey_id, *week).map(Done::Counted),
            Job::OfferSnapshot(survey_id, wave, offered, _) => {
                tx.execute(
                    "INSERT INTO progress_snapshot (survey_id, wave, hour, responses_at_least, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (survey_id, wave) DO UPDATE SET
                       hour = excluded.hour,
                       responses_at_least = excluded.responses_at_least,
                       expires_at = excluded.expires_at
                     WHERE progress_snapshot.hour < excluded.hour",
                    params![
                        survey_id,
                        wave.to_string(),
                        offered.hour,
                        offered.responses_at_least as i64,
                        snapshot_expires_at(offered.hour)
                    ],
                )?;
                tx.query_row(
                    "SELECT hour, responses_at_least FROM progress_snapshot
                     WHERE survey_id = ?1 AND wave = ?2",
                    params![survey_id, wave.to_string()],
                    read_snapshot,
                )
                .map(Done::Snapshot)
            }
        }
    }

    fn answer(self, result: Result<Done, StoreError>) {
        // A caller that gave up (its request was dropped) no longer listens: nothing to do.
        match (self, result) {
            (Job::Put(_, tx), Ok(Done::Put(o))) => drop(tx.send(Ok(o))),
            (Job::PutMany(_, tx), Ok(Done::Count(n)))
            | (Job::Increment(_, _, tx), Ok(Done::Count(n)))
            | (Job::RemoveWeek(_, tx), Ok(Done::Count(n))) => drop(tx.send(Ok(n))),
            (Job::Claim(_, _, tx), Ok(Done::Claimed(c))) => drop(tx.send(Ok(c))),
            (Job::Recount(_, _, tx), Ok(Done::Counted(c))) => drop(tx.send(Ok(c))),
            (Job::OfferSnapshot(_, _, _, tx), Ok(Done::Snapshot(s))) => drop(tx.send(Ok(s))),
            (job, Err(e)) => job.fail(e),
            (job, Ok(_)) => job.fail(StoreError::Failed("writer answered the wrong job".into())),
        }
    }

    fn fail(self, e: StoreError) {
        match self {
            Job::Put(_, tx) => drop(tx.send(Err(e))),
            Job::PutMany(_, tx) | Job::Increment(_, _, tx) | Job::RemoveWeek(_, tx) => {
                drop(tx.send(Err(e)))
            }
            Job::Claim(_, _, tx) => drop(tx.send(Err(e))),
            Job::Recount(_, _, tx) => drop(tx.send(Err(e))),
            Job::OfferSnapshot(_, _, _, tx) => drop(tx.send(Err(e))),
        }
    }
}

fn read_snapshot(row: &rusqlite::Row<'_>) -> rusqlite::Result<Snapshot> {
    Ok(Snapshot {
        hour: row.get(0)?,
        responses_at_least: row.get::<_, i64>(1)?.max(0) as u64,
    })
}

fn insert(tx: &rusqlite::Transaction<'_>, r: &ResponseRecord) -> rusqlite::Result<PutOutcome> {
    let answers = serde_json::to_string(&r.answers).expect("answers always serialize");
    let changed = tx
        .prepare_cached(
            "INSERT INTO responses (response_id, survey_id, survey_version, iso_week, answers, pow_verified)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (response_id) DO NOTHING",
        )?
        .execute(params![
            r.response_id,
            r.survey_id,
            r.survey_version,
            r.iso_week.to_string(),
            answers,
            r.pow_verified
        ])?;
    if changed == 1 {
        tx.prepare_cached(
            "INSERT INTO progress (survey_id, iso_week, responses, unverified, expires_at)
             VALUES (?1, ?2, 1, ?3, ?4)
             ON CONFLICT (survey_id, iso_week) DO UPDATE SET
               responses = responses + 1, unverified = unverified + excluded.unverified",
        )?
        .execute(params![
            r.survey_id,
            r.iso_week.to_string(),
            i64::from(!r.pow_verified),
            counter_expires_at(r.iso_week)
        ])?;
        return Ok(PutOutcome::Stored);
    }
    tx.prepare_cached(
        "INSERT INTO control (key, counter, expires_at) VALUES (?1, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET counter = 1 - counter",
    )?
    .execute(params![PAD_KEY, i64::MAX])?;
    Ok(PutOutcome::AlreadyStored)
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Listed> {
    let response_id: String = row.get(0)?;
    let parsed = (|| -> Result<ResponseRecord, String> {
        let week = row
            .get_ref(3)
            .map_err(|e| e.to_string())?
            .as_str()
            .map_err(|e| format!("iso_week: {e}"))?;
        // Borrowed from SQLite's row buffer: the answers text is parsed, never copied.
        let answers = row
            .get_ref(4)
            .map_err(|e| format!("answers: {e}"))?
            .as_str()
            .map_err(|e| format!("answers: {e}"))?;
        Ok(ResponseRecord {
            response_id: response_id.clone(),
            survey_id: row.get(1).map_err(|e| e.to_string())?,
            survey_version: row.get(2).map_err(|e| format!("survey_version: {e}"))?,
            iso_week: week.parse().map_err(|e| format!("iso_week: {e}"))?,
            answers: crate::answers::deserialize_stored(&mut serde_json::Deserializer::from_str(
                answers,
            ))
            .map_err(|e| format!("answers: {e}"))?,
            pow_verified: row.get(5).map_err(|e| format!("pow_verified: {e}"))?,
        })
    })();
    Ok(match parsed {
        Ok(record) => Listed::Response(record),
        Err(problem) => Listed::Malformed {
            response_id,
            problem,
        },
    })
}

/// Runs queued jobs until every sender is gone, with a maintenance pass every `every` (and a
/// last one at the end) whenever something was written since the previous pass.
fn writer(mut conn: Connection, jobs: mpsc::Receiver<Job>, every: Duration) {
    let mut dirty = false;
    let mut due = Instant::now() + every;
    loop {
        // Checked before waiting, so that a steady stream of writes cannot put it off.
        if Instant::now() >= due {
            if std::mem::take(&mut dirty) {
                maintain(&conn);
            }
            due = Instant::now() + every;
        }
        let first = match jobs.recv_timeout(due.saturating_duration_since(Instant::now())) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        dirty = true;
        run_batch(&mut conn, batch);
    }
    if dirty {
        maintain(&conn);
    }
}

/// Deletes expired control items and rewrites the file in key order (`VACUUM`): afterwards a
/// row's place in the file says nothing about when it was written. Writers wait meanwhile
/// (they queue; nothing fails), for about a second per 100 000 responses.
fn maintain(conn: &Connection) {
    let started = Instant::now();
    let now = unix_now();
    let purged = conn
        .execute(
            "DELETE FROM control WHERE expires_at <= ?1 AND key <> ?2",
            params![now, PAD_KEY],
        )
        .and_then(|control| {
            let counters = conn.execute("DELETE FROM progress WHERE expires_at <= ?1", [now])?;
            let snapshots = conn.execute(
                "DELETE FROM progress_snapshot WHERE expires_at <= ?1",
                [now],
            )?;
            Ok(control + counters + snapshots)
        });
    let vacuumed = conn.execute_batch("VACUUM");
    match (purged, vacuumed) {
        (Ok(purged), Ok(())) => tracing::info!(
            expired_control_items = purged,
            took_ms = started.elapsed().as_millis() as u64,
            "store maintenance: expired control items deleted, file rewritten in key order"
        ),
        (purged, vacuumed) => tracing::warn!(
            purge = ?purged.err(),
            vacuum = ?vacuumed.err(),
            "store maintenance failed; it is tried again at the next pass"
        ),
    }
}

fn run_batch(conn: &mut Connection, batch: Vec<Job>) {
    let now = unix_now();
    let attempt = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = batch
            .iter()
            .map(|job| job.apply(&tx, now))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.commit()?;
        Ok::<_, rusqlite::Error>(done)
    })();
    match attempt {
        Ok(done) => batch
            .into_iter()
            .zip(done)
            .for_each(|(job, d)| job.answer(Ok(d))),
        // One bad job must not fail its neighbours: retry each alone.
        Err(_) if batch.len() > 1 => batch.into_iter().for_each(|job| run_batch(conn, vec![job])),
        Err(e) => {
            let e = classify(e);
            batch.into_iter().for_each(|job| job.fail(e.clone()));
        }
    }
}

/// Responses and control state in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    jobs: mpsc::Sender<Job>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to date, with
    /// maintenance every `DEFAULT_MAINTENANCE_EVERY`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, DEFAULT_MAINTENANCE_EVERY)
    }

    /// As `open`, with a maintenance pass every `maintenance_every` while writes come in.
    pub fn open_with(path: &Path, maintenance_every: Duration) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let mut conn = Connection::open(path).map_err(classify)?;
        configure(&conn).map_err(classify)?;
        let migrations = migrations();
        let before = migrations
            .current_version(&conn)
            .map_err(|e| StoreError::Failed(format!("cannot read the schema version: {e}")))?;
        migrations
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Failed(format!("schema migration failed: {e}")))?;
        let after = migrations
            .current_version(&conn)
            .map_err(|e| StoreError::Failed(format!("cannot read the schema version: {e}")))?;
        if before != SchemaVersion::NoneSet && before != after {
            // The old tables' pages are still in the file, in arrival order: rewrite it now.
            maintain(&conn);
        }
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer(conn, queue, maintenance_every))
            .map_err(|e| StoreError::Failed(format!("cannot start the writer: {e}")))?;
        Ok(SqliteStore {
            path: path.to_owned(),
            jobs,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn submit<T>(&self, make: impl FnOnce(Reply<T>) -> Job) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(make(tx))
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?
    }

    fn read_only(path: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(classify)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(classify)?;
        Ok(conn)
    }

    fn count_rows(path: &Path, f: &WeekFilter) -> Result<u64, StoreError> {
        SqliteStore::read_only(path)?
            .query_row(
                &format!("SELECT count(*) FROM responses WHERE {WEEK_WHERE}"),
                params![f.survey_id, f.week, f.unverified_only],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(classify)
    }

    fn read_counts(
        path: &Path,
        survey_id: &str,
        weeks: &[IsoWeek],
    ) -> Result<Vec<WeekCount>, StoreError> {
        let conn = SqliteStore::read_only(path)?;
        let mut stmt = conn
            .prepare(
                "SELECT responses, unverified FROM progress WHERE survey_id = ?1 AND iso_week = ?2",
            )
            .map_err(classify)?;
        weeks
            .iter()
            .map(|week| {
                stmt.query_row(params![survey_id, week.to_string()], |row| {
                    Ok(WeekCount {
                        responses: row.get::<_, i64>(0)?.max(0) as u64,
                        unverified: row.get::<_, i64>(1)?.max(0) as u64,
                    })
                })
                .optional()
                .map(Option::unwrap_or_default)
                .map_err(classify)
            })
            .collect()
    }

    fn read_snapshot(
        path: &Path,
        survey_id: &str,
        wave: Wave,
    ) -> Result<Option<Snapshot>, StoreError> {
        SqliteStore::read_only(path)?
            .query_row(
                "SELECT hour, responses_at_least FROM progress_snapshot
                 WHERE survey_id = ?1 AND wave = ?2",
                params![survey_id, wave.to_string()],
                read_snapshot,
            )
            .optional()
            .map_err(classify)
    }

    /// Runs a read on a blocking thread with a connection of its own.
    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Path) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || read(&path))
            .await
            .map_err(|e| StoreError::Failed(format!("reader panicked: {e}")))?
    }

    /// The next page of `survey_id`'s responses within `range`: from its start, or after
    /// `after` once a page was read, on `conn`.
    fn read_page(
        conn: &Connection,
        survey_id: &str,
        range: &KeyRange,
        after: Option<&str>,
    ) -> Result<(Vec<Listed>, String), StoreError> {
        // One lower and at most one upper bound, so that SQLite seeks straight to the page
        // (two lower bounds, or an `OR` on the upper one, would make it scan from the range's
        // start at every page).
        let lower = if after.is_some() { ">" } else { ">=" };
        let upper = if range.to.is_some() {
            "AND response_id < ?3"
        } else {
            "AND ?3 IS NULL"
        };
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT response_id, survey_id, survey_version, iso_week, answers, pow_verified
                 FROM responses
                 WHERE survey_id = ?1 AND response_id {lower} ?2 {upper}
                 ORDER BY response_id LIMIT ?4"
            ))
            .map_err(classify)?;
        let after = after.unwrap_or(&range.from);
        let mut last = after.to_owned();
        let rows = stmt
            .query_map(
                params![survey_id, after, range.to, PAGE_SIZE as i64],
                read_row,
            )
            .map_err(classify)?
            .map(|r| {
                r.inspect(|item| {
                    last = match item {
                        Listed::Response(record) => record.response_id.clone(),
                        Listed::Malformed { response_id, .. } => response_id.clone(),
                    };
                })
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(classify)?;
        Ok((rows, last))
    }

    /// The pages of one key range, read on one read-only connection of its own.
    fn list_range(&self, survey_id: &str, range: KeyRange) -> Pages<'_> {
        let path = self.path.clone();
        let survey_id = survey_id.to_owned();
        let range = std::sync::Arc::new(range);
        futures::stream::unfold(Some((None::<Connection>, None::<String>)), move |state| {
            let path = path.clone();
            let survey_id = survey_id.clone();
            let range = range.clone();
            async move {
                let (conn, after) = state?;
                let read = tokio::task::spawn_blocking(move || {
                    let conn = match conn {
                        Some(conn) => conn,
                        None => SqliteStore::read_only(&path)?,
                    };
                    let page = SqliteStore::read_page(&conn, &survey_id, &range, after.as_deref())?;
                    Ok((conn, page))
                })
                .await
                .map_err(|e| StoreError::Failed(format!("reader panicked: {e}")))
                .and_then(|r| r);
                match read {
                    Ok((_, (rows, _))) if rows.is_empty() => None,
                    Ok((conn, (rows, last))) => {
                        let next = (rows.len() == PAGE_SIZE).then_some((Some(conn), Some(last)));
                        Some((Ok(rows), next))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }
}

/// A range of response ids, `from` inclusive, `to` exclusive (`None`: no upper end).
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyRange {
    from: String,
    to: Option<String>,
}

/// `parts` ranges that cover every possible id, split evenly over the 32-hex-digit ids that
/// [`crate::ids`] makes (uniformly random, so each range holds about the same number).
fn key_ranges(parts: usize) -> Vec<KeyRange> {
    let parts = parts.clamp(1, 256);
    let bound = |i: usize| (i > 0).then(|| format!("{:02x}", i * 256 / parts));
    (0..parts)
        .map(|i| KeyRange {
            from: bound(i).unwrap_or_default(),
            to: (i + 1 < parts).then(|| bound(i + 1)).flatten(),
        })
        .collect()
}

#[async_trait]
impl ResponseStore for SqliteStore {
    async fn put_if_absent(&self, record: &ResponseRecord) -> Result<PutOutcome, StoreError> {
        self.submit(|tx| Job::Put(Box::new(record.clone()), tx))
            .await
    }

    async fn put_many(&self, records: &[ResponseRecord]) -> Result<u64, StoreError> {
        self.submit(|tx| Job::PutMany(records.to_vec(), tx)).await
    }

    fn list(&self, survey_id: &str) -> Pages<'_> {
        self.list_range(
            survey_id,
            KeyRange {
                from: String::new(),
                to: None,
            },
        )
    }

    fn list_parts(&self, survey_id: &str, parts: usize) -> Vec<Pages<'_>> {
        key_ranges(parts)
            .into_iter()
            .map(|range| self.list_range(survey_id, range))
            .collect()
    }

    async fn remove_week(
        &self,
        survey_id: &str,
        week: IsoWeek,
        unverified_only: bool,
    ) -> Result<u64, StoreError> {
        let filter = WeekFilter::new(survey_id, week, unverified_only);
        self.submit(|tx| Job::RemoveWeek(filter, tx)).await
    }

    async fn count_week(
        &self,
        survey_id: &str,
        week: IsoWeek,
        unverified_only: bool,
    ) -> Result<u64, StoreError> {
        let path = self.path.clone();
        let filter = WeekFilter::new(survey_id, week, unverified_only);
        tokio::task::spawn_blocking(move || SqliteStore::count_rows(&path, &filter))
            .await
            .map_err(|e| StoreError::Failed(format!("reader panicked: {e}")))?
    }
}

#[async_trait]
impl ProgressStore for SqliteStore {
    async fn week_counts(
        &self,
        survey_id: &str,
        weeks: &[IsoWeek],
    ) -> Result<Vec<WeekCount>, StoreError> {
        let (survey_id, weeks) = (survey_id.to_owned(), weeks.to_vec());
        self.read(move |path| SqliteStore::read_counts(path, &survey_id, &weeks))
            .await
    }

    async fn recount_week(&self, survey_id: &str, week: IsoWeek) -> Result<WeekCount, StoreError> {
        self.submit(|tx| Job::Recount(survey_id.to_owned(), week, tx))
            .await
    }

    async fn snapshot(&self, survey_id: &str, wave: Wave) -> Result<Option<Snapshot>, StoreError> {
        let survey_id = survey_id.to_owned();
        self.read(move |path| SqliteStore::read_snapshot(path, &survey_id, wave))
            .await
    }

    async fn offer_snapshot(
        &self,
        survey_id: &str,
        wave: Wave,
        offered: Snapshot,
    ) -> Result<Snapshot, StoreError> {
        self.submit(|tx| Job::OfferSnapshot(survey_id.to_owned(), wave, offered, tx))
            .await
    }
}

#[async_trait]
impl ControlStore for SqliteStore {
    async fn increment(&self, key: &str, expires_at: i64) -> Result<u64, StoreError> {
        self.submit(|tx| Job::Increment(key.to_owned(), expires_at, tx))
            .await
    }

    async fn claim(&self, key: &str, expires_at: i64) -> Result<bool, StoreError> {
        self.submit(|tx| Job::Claim(key.to_owned(), expires_at, tx))
            .await
    }
}

/// Reads one stored record directly, for tests and operators' checks.
pub fn read_one(path: &Path, response_id: &str) -> Result<Option<Listed>, StoreError> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(classify)?;
    conn.query_row(
        "SELECT response_id, survey_id, survey_version, iso_week, answers, pow_verified
         FROM responses WHERE response_id = ?1",
        [response_id],
        read_row,
    )
    .optional()
    .map_err(classify)
}
