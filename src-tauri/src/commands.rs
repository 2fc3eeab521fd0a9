//! The IPC commands: each one is a few lines over `shoebox_engine::Library`.
//!
//! Quick queries use the shared library behind a mutex; long jobs (import, backup, verify) open
//! their own `Library` on a blocking thread, so the timeline stays responsive while they run and
//! the engine's write lock orders them against each other and against the CLI.

use crate::api::*;
use crate::state::AppState;
use shoebox_engine::{self as engine, Library};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::State;
use tauri::ipc::Channel;

/// Errors reach the UI as a kind it can act on and one sentence a person can act on.
type Res<T> = Result<T, AppError>;

/// Runs `f` on the shared library on a blocking thread.
async fn with_lib<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Library) -> engine::Result<T> + Send + 'static,
) -> Res<T> {
    let lib = state.lib.clone();
    let root = state.root.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut lib = crate::state::lock_lib(&lib, &root);
        f(&mut lib).map_err(AppError::from)
    })
    .await
    .map_err(AppError::other)?
}

/// What a long job is given: its cancel flag, and where its progress and waits go.
struct Job<'a> {
    cancel: Arc<AtomicBool>,
    progress: &'a dyn Fn(&engine::Progress),
    waiting: &'a dyn Fn(),
}

/// Runs `f` as the app's one long job (import, backup, verify): on its own Library on a
/// blocking thread (so quick queries on the shared one are not held up), streaming progress to
/// `on_event`; the job slot is freed whatever the outcome.
async fn with_job<T: Send + 'static>(
    state: &AppState,
    on_event: Channel<JobEvent>,
    f: impl FnOnce(&mut Library, Job<'_>) -> Result<T, AppError> + Send + 'static,
) -> Res<T> {
    let root = state.root.clone();
    let cancel = state.begin_job()?;
    let res = tauri::async_runtime::spawn_blocking(move || {
        let mut lib = Library::open(&root).map_err(AppError::from)?;
        let progress = |p: &engine::Progress| {
            let _ = on_event.send(JobEvent::from(p));
        };
        let waiting = || waiting_event(&on_event);
        f(
            &mut lib,
            Job {
                cancel,
                progress: &progress,
                waiting: &waiting,
            },
        )
    })
    .await
    .map_err(AppError::other);
    state.end_job();
    res?
}

/// The status figures of each target with its configuration (options, names of secrets).
fn target_info(
    lib: &Library,
    status: Vec<engine::TargetStatus>,
) -> engine::Result<Vec<TargetInfo>> {
    let configured = lib.targets()?;
    Ok(status
        .into_iter()
        .map(|s| {
            let t = configured.iter().find(|t| t.name == s.name);
            TargetInfo {
                options: t.map(|t| t.options.clone()).unwrap_or_default(),
                secrets: t.map(|t| t.secrets.clone()).unwrap_or_default(),
                name: s.name,
                scheme: s.scheme,
                location: s.location,
                enabled: s.enabled,
                objects: s.objects as u32,
                bytes: s.bytes as f64,
                pending_uploads: s.pending_uploads as u32,
                last_backup: s.last_backup,
                last_result: s.last_result,
                last_verify: s.last_verify,
                last_verify_ok: s.last_verify_ok,
                last_error: s.last_error,
            }
        })
        .collect())
}

/// Settings a restored snapshot offered and this library has not taken, if any.
#[tauri::command]
pub async fn offered_settings(state: State<'_, AppState>) -> Res<Option<OfferedSettings>> {
    with_lib(&state, |lib| {
        Ok(lib.offered_settings()?.map(|o| OfferedSettings {
            targets: o
                .targets
                .iter()
                .map(|t| OfferedTarget {
                    name: t.name.clone(),
                    location: t.describe(),
                })
                .collect(),
            watch_folders: o
                .watch_folders
                .into_iter()
                .map(|w| WatchFolder {
                    path: w.path,
                    poll: w.poll,
                })
                .collect(),
        }))
    })
    .await
}

