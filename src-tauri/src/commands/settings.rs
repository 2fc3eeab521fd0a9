//! The library itself: what the app shows on start, settings, watch folders, and the
//! settings a restored snapshot offers.

use super::targets::target_info;
use super::{Res, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine::{self as engine};
use tauri::State;

#[command]
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

/// Settings a restored snapshot offered and this library has not taken, if any.
#[command]
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
#[command]
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

#[command]
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

#[command]
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
#[command]
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

#[command]
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
