//! The long jobs: their progress events and what each reports.

use serde::Serialize;
use shoebox_engine as engine;
use ts_rs::TS;

/// What a long job streams over its channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobEvent {
    Progress {
        phase: String,
        done: f64,
        total: f64,
        bytes_done: f64,
        bytes_total: f64,
        current: Option<String>,
        errors: f64,
    },
    /// Another import or backup holds the library; this one starts when it ends.
    Waiting { message: String },
}

impl From<&engine::Progress> for JobEvent {
    fn from(p: &engine::Progress) -> Self {
        JobEvent::Progress {
            phase: p.phase.clone(),
            done: p.done as f64,
            total: p.total as f64,
            bytes_done: p.bytes_done as f64,
            bytes_total: p.bytes_total as f64,
            current: p.current.clone(),
            errors: p.errors as f64,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FileProblem {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub imported: u32,
    pub bytes: f64,
    pub duplicates: Vec<FileProblem>,
    pub skipped: Vec<FileProblem>,
    pub rejected: Vec<FileProblem>,
    pub cancelled: bool,
    /// When the import was a Google Takeout export: what its sidecars gave.
    pub takeout: Option<TakeoutSummary>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TakeoutSummary {
    /// Photo sidecars found, and photos matched with one.
    pub sidecars: u32,
    pub matched: u32,
    /// Photos without a sidecar, and why.
    pub without_sidecar: Vec<FileProblem>,
    /// Albums rebuilt from album folders.
    pub albums: Vec<String>,
    pub favourites: u32,
    /// Photos Google had in its trash, now in Shoebox's.
    pub trashed: u32,
    pub dates_from_sidecar: u32,
    /// Copies of a photo whose sidecars disagreed: the field, what was kept and what not.
    pub sidecar_conflicts: Vec<FileProblem>,
}

/// What an export did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportSummary {
    pub exported: u32,
    pub bytes: f64,
    /// Photos not exported, with why (by hash).
    pub failed: Vec<FileProblem>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct TargetBackup {
    pub target: String,
    pub ok: bool,
    /// Stopped by the user; what finished is recorded.
    pub cancelled: bool,
    /// Objects written (originals, thumbnails, the snapshot).
    pub uploaded: u32,
    /// Of those, originals: the photos and videos newly safe on this target.
    pub photos: u32,
    pub already_there: u32,
    pub renamed: u32,
    pub bytes: f64,
    pub failed: Vec<FileProblem>,
    /// Why the whole target failed (unreachable, credentials...).
    pub error: Option<String>,
    pub snapshot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct TargetVerify {
    pub target: String,
    pub ok: bool,
    pub objects: u32,
    pub read_back: u32,
    pub originals_checked: u32,
    pub problems: Vec<FileProblem>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EmptyTrash {
    pub deleted: u32,
    pub bytes: f64,
    pub failed: Vec<FileProblem>,
}

/// When one target is backed up and verified next on its own (times RFC 3339, UTC).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduleInfo {
    pub target: String,
    /// False until the target has been backed up once by hand.
    pub active: bool,
    pub next_backup: Option<String>,
    pub next_verify: Option<String>,
    pub next_deep_verify: Option<String>,
    pub last_deep_verify: Option<String>,
}

/// A scheduled job that is due: `backup` (and sync), `verify`, `deep_verify`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduledJob {
    pub target: String,
    pub job: String,
}

/// A scheduled job that ran.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduledRun {
    pub target: String,
    pub job: String,
    pub ok: bool,
    pub message: String,
}