/// Takes (`adopt`) or declines the settings a restored snapshot offered.
#[tauri::command]
pub async fn answer_offered_settings(state: State<'_, AppState>, adopt: bool) -> Res<()> {
    with_lib(&state, move |lib| {
        if adopt {
            lib.adopt_offered_settings()
        } else {
            lib.dismiss_offered_settings()
        }
    })
    .await
}

#[tauri::command]
pub async fn library_info(state: State<'_, AppState>) -> Res<LibraryInfo> {
    with_lib(&state, |lib| {
        let s = lib.status()?;
        let recovered = lib.reconciled().and_then(|r| {
            let n = r.adopted.len() + r.temp_removed;
            (n > 0).then(|| {
                format!(
                    "Finished an interrupted import: {} photo(s) kept, {} partial file(s) removed.",
                    r.adopted.len(),
                    r.temp_removed
                )
            })
        });
        Ok(LibraryInfo {
            root: s.library,
            assets: s.assets as u32,
            bytes: s.bytes as f64,
            photos: s.by_kind.photo as u32,
            videos: s.by_kind.video as u32,
            heic_previews: s.heic_previews,
            video_posters: s.video_posters,
            grid_size: s.settings.grid_size,
            preview_size: s.settings.preview_size,
            targets: target_info(lib, s.targets)?,
            watch_folders: s
                .settings
                .watch_folders
                .iter()
                .map(|w| WatchFolder {
                    path: w.path.clone(),
                    poll: w.poll,
                })
                .collect(),
            recovered,
            backup_every: s.settings.backup_every.clone(),
            schedule: s
                .schedule
                .into_iter()
                .map(|t| ScheduleInfo {
                    target: t.target,
                    active: t.active,
                    next_backup: t.next_backup,
                    next_verify: t.next_verify,
                    next_deep_verify: t.next_deep_verify,
                    last_deep_verify: t.last_deep_verify,
                })
                .collect(),
        })
    })
    .await
}

/// The scheduled backups and verifies due now (the window asks every minute while nothing else
/// runs, and then runs them with [`run_scheduled`], so they show their progress like any job).
#[tauri::command]
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
#[tauri::command]
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

