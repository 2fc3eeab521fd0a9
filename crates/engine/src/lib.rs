//! The facade that the `shoebox` CLI and the desktop app both drive: [`Library`], one open
//! library, with one module per feature, each holding the part of `impl Library` it owns.
//!
//! ```no_run
//! use shoebox_engine::Library;
//! let mut lib = Library::open(&Library::default_root().unwrap()).unwrap();
//! let report = lib.import(&["/media/card/DCIM".into()], &|p| eprintln!("{}/{}", p.done, p.total),
//!     &Default::default(), &|| eprintln!("waiting for another import")).unwrap();
//! println!("{} new photos", report.counts.imported);
//! ```
//!
//! Where each feature lives (docs/ARCHITECTURE.md maps them to the app's commands and UI):
//!
//! | feature | module |
//! |---|---|
//! | opening a library, its lock, settings, status, check | this file, [`settings`](Settings), `check` |
//! | import, XMP sidecars, RAW+JPEG pairs, Takeout, inspect | `import` |
//! | timeline, map cells, list/show, a photo's parts | `views` |
//! | favourites, captions, trash, albums | `organise` |
//! | dates, places, rotation (tidy edits) | `tidy`, [`places`] |
//! | look-alikes and duplicates | `similar` |
//! | export | `export` |
//! | targets: configuration, identity check, status | `target_config` |
//! | encrypted targets: recovery codes, rclone.conf, password change | `password` |
//! | target secrets (keychain, file) | `secrets` |
//! | backup | `backup` |
//! | verify and repair | `verify` |
//! | restore, and the settings a snapshot offers | `restore` |
//! | prune | `prune` |
//! | sync across computers | [`sync`] |
//! | this device: id, recorded edits, other devices, retire | `devices` |
//! | originals on a store: fetch, cache, pinned albums | `cache` |
//! | schedule (backups and verifies while the app or service runs) | [`schedule`] |
//! | watch folders | `watch` |
//! | store fault injection for tests | [`faults`] |

mod backup;
mod cache;
mod check;
mod devices;
mod error;
mod export;
mod faces;
mod import;
pub mod logging;
mod organise;
mod password;
pub mod places;
mod prune;
mod restore;
pub mod schedule;
mod secrets;
mod settings;
mod share;
mod similar;
pub mod sync;
mod target_config;
mod tidy;
mod verify;
mod views;
mod watch;

pub use cache::{CacheReport, Fetched, PinFetch};
pub use check::{CheckReport, Problem};
pub use error::{Error, ErrorKind, Result};
pub use export::{ExportReport, Exported, export_meta};
pub use faces::{FacesReport, face_models};
pub use import::Inspected;
pub use organise::EmptyTrashReport;
pub use password::{make_recovery_code, new_recovery_code, rclone_config, rclone_obscure};
pub use prune::PruneReport;
pub use restore::{OfferedSettings, Restored, restore};
pub use schedule::{Job, Ran, ScheduleEvent, Scheduler, TargetSchedule, run_schedule};
pub use settings::{Settings, WatchFolderSetting};
pub use share::{MAX_SIGNED_DAYS, Share, ShareOptions, ShareReport, password_key};
pub use shoebox_catalog::{
    Album, Asset, Bucket, Counts, FaceRow, ImportRecord, Parts, Person, PlaceCell, SearchFilter,
    StoreMark, ThumbState, View,
};
pub use shoebox_import::{ImportReport, LibraryPaths, ReconcileReport};
pub use shoebox_layout::{Hash, RelPath};
pub use shoebox_media::motion::motion_length;
pub use shoebox_media::quiet_decoder_panics;
pub use shoebox_media::{ffmpeg_available, heic_supported};
pub use shoebox_store::faults;
pub use shoebox_store::{
    BackupReport, RestoreReport, Target, TestReport, VerifyOptions, VerifyReport,
};
pub use shoebox_types::{CaptureTime, Kind, Metadata, Progress};
pub use similar::{SimilarGroup, metadata_score};
pub use sync::{SyncReport, wall_ms};
pub use target_config::{
    PerTarget, TargetFailed, TargetStatus, adhoc_target, default_backup_dir, target_of,
};
pub use tidy::{DateFix, PlaceFix, Turn};
pub use watch::WatchEvent;

use error::io;
use serde::Serialize;
use shoebox_catalog::Catalog;
use shoebox_media::{Limits, Thumbnailer};
use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

/// An open library: its folders, its catalog and its settings.
pub struct Library {
    paths: LibraryPaths,
    catalog: Catalog,
    settings: Settings,
    /// What the reconcile on open did, when it could run.
    reconciled: Option<ReconcileReport>,
    /// This library's wall clock, when not the computer's (see [`Library::set_clock`]).
    clock: Option<Clock>,
}

/// A wall clock in milliseconds since the Unix epoch.
pub type Clock = std::sync::Arc<dyn Fn() -> u64 + Send + Sync>;

