//! Checker jobs shared with worker processes (`drillboard worker`): the ticker queues one job per
//! team and service each round; workers claim them with a lease (on PostgreSQL `FOR UPDATE SKIP
//! LOCKED`, so two workers never take one job), renew the lease while they run, and hand the
//! result back once. A job whose worker died is claimed again when its lease runs out; the
//! ticker closes the round's jobs at its end, and a job without a result then is late.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::{Result, Store};

/// One checker job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// Its number.
    pub id: i64,
    /// The round it belongs to.
    pub round: u32,
    /// Team id.
    pub team: String,
    /// Service id.
    pub service: String,
    /// What to run (JSON written by the ticker).
    pub spec: String,
    /// `queued`, `running`, `done` or `late`.
    pub status: String,
    /// The worker that holds it or finished it.
    pub worker: Option<String>,
    /// How many times it was claimed.
    pub attempts: i32,
    /// The result (JSON written by the worker), once done.
    pub result: Option<String>,
}

/// One worker process.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerRow {
    /// Its name (host and process).
    pub name: String,
    /// Jobs it runs at once at most.
    pub capacity: i32,
    /// Jobs it ran when last heard from.
    pub running: i32,
    /// When it was last heard from (ms).
    pub seen_at: i64,
    /// When it started (ms).
    pub started_at: i64,
}

const JOB_COLUMNS: &str = "id, round, team, service, spec, status, worker, attempts, result";

fn job(r: &QueryResult) -> Result<JobRow> {
    Ok(JobRow {
        id: r
            .try_get::<i64>("", "id")
            .or_else(|_| r.try_get::<i32>("", "id").map(i64::from))?,
        round: r.try_get::<i32>("", "round")? as u32,
        team: r.try_get("", "team")?,
        service: r.try_get("", "service")?,
        spec: r.try_get("", "spec")?,
        status: r.try_get("", "status")?,
        worker: r.try_get("", "worker")?,
        attempts: r.try_get("", "attempts")?,
        result: r.try_get("", "result")?,
    })
}

impl Store {
    /// `sql` written with `$1, $2, …` (each once, in order), for this database.
    fn numbered(&self, sql: &str) -> String {
        if self.db.get_database_backend() == DbBackend::Postgres {
            return sql.to_owned();
        }
        let mut out = String::with_capacity(sql.len());
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    }

