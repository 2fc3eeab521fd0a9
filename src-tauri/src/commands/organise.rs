//! Edits to photos: favourite, rating, keyword, rotation, date, place, the trash.

use super::{Res, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_engine::{self as engine};
use shoebox_layout::Hash;
use tauri::State;

#[command]
pub async fn set_favourite(state: State<'_, AppState>, hashes: Vec<Hash>, on: bool) -> Res<u32> {
    with_lib(
        &state,
        move |lib| Ok(lib.set_favourite(&hashes, on)? as u32),
    )
    .await
}

/// Gives photos 0–5 stars.
#[command]
pub async fn set_rating(state: State<'_, AppState>, hashes: Vec<Hash>, stars: u8) -> Res<u32> {
    with_lib(&state, move |lib| Ok(lib.rate(&hashes, stars)? as u32)).await
}

/// Adds (`on`) or removes a keyword.
#[command]
pub async fn set_keyword(
    state: State<'_, AppState>,
    hashes: Vec<Hash>,
    word: String,
    on: bool,
) -> Res<u32> {
    with_lib(&state, move |lib| {
        Ok(lib.keyword(&hashes, &word, on)? as u32)
    })
    .await
}

/// Turns photos a quarter (`right` true: clockwise); returns their rotations.
#[command]
pub async fn rotate(state: State<'_, AppState>, hashes: Vec<Hash>, right: bool) -> Res<Vec<u16>> {
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
#[command]
pub async fn set_date(
    state: State<'_, AppState>,
    hashes: Vec<Hash>,
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

/// Sets where photos were taken (`None`: back to what their files say).
#[command]
pub async fn set_place(
    state: State<'_, AppState>,
    hashes: Vec<Hash>,
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

#[command]
pub async fn set_trashed(state: State<'_, AppState>, hashes: Vec<Hash>, on: bool) -> Res<u32> {
    with_lib(&state, move |lib| Ok(lib.set_trashed(&hashes, on)? as u32)).await
}

#[command]
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
