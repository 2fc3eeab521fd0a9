//! Imports photos and videos into a Shoebox library: scan, hash, place originals, dedup, report.
//!
//! ```no_run
//! use shoebox_import::{ImportOptions, LibraryPaths, run_import};
//! use std::sync::atomic::AtomicBool;
//! let lib = LibraryPaths::new("/home/me/Pictures/Shoebox".into());
//! let mut cat = shoebox_catalog::Catalog::open(&lib.catalog()).unwrap();
//! let report = run_import(&["/media/card/DCIM".into()], &lib, &mut cat,
//!     &ImportOptions::default(), &|_| {}, &AtomicBool::new(false)).unwrap();
//! println!("{} imported, {} duplicates", report.imported.len(), report.duplicates.len());
//! ```
//!
//! Crash safety: an original is written to `.shoebox/tmp`, fsynced, recorded in the catalog's
//! `pending` journal, renamed into `originals/`, its directory fsynced, and only then committed
//! as an asset. [`reconcile`] finishes or undoes whatever a crash interrupted.

mod error;
mod place;
mod run;
mod scan;
pub mod takeout;

pub use error::{Error, Result};
pub use place::{ReconcileReport, reconcile};
pub use run::run_import;
pub(crate) use run::{Candidate, Outcome, new_asset, thumb_state_of};
pub use shoebox_layout::{
    Hash, LibraryPaths, RelPath, create_dir_durable, sync_dir, write_atomic_cache,
};
pub use shoebox_types::Throttle;

use serde::Serialize;
use shoebox_media::Thumbnailer;
use std::path::Path;

/// What an import may take and how it works.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Lower-case extensions without the dot.
    pub allowed_extensions: Vec<String>,
    /// Larger files are skipped.
    pub max_file_size: u64,
    pub thumbnailer: Thumbnailer,
    /// Decode and resize threads; 0 means one per core.
    pub threads: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            allowed_extensions: shoebox_media::DEFAULT_EXTENSIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            max_file_size: 20 << 30,
            thumbnailer: Thumbnailer::default(),
            threads: 0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// Where it came from.
    pub source: String,
    /// Where it is now, relative to the library.
    pub path: String,
    pub hash: String,
    pub size: u64,
    pub has_thumbnail: bool,
    /// Why there is no thumbnail, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    pub path: String,
    /// The asset already in the library with the same bytes.
    pub existing: String,
    pub hash: String,
    pub reason: String,
}

/// A file not looked at because of a rule (extension, size, hidden).
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A file that could not be imported, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub imported: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub bytes_imported: u64,
}

/// The outcome of an import: every file looked at is in exactly one list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub imported: Vec<Imported>,
    pub duplicates: Vec<Duplicate>,
    pub skipped: Vec<Skipped>,
    pub rejected: Vec<Rejected>,
    pub counts: Counts,
    /// True when the import was cancelled before every file was looked at.
    pub cancelled: bool,
    /// When the sources were (or held) a Google Takeout export: what its sidecars gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub takeout: Option<takeout::TakeoutReport>,
    /// What the library does with the Takeout's photos after the import (favourites, trash,
    /// albums, kept sidecars): the engine applies these, so other devices hear of them.
    #[serde(skip)]
    pub takeout_actions: Vec<takeout::TakeoutAction>,
    /// Live Photos made (a photo and its short video with the same name, now one).
    pub live_photos: u64,
    /// RAW+JPEG pairs made (a camera RAW and the JPEG beside it with the same name, now one
    /// tile showing the JPEG).
    #[serde(default)]
    pub raw_pairs: u64,
    /// XMP sidecars (`IMG.JPG.xmp`, `IMG.xmp`) whose rating, keywords and caption were given
    /// to their photos.
    #[serde(default)]
    pub xmp_sidecars: u64,
    pub started_at: String,
    pub finished_at: String,
}

impl ImportReport {
    fn finish(&mut self) {
        self.counts = Counts {
            imported: self.imported.len() as u64,
            duplicates: self.duplicates.len() as u64,
            skipped: self.skipped.len() as u64,
            rejected: self.rejected.len() as u64,
            bytes_imported: self.imported.iter().map(|i| i.size).sum(),
        };
        self.finished_at = shoebox_catalog::now();
    }
}

/// Hex BLAKE3 of a file, streamed.
pub fn hash_file(path: &Path) -> Result<String> {
    Ok(shoebox_layout::hash_file(path)?.into_string())
}
