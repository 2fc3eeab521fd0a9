//! Backups and verifies on a schedule, for `shoebox watch run` (the service on a NAS) and the
//! app while it runs.
//!
//! The rules, per enabled target that has been backed up once (the first backup, which may be
//! large, is a person's choice; after it the schedule keeps the store current):
//!
//! - **back up and sync** when the last backup is older than `backup_every`, and also
//!   [`AFTER_IMPORT`] after an import that brought photos the target lacks (so a phone's batch
//!   is on the store minutes after it arrived, not up to an hour later);
//! - **verify** (every object's size, 5% read back) when the last verify is older than
//!   `verify_every`;
//! - **deep verify** (everything read back and hashed) when the last deep verify is older than
//!   `deep_verify_every`.
//!
//! A target never verified gets its first verify one period after the schedule first saw it
//! (every transfer is checked as it is made; the verifies look for what happens afterwards).
//!
//! A job that failed (a store that is down, a full disk) is tried again after [`RETRY`], not at
//! every tick. Everything reads the catalog, so a backup made by hand (CLI or app) counts and
//! moves the next one.

use crate::settings::parse_every;
use crate::{Library, Result, VerifyOptions};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shoebox_types::Progress;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long after an import that brought new photos they are backed up.
pub const AFTER_IMPORT: Duration = Duration::from_secs(120);
/// How long a failed job waits before it is tried again (or the job's own period if shorter).
pub const RETRY: Duration = Duration::from_secs(600);
/// How often the runner looks at the schedule.
pub const TICK: Duration = Duration::from_secs(5);

fn since_key(target: &str) -> String {
    format!("schedule_since:{target}")
}

pub(crate) fn deep_verified_key(target: &str) -> String {
    format!("deep_verified:{target}")
}

/// One scheduled job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    Backup,
    Verify,
    DeepVerify,
}

impl Job {
    /// Its name in JSON and the app: `backup`, `verify`, `deep_verify`.
    pub fn key(self) -> &'static str {
        match self {
            Job::Backup => "backup",
            Job::Verify => "verify",
            Job::DeepVerify => "deep_verify",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Job::Backup => "backup and sync",
            Job::Verify => "verify",
            Job::DeepVerify => "deep verify",
        }
    }
}

/// What `shoebox status` shows of one target's schedule. Times are RFC 3339, UTC.
#[derive(Debug, Clone, Serialize)]
pub struct TargetSchedule {
    pub target: String,
    /// False until the target has been backed up once by hand; nothing runs on its own before.
    pub active: bool,
    pub next_backup: Option<String>,
    pub next_verify: Option<String>,
    pub next_deep_verify: Option<String>,
    pub last_backup: Option<String>,
    pub last_verify: Option<String>,
    pub last_deep_verify: Option<String>,
}

/// What the runner tells its caller: a job starting, its progress, how it ended.
#[derive(Debug, Clone, Default)]
pub struct ScheduleEvent {
    pub message: String,
    pub error: bool,
    /// Set while a job runs.
    pub progress: Option<Progress>,
}

