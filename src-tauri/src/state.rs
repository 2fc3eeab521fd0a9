//! What the app keeps between commands.

use shoebox_engine::Library;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

pub struct AppState {
    pub root: PathBuf,
    /// The library for queries and quick edits.
    pub lib: Arc<Mutex<Library>>,
    /// The running long job's cancel flag; one job at a time per window.
    pub job: Mutex<Option<Arc<AtomicBool>>>,
    /// The watch-folder thread's stop flag, while one runs.
    pub watch: Mutex<Option<Arc<AtomicBool>>>,
}

impl AppState {
    pub fn new(lib: Library) -> Self {
        AppState {
            root: lib.root().to_owned(),
            lib: Arc::new(Mutex::new(lib)),
            job: Mutex::new(None),
            watch: Mutex::new(None),
        }
    }

    /// Registers a new job, refusing when one runs.
    pub fn begin_job(&self) -> Result<Arc<AtomicBool>, String> {
        let mut j = self.job.lock().map_err(|e| e.to_string())?;
        if j.is_some() {
            return Err("Another import or backup is running; wait for it to finish.".into());
        }
        let c = Arc::new(AtomicBool::new(false));
        *j = Some(c.clone());
        Ok(c)
    }

    /// (Re)starts watching after the watch folders changed.
    pub fn restart_watch(&self, app: tauri::AppHandle) {
        // The shared library's settings are current: watch folders change only through it.
        let folders = self
            .lib
            .lock()
            .map(|l| l.settings().watch_folders.len())
            .unwrap_or(0);
        if let Ok(mut w) = self.watch.lock() {
            if let Some(old) = w.take() {
                old.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            *w = crate::watcher::start(app, self.root.clone(), folders);
        }
    }

    pub fn end_job(&self) {
        if let Ok(mut j) = self.job.lock() {
            *j = None;
        }
    }
}
