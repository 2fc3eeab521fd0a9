//! Watch folders: notices new files in folders (say, the one Syncthing fills from a phone) and
//! hands each one over once it has settled. Knows nothing about libraries or databases.
//!
//! ```no_run
//! use shoebox_watch::{Settled, Sink, WatchConfig, WatchFolder, run};
//! use std::{path::Path, sync::atomic::AtomicBool, time::Duration};
//! struct Print;
//! impl Sink for Print {
//!     fn seen(&mut self, _: &Path, _: u64, _: i64) -> bool { false }
//!     fn import(&mut self, files: Vec<Settled>) { for f in files { println!("{}", f.path.display()) } }
//! }
//! let cfg = WatchConfig { folders: vec![WatchFolder { path: "/home/me/Sync/Camera".into(), poll: false }],
//!     quiet: Duration::from_secs(3) };
//! run(&cfg, &mut Print, &AtomicBool::new(false), &|msg| eprintln!("{msg}")).unwrap();
//! ```
//!
//! A file is handed over only when no event touched it for the quiet period *and* its size and
//! modification time are the same at two looks. Temporary names (Syncthing's, browsers', rsync's,
//! hidden files) are never handed over; the file is seen again under its final name. Nothing is
//! missed: every folder is rescanned at start, after the kernel's event queue overflowed, and when
//! a folder that had disappeared comes back (a USB disk).

use notify::event::{EventKind, ModifyKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// One watched folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchFolder {
    pub path: PathBuf,
    /// Poll instead of relying on events (network file systems, where events do not arrive).
    pub poll: bool,
}

#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub folders: Vec<WatchFolder>,
    /// How long a file must stay untouched before it is handed over.
    pub quiet: Duration,
}

/// A file that has settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// Where settled files go.
pub trait Sink {
    /// Whether this version of the file (path, size, mtime) was handled before.
    fn seen(&mut self, path: &Path, size: u64, mtime_ns: i64) -> bool;
    /// Handles settled files and remembers them, so that `seen` is true for them afterwards.
    fn import(&mut self, files: Vec<Settled>);
}