/// What the schedule knows of one target; the rules above as a pure function of it.
#[derive(Debug, Clone, Default)]
struct Facts {
    active: bool,
    last_backup: Option<DateTime<Utc>>,
    last_backup_failed: bool,
    last_verify: Option<DateTime<Utc>>,
    last_deep: Option<DateTime<Utc>>,
    /// When the schedule first saw the target active: the verifies' periods start there.
    since: Option<DateTime<Utc>>,
    /// Photos this target lacks.
    pending: u64,
    last_import: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Periods {
    backup: Option<Duration>,
    verify: Option<Duration>,
    deep: Option<Duration>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Next {
    backup: Option<DateTime<Utc>>,
    verify: Option<DateTime<Utc>>,
    deep: Option<DateTime<Utc>>,
}

fn plus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn next_runs(f: &Facts, p: &Periods, now: DateTime<Utc>) -> Next {
    if !f.active {
        return Next::default();
    }
    let backup = p.backup.map(|every| {
        let Some(last) = f.last_backup else {
            return now;
        };
        let wait = if f.last_backup_failed {
            every.min(RETRY)
        } else {
            every
        };
        let mut next = plus(last, wait);
        if f.pending > 0
            && let Some(i) = f.last_import.filter(|i| *i >= last)
        {
            next = next.min(plus(i, AFTER_IMPORT));
        }
        next
    });
    let verify = p
        .verify
        .map(|every| plus(f.last_verify.or(f.since).unwrap_or(now), every));
    let deep = p
        .deep
        .map(|every| plus(f.last_deep.or(f.since).unwrap_or(now), every));
    Next {
        backup,
        verify,
        deep,
    }
}

fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn show(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl Library {
    fn periods(&self) -> Periods {
        let s = self.settings();
        // Validated on load and save: a period that does not parse cannot be stored.
        let every = |v: &str| parse_every(v).flatten();
        Periods {
            backup: every(&s.backup_every),
            verify: every(&s.verify_every),
            deep: every(&s.deep_verify_every),
        }
    }

    /// `pending`: the photos `target` lacks, when the caller has counted them already.
    fn facts(&self, target: &str, pending: Option<u64>) -> Result<Facts> {
        let st = self.catalog.store_state(target)?;
        Ok(Facts {
            active: self
                .catalog
                .setting(&format!("store_id:{target}"))?
                .is_some(),
            last_backup: parse_time(st.last_backup.as_deref()),
            last_backup_failed: st.last_error.is_some(),
            last_verify: parse_time(st.last_verify.as_deref()),
            last_deep: parse_time(self.catalog.setting(&deep_verified_key(target))?.as_deref()),
            since: parse_time(self.catalog.setting(&since_key(target))?.as_deref()),
            pending: match pending {
                Some(n) => n,
                None => self.catalog.count_missing_on(target)?,
            },
            last_import: parse_time(
                self.catalog
                    .last_import()?
                    .map(|i| i.finished_at)
                    .as_deref(),
            ),
        })
    }

    /// When each enabled target's jobs run next, as of `now`.
    pub fn schedule(&self, now: DateTime<Utc>) -> Result<Vec<TargetSchedule>> {
        self.schedule_with(now, &|_| None)
    }

    /// [`Self::schedule`], with the photos each target lacks where the caller counted them
    /// (`status` has, for its target figures).
    pub(crate) fn schedule_with(
        &self,
        now: DateTime<Utc>,
        pending: &dyn Fn(&str) -> Option<u64>,
    ) -> Result<Vec<TargetSchedule>> {
        let p = self.periods();
        let mut out = Vec::new();
        for t in self.chosen(None)? {
            let f = self.facts(&t.name, pending(&t.name))?;
            let n = next_runs(&f, &p, now);
            out.push(TargetSchedule {
                target: t.name,
                active: f.active,
                next_backup: show(n.backup),
                next_verify: show(n.verify),
                next_deep_verify: show(n.deep),
                last_backup: show(f.last_backup),
                last_verify: show(f.last_verify),
                last_deep_verify: show(f.last_deep),
            });
        }
        Ok(out)
    }

    /// Reads the settings again (another process — the CLI, the app — may have changed them).
    pub fn reload_settings(&mut self) -> Result<()> {
        self.settings = crate::settings::stored(&self.catalog)?;
        Ok(())
    }
}

/// One job the schedule ran, and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct Ran {
    pub target: String,
    pub job: Job,
    pub ok: bool,
    pub message: String,
}

/// Runs what is due; remembers failures so a store that is down is asked again after [`RETRY`].
#[derive(Default)]
pub struct Scheduler {
    failed: HashMap<(String, Job), DateTime<Utc>>,
}

impl Scheduler {
    /// The jobs due at `now`, in the order they run (a target's backup before its verify),
    /// leaving out those that failed less than [`RETRY`] ago.
    pub fn due(&mut self, lib: &Library, now: DateTime<Utc>) -> Result<Vec<(String, Job)>> {
        let p = lib.periods();
        let mut out = Vec::new();
        for t in lib.chosen(None)? {
            let f = lib.facts(&t.name, None)?;
            if f.active && f.since.is_none() {
                // The verifies' periods start now, not at some unknown time in the past.
                lib.catalog
                    .set_setting(&since_key(&t.name), &shoebox_catalog::now())?;
            }
            let n = next_runs(&f, &p, now);
            let due = |at: Option<DateTime<Utc>>| at.is_some_and(|at| at <= now);
            let mut jobs = Vec::new();
            if due(n.backup) {
                jobs.push(Job::Backup);
            }
            if due(n.deep) {
                jobs.push(Job::DeepVerify);
            } else if due(n.verify) {
                jobs.push(Job::Verify);
            }
            for job in jobs {
                let backing_off = self
                    .failed
                    .get(&(t.name.clone(), job))
                    .is_some_and(|at| now < plus(*at, RETRY));
                if !backing_off {
                    out.push((t.name.clone(), job));
                }
            }
        }
        Ok(out)
    }

    /// Runs every job due at `now`, one after the other. `stop` ends a running backup after
    /// the transfers in flight, and the jobs not started yet.
    pub fn tick(
        &mut self,
        lib: &mut Library,
        now: DateTime<Utc>,
        stop: &Arc<AtomicBool>,
        on: &dyn Fn(&ScheduleEvent),
    ) -> Result<Vec<Ran>> {
        let mut ran = Vec::new();
        for (target, job) in self.due(lib, now)? {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let r = run_job(lib, &target, job, stop, on);
            if r.ok {
                self.failed.remove(&(target, job));
            } else {
                self.failed.insert((target, job), now);
            }
            ran.push(r);
        }
        Ok(ran)
    }
}

fn run_job(
    lib: &mut Library,
    target: &str,
    job: Job,
    stop: &Arc<AtomicBool>,
    on: &dyn Fn(&ScheduleEvent),
) -> Ran {
    on(&ScheduleEvent {
        message: format!("scheduled {} of {target} started", job.what()),
        ..Default::default()
    });
    let progress = |p: &Progress| {
        on(&ScheduleEvent {
            message: format!("{} of {target}", job.what()),
            progress: Some(p.clone()),
            ..Default::default()
        })
    };
    let waiting = || {
        on(&ScheduleEvent {
            message: format!(
                "scheduled {} of {target} waits for another job on this library",
                job.what()
            ),
            ..Default::default()
        })
    };
    let outcome: std::result::Result<String, String> = match job {
        Job::Backup => match lib.sync_with(Some(target), &progress, &waiting, Some(stop.clone())) {
            Ok(mut rs) => match rs.pop() {
                Some(Ok(r)) if r.problems.is_empty() => Ok(format!(
                    "{} photo(s) sent ({} object(s)), {} new photo(s) and {} edit(s) from \
                     other devices",
                    r.photos_uploaded, r.uploaded, r.new_photos, r.edits_applied
                )),
                Some(Ok(r)) => Err(format!(
                    "{} problem(s), first: {}",
                    r.problems.len(),
                    r.problems[0]
                )),
                Some(Err(f)) => Err(f.error),
                None => Err("the target is not enabled any more".into()),
            },
            Err(e) => Err(e.to_string()),
        },
        Job::Verify | Job::DeepVerify => {
            let opts = VerifyOptions {
                deep: job == Job::DeepVerify,
                ..VerifyOptions::quick()
            };
            match lib.verify(Some(target), &opts, &progress) {
                Ok(mut rs) => match rs.pop() {
                    Some(Ok(r)) if r.is_clean() => Ok(format!(
                        "{} object(s), {} read back, clean",
                        r.objects, r.objects_read_back
                    )),
                    Some(Ok(r)) => Err(format!(
                        "{} problem(s), first: {} ({}); run `shoebox verify --repair`",
                        r.problems.len(),
                        r.problems[0].key,
                        r.problems[0].detail
                    )),
                    Some(Err(f)) => Err(f.error),
                    None => Err("the target is not enabled any more".into()),
                },
                Err(e) => Err(e.to_string()),
            }
        }
    };
    let (message, error) = match outcome {
        Ok(m) => (format!("scheduled {} of {target}: {m}", job.what()), false),
        Err(e) => (
            format!(
                "scheduled {} of {target} failed: {e} (tried again in {} min)",
                job.what(),
                RETRY.as_secs() / 60
            ),
            true,
        ),
    };
    on(&ScheduleEvent {
        message: message.clone(),
        error,
        progress: None,
    });
    Ran {
        target: target.to_owned(),
        job,
        ok: !error,
        message,
    }
}

/// Opens the library at `root` and runs the schedule until `stop` is set, looking every
/// [`TICK`] and reading the settings again each time.
pub fn run_schedule(root: &Path, stop: &Arc<AtomicBool>, on: &dyn Fn(&ScheduleEvent)) {
    let mut lib = match Library::open(root) {
        Ok(l) => l,
        Err(e) => {
            on(&ScheduleEvent {
                message: format!("scheduled backups stopped: {e}"),
                error: true,
                ..Default::default()
            });
            return;
        }
    };
    let mut s = Scheduler::default();
    let mut said_error = false;
    while !stop.load(Ordering::SeqCst) {
        let res = lib
            .reload_settings()
            .and_then(|()| s.tick(&mut lib, Utc::now(), stop, on));
        match res {
            Ok(_) => said_error = false,
            // The catalog busy or unreadable for a moment: said once, tried at the next tick.
            Err(e) if !said_error => {
                said_error = true;
                on(&ScheduleEvent {
                    message: format!("the schedule could not be read: {e}"),
                    error: true,
                    ..Default::default()
                });
            }
            Err(_) => {}
        }
        let until = std::time::Instant::now() + TICK;
        while !stop.load(Ordering::SeqCst) && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests;