/// What `shoebox status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub library: String,
    pub schema_version: i64,
    pub assets: u64,
    pub bytes: u64,
    pub by_kind: ByKind,
    pub thumbnails_missing: u64,
    pub last_import: Option<ImportRecord>,
    pub settings: Settings,
    pub heic_previews: bool,
    pub video_posters: bool,
    pub targets: Vec<TargetStatus>,
    /// When each enabled target is backed up and verified next (see [`schedule`]).
    pub schedule: Vec<TargetSchedule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ByKind {
    pub photo: u64,
    pub video: u64,
}

/// The exclusive write lock of a library (`.shoebox/lock`), released on drop.
pub struct WriteLock {
    _file: File,
}

impl Library {
    /// `SHOEBOX_LIBRARY`, else the platform's pictures folder + `Shoebox`.
    pub fn default_root() -> Result<PathBuf> {
        if let Some(p) = std::env::var_os("SHOEBOX_LIBRARY").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        dirs::picture_dir()
            .or_else(|| dirs::home_dir().map(|h| h.join("Pictures")))
            .map(|p| p.join("Shoebox"))
            .ok_or(Error::NoDefaultLibrary)
    }

    /// Opens the library at `root`, creating it on first use, and reconciles what an interrupted
    /// import left behind when no other process is writing.
    pub fn open(root: &Path) -> Result<Library> {
        let root = std::path::absolute(root).map_err(io(root))?;
        let paths = LibraryPaths::new(root);
        for d in [
            paths.meta_dir(),
            paths.originals(),
            paths.tmp(),
            paths.thumbs(),
        ] {
            shoebox_import::create_dir_durable(&d)?;
        }
        let catalog = Catalog::open(&paths.catalog())?;
        let settings = settings::stored(&catalog)?;
        let mut lib = Library {
            paths,
            catalog,
            settings,
            reconciled: None,
            clock: None,
        };
        if let Some(_lock) = lib.try_write_lock()? {
            let t = lib.thumbnailer();
            lib.reconciled = Some(shoebox_import::reconcile(&lib.paths, &mut lib.catalog, &t)?);
        }
        // A library from before places (or one whose import was cut short): named once.
        lib.name_places();
        Ok(lib)
    }

    pub fn root(&self) -> &Path {
        &self.paths.root
    }

    /// Gives this library a wall clock of its own (the simulation of several devices in one
    /// process gives each a skewed one); by default it reads the computer's ([`sync::wall_ms`]).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = Some(clock);
    }

    /// Now, in milliseconds, by this library's wall clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.as_ref().map_or_else(sync::wall_ms, |c| c())
    }

    pub fn paths(&self) -> &LibraryPaths {
        &self.paths
    }

    pub fn reconciled(&self) -> Option<&ReconcileReport> {
        self.reconciled.as_ref()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn save_settings(&mut self, s: Settings) -> Result<()> {
        let s = s.validated()?;
        let json = serde_json::to_string(&s).map_err(|e| Error::Setting(e.to_string()))?;
        self.catalog.set_setting(Settings::KEY, &json)?;
        self.settings = s;
        Ok(())
    }

    fn lock_file(&self) -> Result<File> {
        let p = self.paths.meta_dir().join("lock");
        fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(io(p))
    }

    /// The write lock if it is free now.
    pub fn try_write_lock(&self) -> Result<Option<WriteLock>> {
        let f = self.lock_file()?;
        match f.try_lock() {
            Ok(()) => Ok(Some(WriteLock { _file: f })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(io(self.paths.meta_dir().join("lock"))(e)),
        }
    }

    /// The write lock, waiting for another writer to finish; `waiting` is called once if so.
    pub fn write_lock(&self, waiting: &dyn Fn()) -> Result<WriteLock> {
        if let Some(l) = self.try_write_lock()? {
            return Ok(l);
        }
        waiting();
        let f = self.lock_file()?;
        f.lock().map_err(io(self.paths.meta_dir().join("lock")))?;
        Ok(WriteLock { _file: f })
    }

    fn thumbnailer(&self) -> Thumbnailer {
        Thumbnailer {
            sizes: vec![self.settings.grid_size, self.settings.preview_size],
            limits: Limits::default(),
            quality: 82,
            turn: 0,
        }
    }

    pub fn status(&self) -> Result<Status> {
        let c = self.catalog.counts()?;
        let targets = self.target_status()?;
        // The schedule needs what each target lacks: counted once, for both.
        let schedule = self.schedule_with(chrono::Utc::now(), &|name| {
            targets
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.pending_uploads)
        })?;
        Ok(Status {
            library: self.paths.root.display().to_string(),
            schema_version: self.catalog.schema_version()?,
            assets: c.assets,
            bytes: c.bytes,
            by_kind: ByKind {
                photo: c.photos,
                video: c.videos,
            },
            thumbnails_missing: c.thumbnails_missing,
            last_import: self.catalog.last_import()?,
            settings: self.settings.clone(),
            heic_previews: heic_supported(),
            video_posters: ffmpeg_available(),
            targets,
            schedule,
        })
    }

    /// Re-hashes every original against the catalog; see [`CheckReport`]. Never deletes.
    pub fn check(&self, progress: &dyn Fn(&Progress)) -> Result<CheckReport> {
        check::check(&self.paths, &self.catalog, progress)
    }
}