/// Errors that stop watching.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The OS refused to watch (e.g. too many inotify watches: raise fs.inotify.max_user_watches).
    Notify(notify::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Notify(e) => write!(f, "cannot watch folders: {e}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Names that are still being written and will be renamed: never imported as they are.
pub fn is_temporary_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.') // hidden files, rsync's .name.XXXXXX, Syncthing's .syncthing.*.tmp
        || name.starts_with("~syncthing~")
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
        || lower.ends_with(".crdownload")
        || lower.ends_with(".partial")
        || lower.ends_with(".download")
        || lower.ends_with(".!sync")
}

fn hidden_component(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .map(|rel| {
            rel.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
        .unwrap_or(false)
}

fn look(path: &Path) -> Option<(u64, i64)> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    Some((m.len(), mtime))
}

struct Candidate {
    look: Option<(u64, i64)>,
    last_change: Instant,
}

struct Root {
    folder: WatchFolder,
    present: bool,
    last_poll: Option<Instant>,
}

struct State<'a> {
    cfg: &'a WatchConfig,
    candidates: HashMap<PathBuf, Candidate>,
}

impl State<'_> {
    fn touch(&mut self, path: &Path, root: &Path) {
        if hidden_component(path, root) {
            return;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_temporary_name(&name) {
            return;
        }
        let now = Instant::now();
        let l = look(path);
        let c = self.candidates.entry(path.to_owned()).or_insert(Candidate {
            look: None,
            last_change: now,
        });
        c.last_change = now;
        c.look = l;
    }

    /// Walks `dir` and makes every file not yet handled a candidate. Symlinks are not followed,
    /// so a loop inside a watched folder costs nothing.
    fn rescan(&mut self, dir: &Path, root: &Path, sink: &mut dyn Sink) -> usize {
        let mut n = 0;
        let already_quiet = Instant::now()
            .checked_sub(self.cfg.quiet)
            .unwrap_or_else(Instant::now);
        for e in walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            let Ok(e) = e else { continue };
            if !e.file_type().is_file() {
                continue;
            }
            let name = e.file_name().to_string_lossy();
            if is_temporary_name(&name) || hidden_component(e.path(), root) {
                continue;
            }
            let Some((size, mtime)) = look(e.path()) else {
                continue;
            };
            if sink.seen(e.path(), size, mtime) || self.candidates.contains_key(e.path()) {
                continue;
            }
            // One look now; one more at the next tick decides whether it has settled.
            self.candidates.insert(
                e.path().to_owned(),
                Candidate {
                    look: Some((size, mtime)),
                    last_change: already_quiet,
                },
            );
            n += 1;
        }
        n
    }

    /// Files quiet for the whole period and unchanged since the last look.
    fn settled(&mut self, sink: &mut dyn Sink) -> Vec<Settled> {
        let now = Instant::now();
        let mut out = Vec::new();
        let mut gone = Vec::new();
        for (path, c) in self.candidates.iter_mut() {
            if now.duration_since(c.last_change) < self.cfg.quiet {
                continue;
            }
            match look(path) {
                None => gone.push(path.clone()),
                Some(cur) if Some(cur) == c.look => {
                    gone.push(path.clone());
                    if !sink.seen(path, cur.0, cur.1) {
                        out.push(Settled {
                            path: path.clone(),
                            size: cur.0,
                            mtime_ns: cur.1,
                        });
                    }
                }
                Some(cur) => {
                    // Still changing without events (or the first look was missed): look again later.
                    c.look = Some(cur);
                    c.last_change = now;
                }
            }
        }
        for p in gone {
            self.candidates.remove(&p);
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// Watches until `stop` is set. Blocks; call it from its own thread or process.
pub fn run(
    cfg: &WatchConfig,
    sink: &mut dyn Sink,
    stop: &AtomicBool,
    log: &dyn Fn(&str),
) -> Result<()> {
    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher: RecommendedWatcher = notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    })
    .map_err(Error::Notify)?;
    let mut roots: Vec<Root> = cfg
        .folders
        .iter()
        .map(|f| Root {
            folder: f.clone(),
            present: false,
            last_poll: None,
        })
        .collect();
    let mut st = State {
        cfg,
        candidates: HashMap::new(),
    };
    let tick = (cfg.quiet / 4).clamp(Duration::from_millis(50), Duration::from_millis(500));
    let poll_every = cfg.quiet.max(Duration::from_secs(2));
    let mut last_root_check = Instant::now() - Duration::from_secs(60);

    while !stop.load(Ordering::Relaxed) {
        // Roots: start watching folders that are (back) there, notice ones that went away.
        if last_root_check.elapsed() >= Duration::from_secs(1) {
            last_root_check = Instant::now();
            for r in roots.iter_mut() {
                let there = r.folder.path.is_dir();
                if there && !r.present {
                    if !r.folder.poll
                        && let Err(e) = watcher.watch(&r.folder.path, RecursiveMode::Recursive)
                    {
                        log(&format!("cannot watch {}: {e}", r.folder.path.display()));
                        continue;
                    }
                    r.present = true;
                    let n = st.rescan(&r.folder.path.clone(), &r.folder.path, sink);
                    log(&format!(
                        "watching {} ({} new file(s) found){}",
                        r.folder.path.display(),
                        n,
                        if r.folder.poll { ", polling" } else { "" }
                    ));
                } else if !there && r.present {
                    r.present = false;
                    let _ = watcher.unwatch(&r.folder.path);
                    log(&format!(
                        "{} is gone; waiting for it to come back",
                        r.folder.path.display()
                    ));
                }
            }
        }
        for r in roots.iter_mut().filter(|r| r.present && r.folder.poll) {
            if r.last_poll.is_none_or(|t| t.elapsed() >= poll_every) {
                r.last_poll = Some(Instant::now());
                let p = r.folder.path.clone();
                st.rescan(&p, &p, sink);
            }
        }
        // Wait for events; wake up on time while something is settling or a root is missing.
        let busy = !st.candidates.is_empty() || roots.iter().any(|r| !r.present || r.folder.poll);
        let first = rx.recv_timeout(if busy { tick } else { Duration::from_secs(1) });
        let mut events: Vec<notify::Result<Event>> = first.into_iter().collect();
        events.extend(rx.try_iter());
        let mut rescan_all = false;
        for ev in events {
            match ev {
                Ok(ev) if ev.need_rescan() => rescan_all = true,
                Ok(ev) => {
                    for p in &ev.paths {
                        let Some(root) = roots.iter().find(|r| p.starts_with(&r.folder.path))
                        else {
                            continue;
                        };
                        let root_path = root.folder.path.clone();
                        if p.is_dir() {
                            // A new or moved-in folder: files may have landed before its watch did.
                            let arrived = matches!(
                                ev.kind,
                                EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
                            );
                            if arrived && p != &root_path {
                                st.rescan(p, &root_path, sink);
                            }
                        } else {
                            st.touch(p, &root_path);
                        }
                    }
                }
                Err(e) => {
                    log(&format!("watch error: {e}; rescanning"));
                    rescan_all = true;
                }
            }
        }
        if rescan_all {
            log("the event queue overflowed; rescanning every watched folder");
            for r in roots.iter().filter(|r| r.present) {
                let p = r.folder.path.clone();
                st.rescan(&p, &p, sink);
            }
        }
        let ready = st.settled(sink);
        if !ready.is_empty() {
            sink.import(ready);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names() {
        for n in [
            ".syncthing.IMG_1.JPG.tmp",
            "~syncthing~IMG_1.JPG.tmp",
            "a.part",
            "a.crdownload",
            "x.TMP",
            ".IMG_1.JPG.Xy12Ab",
            ".DS_Store",
        ] {
            assert!(is_temporary_name(n), "{n}");
        }
        for n in ["IMG_1.JPG", "PXL_20230102_123456789.mp4", "tmp.jpg"] {
            assert!(!is_temporary_name(n), "{n}");
        }
    }
}
