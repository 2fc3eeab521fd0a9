//! What the app keeps between commands.

use shoebox_engine::Library;
use std::path::Path;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

/// Locks the shared library. A command that panicked while holding it left it poisoned: the
/// library is opened afresh (the catalog rolled back whatever that command had not committed)
/// and the app carries on, instead of refusing every command until a restart.
pub fn lock_lib<'a>(lib: &'a Mutex<Library>, root: &Path) -> MutexGuard<'a, Library> {
    match lib.lock() {
        Ok(g) => g,
        Err(poisoned) => {
            let mut g = poisoned.into_inner();
            match Library::open(root) {
                Ok(fresh) => *g = fresh,
                Err(e) => tracing::error!("reopening the library after a crash failed: {e}"),
            }
            lib.clear_poison();
            g
        }
    }
}

pub struct AppState {
    pub root: PathBuf,
    /// The library for queries and quick edits.
    pub lib: Arc<Mutex<Library>>,
    /// The running long job's cancel flag; one job at a time per window.
    pub job: Mutex<Option<Arc<AtomicBool>>>,
    /// The watch-folder thread's stop flag, while one runs.
    pub watch: Mutex<Option<Arc<AtomicBool>>>,
    /// The viewer's fetch of an original, while one runs: a new one stops it.
    pub fetch: Mutex<Option<Arc<AtomicBool>>>,
    /// Scheduled backups and verifies: which failed lately (tried again after a while).
    pub scheduler: Arc<Mutex<shoebox_engine::Scheduler>>,
    /// The background face scan: whether one runs, and its stop flag (set when the app quits).
    pub faces: Arc<AtomicBool>,
    pub faces_stop: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(lib: Library) -> Self {
        AppState {
            root: lib.root().to_owned(),
            lib: Arc::new(Mutex::new(lib)),
            job: Mutex::new(None),
            watch: Mutex::new(None),
            fetch: Mutex::new(None),
            scheduler: Arc::default(),
            faces: Arc::default(),
            faces_stop: Arc::default(),
        }
    }

    /// Looks for faces in the photos not looked at yet, in the background.
    pub fn scan_faces(&self, app: tauri::AppHandle) {
        crate::faces::start(
            app,
            self.root.clone(),
            self.faces.clone(),
            self.faces_stop.clone(),
        );
    }

    /// Registers the viewer's fetch of an original, stopping the one before (the viewer moved
    /// on); `None` only stops.
    pub fn replace_fetch(&self, next: Option<Arc<AtomicBool>>) {
        let mut f = self
            .fetch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(old) = f.take() {
            old.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        *f = next;
    }

    /// Registers a new job, refusing when one runs.
    pub fn begin_job(&self) -> Result<Arc<AtomicBool>, crate::api::AppError> {
        let mut j = self
            .job
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if j.is_some() {
            return Err(crate::api::AppError::busy(
                "Another import or backup is running; wait for it to finish.",
            ));
        }
        let c = Arc::new(AtomicBool::new(false));
        *j = Some(c.clone());
        Ok(c)
    }

    /// (Re)starts watching after the watch folders changed.
    pub fn restart_watch(&self, app: tauri::AppHandle) {
        // The shared library's settings are current: watch folders change only through it.
        let folders = lock_lib(&self.lib, &self.root)
            .settings()
            .watch_folders
            .len();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_under_the_library_lock_does_not_disable_the_app() {
        let t = tempfile::tempdir().unwrap();
        let lib = Arc::new(Mutex::new(Library::open(t.path()).unwrap()));
        let l2 = lib.clone();
        let _ = std::thread::spawn(move || {
            let _g = l2.lock().unwrap();
            panic!("a command crashed");
        })
        .join();
        assert!(lib.is_poisoned());
        let g = lock_lib(&lib, t.path());
        assert!(g.albums().is_ok(), "the library works again");
        drop(g);
        assert!(!lib.is_poisoned());
    }
}
