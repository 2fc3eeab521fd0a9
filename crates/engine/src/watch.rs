//! Watch folders for a library: settings, and the sink that imports settled files.

use crate::{Error, Library, Result, WatchFolderSetting, io};
use shoebox_catalog::WatchSeen;
use shoebox_watch::{Settled, Sink, WatchConfig, WatchFolder};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Above this many files in one go, the log says how many rather than naming each.
const NAME_EACH_UP_TO: usize = 20;

/// What the watcher did, as it happens: a line for a person, and the figures a front end acts
/// on (the app reloads its timeline when `imported` is not zero) without reading the text.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WatchEvent {
    pub message: String,
    /// Photos and videos this event added to the library.
    pub imported: u64,
    /// Files this event rejected.
    pub rejected: u64,
    /// Something failed (an import as a whole, remembering what was seen).
    pub error: bool,
}

impl WatchEvent {
    fn info(message: impl Into<String>) -> Self {
        WatchEvent {
            message: message.into(),
            ..Default::default()
        }
    }
    fn error(message: impl Into<String>) -> Self {
        WatchEvent {
            message: message.into(),
            error: true,
            ..Default::default()
        }
    }
}

impl Library {
    /// Adds a watch folder. It may be missing now (a USB disk): it is watched once it appears.
    pub fn watch_add(&mut self, dir: &Path, poll: bool) -> Result<WatchFolderSetting> {
        let abs = std::path::absolute(dir).map_err(io(dir))?;
        let abs = abs.canonicalize().unwrap_or(abs);
        let root = self
            .root()
            .canonicalize()
            .unwrap_or_else(|_| self.root().to_owned());
        if abs.starts_with(&root) || root.starts_with(&abs) {
            return Err(Error::Setting(format!(
                "{} overlaps the library itself; watch a folder outside {}",
                abs.display(),
                root.display()
            )));
        }
        let entry = WatchFolderSetting {
            path: abs.display().to_string(),
            poll,
        };
        let mut s = self.settings().clone();
        s.watch_folders.retain(|w| w.path != entry.path);
        s.watch_folders.push(entry.clone());
        self.save_settings(s)?;
        Ok(entry)
    }

    /// Stops watching `dir`; files already imported stay in the library.
    pub fn watch_remove(&mut self, dir: &Path) -> Result<()> {
        let abs = std::path::absolute(dir).map_err(io(dir))?;
        let canon = abs.canonicalize().unwrap_or_else(|_| abs.clone());
        let mut s = self.settings().clone();
        let before = s.watch_folders.len();
        s.watch_folders
            .retain(|w| Path::new(&w.path) != abs && Path::new(&w.path) != canon);
        if s.watch_folders.len() == before {
            return Err(Error::Setting(format!(
                "{} is not a watch folder (see `shoebox watch list`)",
                dir.display()
            )));
        }
        self.save_settings(s)
    }

    /// Watches every configured folder and imports settled files until `stop` is set.
    pub fn watch_run(&mut self, stop: &AtomicBool, on: &dyn Fn(&WatchEvent)) -> Result<()> {
        let cfg = WatchConfig {
            folders: self
                .settings()
                .watch_folders
                .iter()
                .map(|w| WatchFolder {
                    path: w.path.clone().into(),
                    poll: w.poll,
                })
                .collect(),
            quiet: Duration::from_millis(self.settings().watch_quiet_ms),
        };
        if cfg.folders.is_empty() {
            return Err(Error::Setting(
                "no watch folders; add one with `shoebox watch add DIR`".into(),
            ));
        }
        let seen = self.catalog.watch_seen()?;
        let mut sink = LibSink {
            lib: self,
            seen,
            on,
        };
        let note = |m: &str| on(&WatchEvent::info(m));
        shoebox_watch::run(&cfg, &mut sink, stop, &note).map_err(|e| Error::Setting(e.to_string()))
    }
}

struct LibSink<'a> {
    lib: &'a mut Library,
    seen: HashMap<String, (u64, i64)>,
    on: &'a dyn Fn(&WatchEvent),
}

impl Sink for LibSink<'_> {
    fn seen(&mut self, path: &Path, size: u64, mtime_ns: i64) -> bool {
        self.seen.get(&path.display().to_string()) == Some(&(size, mtime_ns))
    }

    fn import(&mut self, files: Vec<Settled>) {
        for chunk in files.chunks(2000) {
            let paths: Vec<_> = chunk.iter().map(|f| f.path.clone()).collect();
            let on = self.on;
            let report = match self
                .lib
                .import(&paths, &|_| {}, &AtomicBool::new(false), &|| {
                    on(&WatchEvent::info(
                        "another import is running on this library; waiting for it",
                    ))
                }) {
                Ok(r) => r,
                Err(e) => {
                    // Not remembered: tried again when the file changes or at the next start.
                    on(&WatchEvent::error(format!(
                        "import of {} file(s) failed: {e}",
                        chunk.len()
                    )));
                    continue;
                }
            };
            let mut outcome: HashMap<String, (&str, Option<String>)> = HashMap::new();
            for i in &report.imported {
                outcome.insert(i.source.clone(), ("imported", None));
            }
            for d in &report.duplicates {
                outcome.insert(d.path.clone(), ("duplicate", Some(d.reason.clone())));
            }
            for s in &report.skipped {
                outcome.insert(s.path.clone(), ("skipped", Some(s.reason.clone())));
            }
            for r in &report.rejected {
                outcome.insert(r.path.clone(), ("rejected", Some(r.reason.clone())));
                on(&WatchEvent::info(format!(
                    "rejected {}: {}",
                    r.path, r.reason
                )));
            }
            if report.imported.len() <= NAME_EACH_UP_TO {
                for i in &report.imported {
                    on(&WatchEvent::info(format!(
                        "imported {} as {}",
                        i.source, i.path
                    )));
                }
            }
            on(&WatchEvent {
                message: format!(
                    "{} imported, {} duplicate(s), {} skipped, {} rejected",
                    report.counts.imported,
                    report.counts.duplicates,
                    report.counts.skipped,
                    report.counts.rejected
                ),
                imported: report.counts.imported,
                rejected: report.counts.rejected,
                error: false,
            });
            let rows: Vec<WatchSeen> = chunk
                .iter()
                .map(|f| {
                    let key = f.path.display().to_string();
                    let (what, reason) = outcome.remove(&key).unwrap_or(("handled", None));
                    WatchSeen {
                        path: key,
                        size: f.size,
                        mtime_ns: f.mtime_ns,
                        outcome: what.to_owned(),
                        reason,
                    }
                })
                .collect();
            if let Err(e) = self.lib.catalog.mark_watch_seen(&rows) {
                on(&WatchEvent::error(format!(
                    "could not remember watched files: {e}"
                )));
            }
            for r in rows {
                self.seen.insert(r.path, (r.size, r.mtime_ns));
            }
        }
    }
}
