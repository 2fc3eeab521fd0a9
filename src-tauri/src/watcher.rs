//! Watch folders while the app runs: a background thread with its own `Library` runs the
//! engine's watcher and tells the UI what it did through `watch` events, so the timeline grows
//! as Syncthing (or anything else) fills a folder.

use crate::api::WatchEvent;
use shoebox_engine::Library;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Emitter};

/// Starts watching the library's watch folders (`folders` of them); returns the stop flag.
pub fn start(app: AppHandle, root: PathBuf, folders: usize) -> Option<Arc<AtomicBool>> {
    if folders == 0 {
        return None;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            let emit = |e: &shoebox_engine::WatchEvent| {
                let _ = app.emit(
                    "watch",
                    WatchEvent {
                        message: e.message.clone(),
                        imported: e.imported as u32,
                        error: e.error,
                    },
                );
            };
            let res = Library::open(&root).and_then(|mut lib| lib.watch_run(&flag, &emit));
            if let Err(e) = res
                && !flag.load(Ordering::SeqCst)
            {
                emit(&shoebox_engine::WatchEvent {
                    message: format!("Watching stopped: {e}"),
                    error: true,
                    ..Default::default()
                });
            }
        })
        .ok()?;
    Some(stop)
}
