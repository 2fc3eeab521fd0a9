//! Albums: list, create, rename, delete, add and remove photos, pin on this computer.

use super::{Res, with_job, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_layout::Hash;
use tauri::State;
use tauri::ipc::Channel;

#[command]
pub async fn albums(state: State<'_, AppState>) -> Res<Vec<Album>> {
    with_lib(&state, |lib| lib.albums()).await
}

/// What keeping an album on this computer would bring here.
#[command]
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

#[command]
pub async fn album_create(state: State<'_, AppState>, name: String) -> Res<Album> {
    with_lib(&state, move |lib| lib.album_create(&name)).await
}

#[command]
pub async fn album_rename(state: State<'_, AppState>, id: i32, name: String) -> Res<()> {
    with_lib(&state, move |lib| lib.album_rename(id.into(), &name)).await
}

#[command]
pub async fn album_delete(state: State<'_, AppState>, id: i32) -> Res<()> {
    with_lib(&state, move |lib| lib.album_delete(id.into())).await
}

#[command]
pub async fn album_add(state: State<'_, AppState>, id: i32, hashes: Vec<Hash>) -> Res<u32> {
    with_lib(&state, move |lib| {
        Ok(lib.album_add(id.into(), &hashes)? as u32)
    })
    .await
}

#[command]
pub async fn album_remove(state: State<'_, AppState>, id: i32, hashes: Vec<Hash>) -> Res<u32> {
    with_lib(&state, move |lib| {
        Ok(lib.album_remove(id.into(), &hashes)? as u32)
    })
    .await
}

/// The photos of an album on the timeline (not trashed, not waiting to arrive), by hash.
#[command]
pub async fn album_members(state: State<'_, AppState>, id: i32) -> Res<Vec<Hash>> {
    with_lib(&state, move |lib| {
        Ok(lib
            .album_members(id.into())?
            .into_iter()
            .filter(|h| lib.show(h.as_str()).is_ok_and(|a| a.trashed_at.is_none()))
            .collect())
    })
    .await
}

/// Keeps an album's originals on this computer (fetching those on the store, and at each sync
/// those added later), or lets them go (`on` false: they may be evicted from the cache).
#[command]
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