#[tauri::command]
pub async fn buckets(state: State<'_, AppState>, view: View) -> Res<Vec<Bucket>> {
    with_lib(&state, move |lib| {
        Ok(lib
            .buckets(&view.into())?
            .into_iter()
            .map(|b| Bucket {
                month: b.month,
                count: b.count as u32,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn month_items(
    state: State<'_, AppState>,
    view: View,
    months: Vec<String>,
) -> Res<Vec<MonthItems>> {
    let view: engine::View = view.into();
    with_lib(&state, move |lib| {
        months
            .into_iter()
            .map(|m| {
                let items = items_of(lib, &lib.assets_in_month(&view, &m)?)?;
                Ok(MonthItems { month: m, items })
            })
            .collect()
    })
    .await
}

/// A page of a month of thousands: `limit` photos from `offset`, newest first.
#[tauri::command]
pub async fn month_page(
    state: State<'_, AppState>,
    view: View,
    month: String,
    offset: u32,
    limit: u32,
) -> Res<Vec<Item>> {
    let view: engine::View = view.into();
    with_lib(&state, move |lib| {
        items_of(
            lib,
            &lib.assets_in_month_page(&view, &month, offset.into(), limit.into())?,
        )
    })
    .await
}

/// The grid's view of assets: the cloud (another device's photo whose original is not here)
/// and the Live Photo mark.
fn items_of(lib: &Library, assets: &[engine::Asset]) -> engine::Result<Vec<Item>> {
    assets
        .iter()
        .map(|a| {
            let mut i = Item::from(a);
            // Only another device's photo can lack its original here.
            i.remote = a.device.is_some() && lib.local_original(a).is_none();
            let parts = lib.parts(&a.hash)?;
            i.live = a.meta.motion_offset.is_some() || parts.motion.is_some();
            i.raw = parts.raw.is_some();
            Ok(i)
        })
        .collect()
}

#[tauri::command]
pub async fn asset_info(state: State<'_, AppState>, hash: String) -> Res<AssetInfo> {
    with_lib(&state, move |lib| {
        let a = lib.show(&hash)?;
        let marks = lib.store_marks(&a.hash)?;
        let parts = lib.parts(&a.hash)?;
        let backups = lib
            .targets()?
            .into_iter()
            .map(|t| {
                let m = marks
                    .iter()
                    .find(|m| m.target == t.name && m.kind == "original");
                BackupState {
                    target: t.name.clone(),
                    key: m.map(|m| m.key.clone()),
                    uploaded_at: m.map(|m| m.uploaded_at.clone()),
                    verified_at: m.and_then(|m| m.verified_at.clone()),
                }
            })
            .collect();
        Ok(AssetInfo {
            albums: lib
                .albums_of(&a.hash)?
                .into_iter()
                .map(|i| i as i32)
                .collect(),
            hash: a.hash.clone(),
            path: a.path.clone(),
            name: a.original_name.clone(),
            size: a.size as f64,
            kind: a.meta.kind.as_str().to_owned(),
            mime: a.meta.mime.clone(),
            taken: a.taken_at().to_string(),
            taken_original: a.taken_at_original.map(|t| t.to_string()),
            place: a.place.as_ref().map(|p| p.name.clone()),
            place_original: a.gps_original.as_ref().map(|g| match g {
                Some(g) => format!("{:.5}, {:.5}", g.lat, g.lon),
                None => "none".into(),
            }),
            rating: a.rating,
            rotation: a.rotation,
            keywords: a.keywords.clone(),
            taken_source: a.meta.taken_at_source.as_str().to_owned(),
            width: a.meta.width,
            height: a.meta.height,
            make: a.meta.make.clone(),
            model: a.meta.model.clone(),
            lens: a.meta.lens.clone(),
            iso: a.meta.iso,
            exposure_time: a.meta.exposure_time,
            f_number: a.meta.f_number,
            focal_length_mm: a.meta.focal_length_mm,
            lat: a.meta.gps.map(|g| g.lat),
            lon: a.meta.gps.map(|g| g.lon),
            alt: a.meta.gps.and_then(|g| g.alt),
            duration_ms: a.meta.duration_ms.map(|d| d.min(u32::MAX as u64) as u32),
            description: a.meta.description.clone(),
            imported_at: a.imported_at.clone(),
            favourite: a.favourite,
            trashed: a.trashed_at.is_some(),
            thumb: a.has_thumbnail,
            backups,
            remote: lib.local_original(&a).is_none(),
            device: match &a.device {
                Some(d) => Some(
                    lib.devices()?
                        .1
                        .into_iter()
                        .find(|p| &p.device == d)
                        .and_then(|p| p.name)
                        .unwrap_or_else(|| d.clone()),
                ),
                None => None,
            },
            motion: parts.motion.map(|m| m.hash),
            motion_embedded: a.meta.motion_offset.is_some(),
            raw: parts.raw.map(|r| RawPart {
                hash: r.hash,
                name: r.original_name,
                size: r.size as f64,
            }),
            trashed_by: if a.trashed_at.is_some() {
                lib.trashed_elsewhere(&a.hash)?
            } else {
                None
            },
        })
    })
    .await
}

#[tauri::command]
pub async fn set_favourite(state: State<'_, AppState>, hashes: Vec<String>, on: bool) -> Res<u32> {
    with_lib(
        &state,
        move |lib| Ok(lib.set_favourite(&hashes, on)? as u32),
    )
    .await
}

/// Gives photos 0–5 stars.
#[tauri::command]
pub async fn set_rating(state: State<'_, AppState>, hashes: Vec<String>, stars: u8) -> Res<u32> {
    with_lib(&state, move |lib| Ok(lib.rate(&hashes, stars)? as u32)).await
}

/// Adds (`on`) or removes a keyword.
#[tauri::command]
pub async fn set_keyword(
    state: State<'_, AppState>,
    hashes: Vec<String>,
    word: String,
    on: bool,
) -> Res<u32> {
    with_lib(&state, move |lib| {
        Ok(lib.keyword(&hashes, &word, on)? as u32)
    })
    .await
}

/// Turns photos a quarter (`right` true: clockwise); returns their rotations.
#[tauri::command]
pub async fn rotate(state: State<'_, AppState>, hashes: Vec<String>, right: bool) -> Res<Vec<u16>> {
    with_lib(&state, move |lib| {
        let turn = if right {
            engine::Turn::Right
        } else {
            engine::Turn::Left
        };
        Ok(lib
            .rotate(&hashes, turn)?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    })
    .await
}

/// Corrects photos' date: `to` (local date and time, `YYYY-MM-DDTHH:MM[:SS]`, the photo's own
/// offset kept), or `shift_minutes`, or neither to go back to the file's date.
#[tauri::command]
pub async fn set_date(
    state: State<'_, AppState>,
    hashes: Vec<String>,
    to: Option<String>,
    shift_minutes: Option<i32>,
) -> Res<()> {
    with_lib(&state, move |lib| {
        let fix = match (to, shift_minutes) {
            (Some(t), _) => {
                let t = if t.len() == 16 { format!("{t}:00") } else { t };
                engine::DateFix::To(engine::CaptureTime::parse(&t).ok_or_else(|| {
                    engine::Error::Setting(format!("{t:?} is not a date and time"))
                })?)
            }
            (None, Some(m)) => engine::DateFix::Shift(i64::from(m) * 60),
            (None, None) => engine::DateFix::Undo,
        };
        lib.set_date(&hashes, &fix)?;
        Ok(())
    })
    .await
}

/// The Places map's clusters: photos with a position counted in cells of `cell` degrees
/// inside the area shown.
#[tauri::command]
pub async fn place_cells(
    state: State<'_, AppState>,
    cell: f64,
    south: f64,
    west: f64,
    north: f64,
    east: f64,
) -> Res<Vec<PlaceCell>> {
    with_lib(&state, move |lib| {
        Ok(lib
            .place_cells(cell, [south, west, north, east])?
            .into_iter()
            .map(|c| PlaceCell {
                lat: c.lat,
                lon: c.lon,
                count: c.count.min(u32::MAX as u64) as u32,
                cover: c.cover,
                south: c.bounds[0],
                west: c.bounds[1],
                north: c.bounds[2],
                east: c.bounds[3],
            })
            .collect())
    })
    .await
}

/// Towns whose name starts with what was typed ("Paris", "Paris, Texas"), for the place form.
#[tauri::command]
pub async fn find_towns(query: String) -> Res<Vec<Town>> {
    tauri::async_runtime::spawn_blocking(move || {
        engine::places::find_towns(&query, 12)
            .into_iter()
            .map(|(t, p)| Town {
                name: p.name,
                lat: t.lat,
                lon: t.lon,
            })
            .collect()
    })
    .await
    .map_err(AppError::other)
}

/// Sets where photos were taken (`None`: back to what their files say).
#[tauri::command]
pub async fn set_place(
    state: State<'_, AppState>,
    hashes: Vec<String>,
    at: Option<(f64, f64)>,
) -> Res<()> {
    with_lib(&state, move |lib| {
        let fix = match at {
            Some((lat, lon)) => engine::PlaceFix::At { lat, lon },
            None => engine::PlaceFix::Undo,
        };
        lib.set_place(&hashes, &fix)?;
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn set_trashed(state: State<'_, AppState>, hashes: Vec<String>, on: bool) -> Res<u32> {
    with_lib(&state, move |lib| Ok(lib.set_trashed(&hashes, on)? as u32)).await
}

#[tauri::command]
pub async fn empty_trash(state: State<'_, AppState>) -> Res<EmptyTrash> {
    with_lib(&state, |lib| {
        // Never waits for the library's file lock while holding the shared library: a long
        // import would freeze every command and thumbnail until it ends.
        let r = lib.try_empty_trash()?;
        Ok(EmptyTrash {
            deleted: r.deleted as u32,
            bytes: r.bytes as f64,
            failed: r
                .failed
                .into_iter()
                .map(|(path, reason)| FileProblem { path, reason })
                .collect(),
        })
    })
    .await
}

#[tauri::command]
pub async fn albums(state: State<'_, AppState>) -> Res<Vec<Album>> {
    with_lib(&state, |lib| {
        Ok(lib.albums()?.into_iter().map(Album::from).collect())
    })
    .await
}

/// What keeping an album on this computer would bring here.
#[tauri::command]
pub async fn album_space(state: State<'_, AppState>, id: i32) -> Res<AlbumSpace> {
    with_lib(&state, move |lib| {
        let (originals, bytes) = lib.album_space(id.into())?;
        Ok(AlbumSpace {
            originals: originals as u32,
            bytes: bytes as f64,
        })
    })
    .await
}

#[tauri::command]
pub async fn album_create(state: State<'_, AppState>, name: String) -> Res<Album> {
    with_lib(&state, move |lib| Ok(lib.album_create(&name)?.into())).await
}

#[tauri::command]
pub async fn album_rename(state: State<'_, AppState>, id: i32, name: String) -> Res<()> {
    with_lib(&state, move |lib| lib.album_rename(id.into(), &name)).await
}

#[tauri::command]
pub async fn album_delete(state: State<'_, AppState>, id: i32) -> Res<()> {
    with_lib(&state, move |lib| lib.album_delete(id.into())).await
}

#[tauri::command]
pub async fn album_add(state: State<'_, AppState>, id: i32, hashes: Vec<String>) -> Res<u32> {
    with_lib(&state, move |lib| {
        Ok(lib.album_add(id.into(), &hashes)? as u32)
    })
    .await
}

#[tauri::command]
pub async fn album_remove(state: State<'_, AppState>, id: i32, hashes: Vec<String>) -> Res<u32> {
    with_lib(&state, move |lib| {
        Ok(lib.album_remove(id.into(), &hashes)? as u32)
    })
    .await
}

/// Tells the UI this job waits for another writer of the library.
fn waiting_event(on_event: &Channel<JobEvent>) {
    let _ = on_event.send(JobEvent::Waiting {
        message: "Waiting for another import or backup of this library to finish…".into(),
    });
}

fn problems<T>(v: Vec<T>, f: impl Fn(T) -> (String, String)) -> Vec<FileProblem> {
    v.into_iter()
        .map(|x| {
            let (path, reason) = f(x);
            FileProblem { path, reason }
        })
        .collect()
}

/// Imports dropped or picked files and folders, streaming progress; `cancel_job` stops it
/// between files (what was imported stays).
#[tauri::command]
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

/// Photos that look alike. Works out the look of photos that have none yet first (an older
/// library, other devices' photos), streaming progress; `cancel_job` stops that.
#[tauri::command]
pub async fn similar(
    state: State<'_, AppState>,
    on_event: Channel<JobEvent>,
) -> Res<Vec<SimilarGroup>> {
    with_job(&state, on_event, move |lib, job| {
        lib.fill_looks(job.progress, &job.cancel)?;
        let groups = lib.similar()?;
        groups
            .into_iter()
            .map(|g| {
                let items = items_of(lib, &g.photos)?;
                let photos = g
                    .photos
                    .iter()
                    .zip(items)
                    .zip(&g.metadata)
                    .map(|((a, item), m)| SimilarPhoto {
                        item,
                        size: a.size as f64,
                        path: a.path.clone(),
                        camera: match (&a.meta.make, &a.meta.model) {
                            (Some(make), Some(model)) if model.starts_with(make.as_str()) => {
                                Some(model.clone())
                            }
                            (Some(make), Some(model)) => Some(format!("{make} {model}")),
                            (a, b) => a.clone().or(b.clone()),
                        },
                        place: a.place.as_ref().map(|p| p.name.clone()),
                        metadata: (*m).min(255) as u8,
                    })
                    .collect();
                Ok(SimilarGroup {
                    similarity: g.similarity,
                    keep: g.keep,
                    photos,
                })
            })
            .collect::<Result<_, AppError>>()
    })
    .await
}

/// Exports photos to a folder: originals (`size` null) or JPEGs at most `size` pixels long,
/// streaming progress; `cancel_job` stops it between photos.
#[tauri::command]
pub async fn export(
    state: State<'_, AppState>,
    hashes: Vec<String>,
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

/// The photos of an album on the timeline (not trashed, not waiting to arrive), by hash.
#[tauri::command]
pub async fn album_members(state: State<'_, AppState>, id: i32) -> Res<Vec<String>> {
    with_lib(&state, move |lib| {
        Ok(lib
            .album_members(id.into())?
            .into_iter()
            .filter(|h| lib.show(h).is_ok_and(|a| a.trashed_at.is_none()))
            .collect())
    })
    .await
}

/// Asks the running job to stop.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>) {
    if let Some(c) = state.job.lock().ok().and_then(|j| j.clone()) {
        c.store(true, Ordering::SeqCst);
    }
}

/// Backs up to every enabled target (or one), streaming progress; `cancel_job` stops it after
/// the transfers in flight (the next backup picks up the rest).
#[tauri::command]
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
                Err((target, error)) => TargetBackup {
                    target,
                    error: Some(error),
                    ..Default::default()
                },
            })
            .collect())
    })
    .await
}

/// Sends this device's photos and edits to every enabled target (or one) and takes in the other
/// devices': new photos appear with their thumbnails, originals stay on the store.
#[tauri::command]
pub async fn sync(
    state: State<'_, AppState>,
    target: Option<String>,
    on_event: Channel<JobEvent>,
) -> Res<Vec<TargetSync>> {
    with_job(&state, on_event, move |lib, job| {
        let out = lib
            .sync(target.as_deref(), job.progress, job.waiting)
            .map_err(AppError::from)?;
        Ok(out
            .into_iter()
            .map(|r| match r {
                Ok(r) => TargetSync {
                    ok: r.problems.is_empty(),
                    target: r.target,
                    uploaded: r.uploaded as u32,
                    pushed: (r.pushed + r.announced) as u32,
                    devices: r.devices as u32,
                    new_photos: r.new_photos as u32,
                    edits_applied: r.edits_applied as u32,
                    problems: r.problems,
                    error: None,
                },
                Err((target, error)) => TargetSync {
                    target,
                    error: Some(error),
                    ..Default::default()
                },
            })
            .collect())
    })
    .await
}

/// This device and the other devices of the library it has synced with.
#[tauri::command]
pub async fn devices(state: State<'_, AppState>) -> Res<Devices> {
    with_lib(&state, move |lib| {
        let (me, peers) = lib.devices()?;
        let retired = lib.retired_devices()?;
        Ok(Devices {
            this_device: me,
            others: peers
                .into_iter()
                .map(|p| DeviceInfo {
                    retired: retired.contains(&p.device),
                    device: p.device,
                    name: p.name,
                    last_seen: p.last_seen,
                    photos: p.photos.max(0) as u32,
                })
                .collect(),
        })
    })
    .await
}

/// Keeps an album's originals on this computer (fetching those on the store, and at each sync
/// those added later), or lets them go (`on` false: they may be evicted from the cache).
#[tauri::command]
pub async fn album_pin(
    state: State<'_, AppState>,
    id: i32,
    on: bool,
    on_event: Channel<JobEvent>,
) -> Res<PinResult> {
    with_job(&state, on_event, move |lib, _job| {
        if !on {
            lib.unpin(id as i64).map_err(AppError::from)?;
            return Ok(PinResult {
                fetched: 0,
                bytes: 0.0,
                failed: Vec::new(),
            });
        }
        let (got, failed) = lib.pin(id as i64).map_err(AppError::from)?;
        Ok(PinResult {
            fetched: got.len() as u32,
            bytes: got.iter().map(|f| f.bytes).sum::<u64>() as f64,
            failed: failed
                .into_iter()
                .map(|(path, reason)| FileProblem { path, reason })
                .collect(),
        })
    })
    .await
}

/// Size and cap of the originals fetched from stores.
#[tauri::command]
pub async fn cache_info(state: State<'_, AppState>) -> Res<CacheInfo> {
    with_lib(&state, |lib| {
        let c = lib.cache()?;
        Ok(CacheInfo {
            files: c.files as u32,
            bytes: c.bytes as f64,
            max_bytes: c.max_bytes as f64,
        })
    })
    .await
}

/// Frees the space of fetched originals no pinned album keeps (they stay on the store).
#[tauri::command]
pub async fn cache_free(state: State<'_, AppState>) -> Res<CacheInfo> {
    with_lib(&state, |lib| {
        lib.free_cache()?;
        let c = lib.cache()?;
        Ok(CacheInfo {
            files: c.files as u32,
            bytes: c.bytes as f64,
            max_bytes: c.max_bytes as f64,
        })
    })
    .await
}

/// Retires a device that will never come back (every device learns it at its next sync).
#[tauri::command]
pub async fn device_retire(state: State<'_, AppState>, device: String) -> Res<()> {
    with_lib(&state, move |lib| lib.retire(&device).map(|_| ())).await
}

/// Brings a photo's original (and a Live Photo's video) from the store onto this computer,
/// checked against its hash.
#[tauri::command]
pub async fn fetch_original(
    state: State<'_, AppState>,
    hash: String,
    on_event: Channel<JobEvent>,
) -> Res<()> {
    // On its own library (a long video must not hold up the grid's queries), beside any job;
    // the viewer's previous fetch stops.
    let cancel = Arc::new(AtomicBool::new(false));
    state.replace_fetch(Some(cancel.clone()));
    let root = state.root.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut lib = Library::open(&root).map_err(AppError::from)?;
        let progress = |p: &engine::Progress| {
            let _ = on_event.send(JobEvent::from(p));
        };
        lib.fetch_with(&hash, &progress, &cancel)?;
        if let Some(m) = lib.parts(&hash)?.motion {
            lib.fetch_with(&m.hash, &|_| {}, &cancel)?;
        }
        Ok(())
    })
    .await
    .map_err(AppError::other)?
}

/// Stops the viewer's fetch of an original (it closed).
#[tauri::command]
pub async fn fetch_cancel(state: State<'_, AppState>) -> Res<()> {
    state.replace_fetch(None);
    Ok(())
}

/// Compares every enabled target with the catalog (sizes, and 5% of the objects read back).
#[tauri::command]
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
                Err((target, error)) => TargetVerify {
                    target,
                    error: Some(error),
                    ..Default::default()
                },
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn target_save(state: State<'_, AppState>, form: TargetForm) -> Res<SavedTarget> {
    with_lib(&state, move |lib| {
        let TargetForm {
            name,
            scheme,
            options,
            mut secrets,
        } = form;
        // An encrypted target with no password given is new: Shoebox makes its recovery code.
        // (Editing one sends an empty password, which keeps the stored one.)
        let made = engine::make_recovery_code(&options, &mut secrets);
        let shown = options.clone();
        let secrets_in = lib.target_add(&name, &scheme, options, secrets)?;
        Ok(SavedTarget {
            secrets_in,
            rclone_config: made
                .as_ref()
                .map(|c| engine::rclone_config(&name, &scheme, &shown, c)),
            recovery_code: made,
        })
    })
    .await
}

/// Changes an encrypted target's password (`passphrase`, or a new recovery code when empty):
/// everything on the store re-encrypted, as a job with progress and Cancel; resumable.
#[tauri::command]
pub async fn target_change_password(
    state: State<'_, AppState>,
    name: String,
    passphrase: Option<String>,
    on_event: Channel<JobEvent>,
) -> Res<PasswordChange> {
    with_job(&state, on_event, move |lib, job| {
        let given = passphrase.filter(|p| !p.trim().is_empty());
        let (r, new) = lib
            .target_change_password(&name, given.as_deref(), job.progress, &job.cancel)
            .map_err(AppError::from)?;
        let t = lib
            .targets()
            .map_err(AppError::from)?
            .into_iter()
            .find(|t| t.name == name);
        let made = (given.is_none() && r.switched).then_some(new);
        Ok(PasswordChange {
            copied: r.copied as u32,
            already: r.already as u32,
            deleted: r.deleted as u32,
            bytes: r.bytes as f64,
            switched: r.switched,
            cancelled: r.cancelled,
            rclone_config: match (&made, &t) {
                (Some(code), Some(t)) => {
                    Some(engine::rclone_config(&name, &t.scheme, &t.options, code))
                }
                _ => None,
            },
            recovery_code: made,
        })
    })
    .await
}

/// The form's *Test*: the target as typed, before it is saved.
#[tauri::command]
pub async fn target_probe(state: State<'_, AppState>, form: TargetForm) -> Res<TargetTest> {
    with_lib(&state, move |lib| {
        let mut options = form.options;
        if !form.secrets.contains_key("crypt_password") {
            // A new encrypted target has no password yet: the store itself is what is tested.
            options.remove("encryption");
        }
        let r = lib.target_probe(&form.name, &form.scheme, options, form.secrets)?;
        Ok(TargetTest {
            status: r.status,
            message: r.message,
        })
    })
    .await
}

#[tauri::command]
pub async fn target_remove(state: State<'_, AppState>, name: String) -> Res<()> {
    with_lib(&state, move |lib| lib.target_remove(&name)).await
}

#[tauri::command]
pub async fn target_test(state: State<'_, AppState>, name: String) -> Res<TargetTest> {
    with_lib(&state, move |lib| {
        let r = lib.target_test(&name)?;
        Ok(TargetTest {
            status: r.status,
            message: r.message,
        })
    })
    .await
}

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Res<LibrarySettings> {
    with_lib(&state, |lib| {
        let s = lib.settings();
        Ok(LibrarySettings {
            allowed_extensions: s.allowed_extensions.clone(),
            max_file_size: s.max_file_size as f64,
            cache_max_size: s.cache_max_size as f64,
            backup_every: s.backup_every.clone(),
            verify_every: s.verify_every.clone(),
            deep_verify_every: s.deep_verify_every.clone(),
        })
    })
    .await
}

#[tauri::command]
pub async fn settings_set(state: State<'_, AppState>, settings: LibrarySettings) -> Res<()> {
    with_lib(&state, move |lib| {
        let mut s = lib.settings().clone();
        s.allowed_extensions = settings.allowed_extensions;
        if !(settings.max_file_size.is_finite() && settings.max_file_size >= 1.0) {
            return Err(engine::Error::Setting(
                "the maximum file size must be a positive number of bytes".into(),
            ));
        }
        s.max_file_size = settings.max_file_size as u64;
        if !(settings.cache_max_size.is_finite() && settings.cache_max_size >= 1.0) {
            return Err(engine::Error::Setting(
                "the space for originals from the store must be a positive number of bytes".into(),
            ));
        }
        s.cache_max_size = settings.cache_max_size as u64;
        s.backup_every = settings.backup_every;
        s.verify_every = settings.verify_every;
        s.deep_verify_every = settings.deep_verify_every;
        lib.save_settings(s)
    })
    .await
}

/// Adds a watch folder and restarts watching; what is already in it is imported now.
#[tauri::command]
pub async fn watch_add(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    path: String,
    poll: bool,
) -> Res<()> {
    with_lib(&state, move |lib| {
        lib.watch_add(std::path::Path::new(&path), poll).map(|_| ())
    })
    .await?;
    state.restart_watch(app);
    Ok(())
}

#[tauri::command]
pub async fn watch_remove(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Res<()> {
    with_lib(&state, move |lib| {
        lib.watch_remove(std::path::Path::new(&path))
    })
    .await?;
    state.restart_watch(app);
    Ok(())
}
