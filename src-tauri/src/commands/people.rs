//! People: the People page, naming, merging, hiding, a wrong face out, the viewer's face marks,
//! and the background scan that finds them.

use super::{Res, with_lib};
use crate::api::*;
use crate::state::AppState;
use shoebox_app_macros::command;
use shoebox_layout::Hash;
use tauri::State;

/// People, the named first; hidden ones and single unnamed faces with `all`.
#[command]
pub async fn people(state: State<'_, AppState>, all: bool) -> Res<Vec<Person>> {
    with_lib(&state, move |lib| lib.people(all)).await
}

#[command]
pub async fn person_name(state: State<'_, AppState>, id: i32, name: String) -> Res<Person> {
    with_lib(&state, move |lib| lib.name_person(id.into(), &name)).await
}

/// Merges person `from` into `into`.
#[command]
pub async fn people_merge(state: State<'_, AppState>, from: i32, into: i32) -> Res<Person> {
    with_lib(&state, move |lib| {
        lib.merge_people(from.into(), into.into())
    })
    .await
}

#[command]
pub async fn person_hide(state: State<'_, AppState>, id: i32, hidden: bool) -> Res<()> {
    with_lib(&state, move |lib| lib.hide_person(id.into(), hidden)).await
}

/// Takes a wrongly grouped face out of its person.
#[command]
pub async fn face_remove(state: State<'_, AppState>, face: i32) -> Res<()> {
    with_lib(&state, move |lib| lib.remove_face(face.into())).await
}

/// The faces of a photo, for the viewer's marks.
#[command]
pub async fn faces_of(state: State<'_, AppState>, hash: Hash) -> Res<Vec<FaceRow>> {
    with_lib(&state, move |lib| lib.faces_of(&hash)).await
}

/// Looks for faces in the photos not looked at yet, in the background (`faces` events).
#[command]
pub async fn faces_scan(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<()> {
    state.scan_faces(app);
    Ok(())
}
