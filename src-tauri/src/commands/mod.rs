//! The IPC commands, one file per feature; each command is a few lines over
//! `shoebox_engine::Library`, written once with `#[command]` and listed once in [`handler`]'s
//! list below, which also makes the TypeScript wrappers (`ui/src/lib/bindings.ts`).
//!
//! Quick queries use the shared library behind a mutex; long jobs (import, backup, verify) open
//! their own `Library` on a blocking thread, so the timeline stays responsive while they run and
//! the engine's write lock orders them against each other and against the CLI.

mod albums;
mod devices;
mod jobs;
mod organise;
mod people;
mod settings;
mod share;
mod targets;
mod timeline;

use crate::api::*;
use crate::state::AppState;
use shoebox_engine::{self as engine, Library};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tauri::ipc::Channel;

/// Errors reach the UI as a kind it can act on and one sentence a person can act on.
type Res<T> = Result<T, AppError>;

/// Runs `f` on the shared library on a blocking thread.
pub(super) async fn with_lib<T: Send + 'static>(
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
pub(super) struct Job<'a> {
    cancel: Arc<AtomicBool>,
    progress: &'a dyn Fn(&engine::Progress),
    waiting: &'a dyn Fn(),
}

/// Runs `f` as the app's one long job (import, backup, verify): on its own Library on a
/// blocking thread (so quick queries on the shared one are not held up), streaming progress to
/// `on_event`; the job slot is freed whatever the outcome.
pub(super) async fn with_job<T: Send + 'static>(
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

/// Tells the UI this job waits for another writer of the library.
pub(super) fn waiting_event(on_event: &Channel<JobEvent>) {
    let _ = on_event.send(JobEvent::Waiting {
        message: "Waiting for another import or backup of this library to finish…".into(),
    });
}

/// The one list of commands: the IPC handler and the TypeScript wrappers are both made from it.
macro_rules! commands {
    ($($feature:ident :: $name:ident),* $(,)?) => {
        /// The app's IPC handler.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($feature::$name),*]
        }

        /// Every command's signature, for the TypeScript wrappers.
        pub fn signatures() -> Vec<crate::bindings::Command> {
            vec![$($feature::$name::signature()),*]
        }
    };
}

commands![
    // settings
    settings::library_info,
    settings::offered_settings,
    settings::answer_offered_settings,
    settings::settings_get,
    settings::settings_set,
    settings::watch_add,
    settings::watch_remove,
    // timeline
    timeline::buckets,
    timeline::month_items,
    timeline::month_page,
    timeline::asset_info,
    timeline::find_towns,
    timeline::place_cells,
    timeline::similar,
    // organise
    organise::set_favourite,
    organise::set_trashed,
    organise::set_rating,
    organise::set_keyword,
    organise::rotate,
    organise::set_date,
    organise::set_place,
    organise::empty_trash,
    // albums
    albums::albums,
    albums::album_space,
    albums::album_create,
    albums::album_rename,
    albums::album_delete,
    albums::album_add,
    albums::album_remove,
    albums::album_members,
    albums::album_pin,
    // people
    people::people,
    people::person_name,
    people::people_merge,
    people::person_hide,
    people::face_remove,
    people::faces_of,
    people::faces_scan,
    // sharing
    share::shares,
    share::share_targets,
    share::share_create,
    share::share_revoke,
    // jobs
    jobs::import,
    jobs::export,
    jobs::cancel_job,
    jobs::backup,
    jobs::verify,
    jobs::schedule_due,
    jobs::run_scheduled,
    // devices
    devices::sync,
    devices::devices,
    devices::device_retire,
    devices::fetch_original,
    devices::fetch_cancel,
    devices::cache_info,
    devices::cache_free,
    // targets
    targets::target_change_password,
    targets::target_save,
    targets::target_remove,
    targets::target_test,
    targets::target_probe,
];