    async fn write_rows(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>> {
        let backend = self.db.get_database_backend();
        let txn = self.write_txn().await?;
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                self.numbered(sql),
                values,
            ))
            .await
            .map_err(|e| self.failed(e))?;
        txn.commit().await.map_err(|e| self.failed(e))?;
        Ok(rows)
    }

    /// A worker is alive, runs `running` of at most `capacity` jobs.
    pub async fn worker_seen(
        &self,
        name: &str,
        capacity: i32,
        running: i32,
        now: i64,
    ) -> Result<()> {
        self.write_rows(
            "INSERT INTO checker_workers (name, capacity, running, seen_at, started_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET \
             capacity = excluded.capacity, running = excluded.running, seen_at = excluded.seen_at \
             RETURNING name",
            vec![
                name.into(),
                capacity.into(),
                running.into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        Ok(())
    }

    /// Every worker ever heard from, most recently heard first.
    pub async fn workers(&self) -> Result<Vec<WorkerRow>> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT name, capacity, running, seen_at, started_at FROM checker_workers \
                 ORDER BY seen_at DESC, name",
            ))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(WorkerRow {
                    name: r.try_get("", "name")?,
                    capacity: r.try_get("", "capacity")?,
                    running: r.try_get("", "running")?,
                    seen_at: r.try_get("", "seen_at")?,
                    started_at: r.try_get("", "started_at")?,
                })
            })
            .collect()
    }

    /// Queue `jobs` (team, service, spec, not before: when it may start, ms) of `round`; a job
    /// queued already stays as it is.
    pub async fn queue_jobs(
        &self,
        round: u32,
        jobs: &[(String, String, String, i64)],
        now: i64,
    ) -> Result<()> {
        let backend = self.db.get_database_backend();
        for chunk in jobs.chunks(200) {
            let sql = format!(
                "INSERT INTO checker_jobs (round, team, service, spec, not_before, status, \
                 attempts, created_at) VALUES {} \
                 ON CONFLICT (round, team, service) DO NOTHING RETURNING id",
                crate::events::values_list(backend, chunk.len(), 8)
            );
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 8);
            for (team, service, spec, not_before) in chunk {
                values.extend([
                    (round as i32).into(),
                    team.as_str().into(),
                    service.as_str().into(),
                    spec.as_str().into(),
                    (*not_before).into(),
                    "queued".into(),
                    0i32.into(),
                    now.into(),
                ]);
            }
            self.write_rows(&sql, values).await?;
        }
        Ok(())
    }

    /// Claim at most `n` jobs for `worker` until `lease_until`: queued ones whose start has
    /// come (a worker holds no job it would only wait for), and running ones whose lease ran out
    /// (their worker stopped answering), oldest first.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        n: u32,
        lease_until: i64,
        now: i64,
    ) -> Result<Vec<JobRow>> {
        let lock = if self.db.get_database_backend() == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE checker_jobs SET status = 'running', worker = $1, lease_until = $2, \
             attempts = attempts + 1 WHERE id IN (SELECT id FROM checker_jobs WHERE \
             (status = 'queued' AND not_before <= $3) OR (status = 'running' AND lease_until < $4) \
             ORDER BY id LIMIT $5{lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        let rows = self
            .write_rows(
                &sql,
                vec![
                    worker.into(),
                    lease_until.into(),
                    now.into(),
                    now.into(),
                    i64::from(n).into(),
                ],
            )
            .await?;
        let mut jobs = rows.iter().map(job).collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    /// `worker` still runs `ids`: their leases last until `lease_until`.
    pub async fn renew_jobs(&self, worker: &str, ids: &[i64], lease_until: i64) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
        let mut values: Vec<Value> = vec![lease_until.into(), worker.into()];
        values.extend(ids.iter().map(|id| Value::from(*id)));
        self.write_rows(
            &format!(
                "UPDATE checker_jobs SET lease_until = $1 WHERE worker = $2 \
                 AND status = 'running' AND id IN ({}) RETURNING id",
                list.join(", ")
            ),
            values,
        )
        .await?;
        Ok(())
    }

    /// The result of job `id` from `worker`. Taken only while that worker holds the job (not
    /// after the round closed it, nor after another worker claimed it): whether it was taken.
    pub async fn finish_job(&self, id: i64, worker: &str, result: &str, now: i64) -> Result<bool> {
        let rows = self
            .write_rows(
                "UPDATE checker_jobs SET status = 'done', result = $1, done_at = $2 \
                 WHERE id = $3 AND worker = $4 AND status = 'running' RETURNING id",
                vec![result.into(), now.into(), id.into(), worker.into()],
            )
            .await?;
        Ok(!rows.is_empty())
    }

    /// The jobs of `round`, in the order they were queued.
    pub async fn jobs_of(&self, round: u32) -> Result<Vec<JobRow>> {
        let backend = self.db.get_database_backend();
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                self.numbered(&format!(
                    "SELECT {JOB_COLUMNS} FROM checker_jobs WHERE round = $1 ORDER BY id"
                )),
                [(round as i32).into()],
            ))
            .await?;
        rows.iter().map(job).collect()
    }

    /// Close `round`'s jobs: those without a result are late and no worker takes them now.
    /// Returns every job of the round.
    pub async fn close_jobs(&self, round: u32) -> Result<Vec<JobRow>> {
        self.write_rows(
            "UPDATE checker_jobs SET status = 'late' WHERE round = $1 AND status <> 'done' RETURNING id",
            vec![(round as i32).into()],
        )
        .await?;
        self.jobs_of(round).await
    }

    /// Jobs waiting for a worker.
    pub async fn queued_jobs(&self) -> Result<u64> {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM checker_jobs WHERE status = 'queued'",
            ))
            .await?;
        Ok(row
            .and_then(|r| r.try_get::<i64>("", "n").ok())
            .unwrap_or(0)
            .max(0) as u64)
    }
}
