//! Faces while the app runs: one background thread at a time looks for faces in the photos
//! not looked at yet (after an import, at start, after a sync), on its own `Library`, leaving
//! a core to the window, and tells the UI through `faces` events.

use crate::api::FacesEvent;
use shoebox_engine::{Library, Progress};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Emitter};

/// Starts a scan unless one runs (`running` is its flag). A scan started while another runs
/// is not lost: the running one goes on to the photos that arrived meanwhile.
pub fn start(app: AppHandle, root: PathBuf, running: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    if running.swap(true, Ordering::SeqCst) {
        return;
    }
    let flag = running.clone();
    let spawned = std::thread::Builder::new()
        .name("faces".into())
        .spawn(move || {
            let emit = |e: FacesEvent| {
                let _ = app.emit("faces", e);
            };
            if let Err(e) = shoebox_engine::face_models() {
                emit(FacesEvent {
                    off: Some(e.to_string()),
                    ..Default::default()
                });
                flag.store(false, Ordering::SeqCst);
                return;
            }
            let threads = std::thread::available_parallelism()
                .map_or(1, |n| n.get().saturating_sub(1).max(1));
            let mut found = 0u32;
            let res = Library::open(&root).and_then(|mut lib| {
                // Until a pass finds nothing new: photos imported during a pass are next.
                loop {
                    let progress = |p: &Progress| {
                        emit(FacesEvent {
                            running: true,
                            done: p.done as u32,
                            total: p.total as u32,
                            faces: found + p.found as u32,
                            ..Default::default()
                        })
                    };
                    let r = lib.scan_faces(threads, &progress, &stop)?;
                    found += r.faces as u32;
                    if r.photos == 0 {
                        return Ok(());
                    }
                }
            });
            flag.store(false, Ordering::SeqCst);
            let error = match res {
                Err(shoebox_engine::Error::Cancelled) | Ok(()) => None,
                Err(e) => Some(format!("Looking for faces stopped: {e}")),
            };
            emit(FacesEvent {
                faces: found,
                error,
                ..Default::default()
            });
        });
    if spawned.is_err() {
        running.store(false, Ordering::SeqCst);
    }
}
