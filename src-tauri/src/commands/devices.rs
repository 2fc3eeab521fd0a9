//! One library on several computers: sync, the devices, originals fetched from the store and
//! the cache that holds them.

use super::{Res, with_job, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine::{self as engine, Library};
use shoebox_layout::Hash;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tauri::State;
use tauri::ipc::Channel;

/// Sends this device's photos and edits to every enabled target (or one) and takes in the other
/// devices': new photos appear with their thumbnails, originals stay on the store.
#[command]
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
                    renamed: r.renamed,
                    error: None,
                },
                Err(engine::TargetFailed { target, error }) => TargetSync {
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
#[command]
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

/// Retires a device that will never come back (every device learns it at its next sync).
#[command]
pub async fn device_retire(state: State<'_, AppState>, device: String) -> Res<()> {
    with_lib(&state, move |lib| lib.retire(&device).map(|_| ())).await
}

/// Size and cap of the originals fetched from stores.
#[command]
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
#[command]
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

/// Brings a photo's original (and a Live Photo's video) from the store onto this computer,
/// checked against its hash.
#[command]
pub async fn fetch_original(
    state: State<'_, AppState>,
    hash: Hash,
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
        lib.fetch_with(hash.as_str(), &progress, &cancel)?;
        if let Some(m) = lib.parts(&hash)?.motion {
            lib.fetch_with(m.hash.as_str(), &|_| {}, &cancel)?;
        }
        Ok(())
    })
    .await
    .map_err(AppError::other)?
}

/// Stops the viewer's fetch of an original (it closed).
#[command]
pub async fn fetch_cancel(state: State<'_, AppState>) -> Res<()> {
    state.replace_fetch(None);
    Ok(())
}
