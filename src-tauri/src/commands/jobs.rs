//! The long jobs, one at a time with progress: import, export, backup, verify, the
//! schedule's runs, and cancelling.

use super::{Res, with_job, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine::{self as engine};
use shoebox_layout::Hash;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use tauri::State;
use tauri::ipc::Channel;

pub(super) fn problems<T>(v: Vec<T>, f: impl Fn(T) -> (String, String)) -> Vec<FileProblem> {
    v.into_iter()
        .map(|x| {
            let (path, reason) = f(x);
            FileProblem { path, reason }
        })
        .collect()
}

/// Imports dropped or picked files and folders, streaming progress; `cancel_job` stops it
/// between files (what was imported stays).
#[command]
pub async fn import(
    state: State<'_, AppState>,
    paths: Vec<String>,
    on_event: Channel<JobEvent>,
) -> Res<ImportSummary> {
    let sources: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    with_job(&state, on_event, move |lib, job| {
        let r = lib
            .import(&sources, job.progress, &job.cancel, job.waiting)
            .map_err(AppError::from)?;
        let takeout = r.takeout.clone().map(|t| TakeoutSummary {
            sidecars: t.sidecars as u32,
            matched: t.matched as u32,
            without_sidecar: problems(t.without_sidecar, |s| (s.path, s.reason)),
            albums: t.albums.into_iter().map(|a| a.name).collect(),
            favourites: t.favourites as u32,
            trashed: t.trashed as u32,
            dates_from_sidecar: t.dates_from_sidecar as u32,
            sidecar_conflicts: problems(t.sidecar_conflicts, |c| {
                (
                    c.photo,
                    format!(
                        "its sidecars disagree on {}: kept {}, not {} (from {})",
                        c.field, c.kept, c.dropped, c.sidecar
                    ),
                )
            }),
        });
        Ok(ImportSummary {
            takeout,
            imported: r.counts.imported as u32,
            bytes: r.counts.bytes_imported as f64,
            duplicates: problems(r.duplicates, |d| {
                (
                    d.path.clone(),
                    format!("already in the library as {}", d.existing),
                )
            }),
            skipped: problems(r.skipped, |s| (s.path, s.reason)),
            rejected: problems(r.rejected, |s| (s.path, s.reason)),
            cancelled: r.cancelled,
        })
    })
    .await
}

/// Exports photos to a folder: originals (`size` null) or JPEGs at most `size` pixels long,
/// streaming progress; `cancel_job` stops it between photos.
#[command]
pub async fn export(
    state: State<'_, AppState>,
    hashes: Vec<Hash>,
    to: String,
    size: Option<u32>,
    on_event: Channel<JobEvent>,
) -> Res<ExportSummary> {
    with_job(&state, on_event, move |lib, job| {
        let r = lib
            .export(&hashes, &PathBuf::from(to), size, job.progress, &job.cancel)
            .map_err(AppError::from)?;
        Ok(ExportSummary {
            exported: r.exported.len() as u32,
            bytes: r.bytes as f64,
            failed: problems(r.failed, |f| f),
            cancelled: r.cancelled,
        })
    })
    .await
}

/// Asks the running job to stop.
#[command]
pub fn cancel_job(state: State<'_, AppState>) {
    if let Some(c) = state.job.lock().ok().and_then(|j| j.clone()) {
        c.store(true, Ordering::SeqCst);
    }
}

/// Backs up to every enabled target (or one), streaming progress; `cancel_job` stops it after
/// the transfers in flight (the next backup picks up the rest).
#[command]
pub async fn backup(
    state: State<'_, AppState>,
    target: Option<String>,
    on_event: Channel<JobEvent>,
) -> Res<Vec<TargetBackup>> {
    with_job(&state, on_event, move |lib, job| {
        let out = lib
            .backup(
                target.as_deref(),
                job.progress,
                job.waiting,
                Some(job.cancel),
            )
            .map_err(AppError::from)?;
        Ok(out
            .into_iter()
            .map(|r| match r {
                Ok(r) => TargetBackup {
                    ok: r.is_ok(),
                    cancelled: r.cancelled,
                    photos: r.originals_uploaded() as u32,
                    target: r.target,
                    uploaded: r.uploaded.len() as u32,
                    already_there: r.already_there.len() as u32,
                    renamed: r.renamed.len() as u32,
                    bytes: r.bytes_uploaded as f64,
                    failed: problems(r.failed, |f| (f.key, f.reason)),
                    error: None,
                    snapshot: r.snapshot,
                },
                Err(engine::TargetFailed { target, error }) => TargetBackup {
                    target,
                    error: Some(error),
                    ..Default::default()
                },
            })
            .collect())
    })
    .await
}

/// Compares every enabled target with the catalog (sizes, and 5% of the objects read back).
#[command]
pub async fn verify(
    state: State<'_, AppState>,
    on_event: Channel<JobEvent>,
) -> Res<Vec<TargetVerify>> {
    with_job(&state, on_event, move |lib, job| {
        let opts = engine::VerifyOptions::quick();
        let out = lib
            .verify(None, &opts, job.progress)
            .map_err(AppError::from)?;
        Ok(out
            .into_iter()
            .map(|r| match r {
                Ok(r) => TargetVerify {
                    ok: r.is_clean(),
                    target: r.target,
                    objects: r.objects as u32,
                    read_back: r.objects_read_back as u32,
                    originals_checked: r.originals_checked as u32,
                    problems: problems(r.problems, |p| {
                        (p.key, format!("{}: {}", p.kind, p.detail))
                    }),
                    error: None,
                },
                Err(engine::TargetFailed { target, error }) => TargetVerify {
                    target,
                    error: Some(error),
                    ..Default::default()
                },
            })
            .collect())
    })
    .await
}

/// The scheduled backups and verifies due now (the window asks every minute while nothing else
/// runs, and then runs them with [`run_scheduled`], so they show their progress like any job).
#[command]
pub async fn schedule_due(state: State<'_, AppState>) -> Res<Vec<ScheduledJob>> {
    let sched = state.scheduler.clone();
    with_lib(&state, move |lib| {
        let mut s = sched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(s.due(lib, chrono::Utc::now())?
            .into_iter()
            .map(|(target, j)| ScheduledJob {
                target,
                job: j.key().into(),
            })
            .collect())
    })
    .await
}

/// Runs the scheduled jobs that are due, one after the other, streaming their progress;
/// `cancel_job` stops them after the transfers in flight.
#[command]
pub async fn run_scheduled(
    state: State<'_, AppState>,
    on_event: Channel<JobEvent>,
) -> Res<Vec<ScheduledRun>> {
    let sched = state.scheduler.clone();
    with_job(&state, on_event, move |lib, job| {
        let mut s = sched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let on = |e: &engine::ScheduleEvent| {
            if let Some(p) = &e.progress {
                (job.progress)(p);
            }
        };
        let ran = s
            .tick(lib, chrono::Utc::now(), &job.cancel, &on)
            .map_err(AppError::from)?;
        Ok(ran
            .into_iter()
            .map(|r| ScheduledRun {
                target: r.target,
                job: r.job.key().into(),
                ok: r.ok,
                message: r.message,
            })
            .collect())
    })
    .await
}
