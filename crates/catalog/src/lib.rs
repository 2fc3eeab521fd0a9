//! The Shoebox catalog: one SQLite file that indexes the library's originals.
//!
//! ```no_run
//! let cat = shoebox_catalog::Catalog::open(std::path::Path::new("lib/.shoebox/catalog.db")).unwrap();
//! for asset in cat.list_assets().unwrap() {
//!     println!("{} {}", asset.taken_at(), asset.path);
//! }
//! ```
//!
//! The catalog never deletes or recreates a damaged database file: it reports it and stops.

mod assets;
mod changes;
mod error;
mod faces;
mod history;
mod looks;
mod migrations;
mod objects;
mod organise;
mod pending;
mod rows;
mod settings;
mod sidecars;
mod tidy;

pub use changes::{Applied, Change, FIELDS, Hlc, Op, Peer};
pub use error::{Error, Result};
pub use faces::{Edit, FaceRow, KnownFace, NewFace, Person, face_key};
pub use looks::{Look, LookBits};
pub use migrations::SCHEMA_VERSION;
pub use organise::{Album, Bucket, Parts, PlaceCell, Purge, StoreMark, View};
pub(crate) use rows::{ASSET_COLUMNS, asset_from_row, store_object_from_row};
pub use sidecars::SidecarDue;
pub use tidy::{SearchFilter, fts_query, is_keyword};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
pub use shoebox_layout::Hash;
use shoebox_types::{CaptureTime, Gps, Metadata, Place};
use std::path::{Path, PathBuf};

/// State of an asset's thumbnails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThumbState {
    /// Grid and preview thumbnails exist in `.shoebox/thumbs/`.
    Ok,
    /// No decoder for this file here (HEIC without libheif, video without ffmpeg): "no preview".
    Unsupported,
    /// Decoding failed; the original is kept.
    Failed,
}

impl ThumbState {
    fn as_str(self) -> &'static str {
        match self {
            ThumbState::Ok => "ok",
            ThumbState::Unsupported => "unsupported",
            ThumbState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "ok" => ThumbState::Ok,
            "unsupported" => ThumbState::Unsupported,
            _ => ThumbState::Failed,
        }
    }
}

/// One original in the library, as `shoebox ls --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    /// Hex BLAKE3 of the bytes: the identity.
    pub hash: Hash,
    /// Relative to the library, with `/`: `originals/2023/07/IMG_0042.JPG`.
    pub path: String,
    pub original_name: String,
    pub size: u64,
    #[serde(flatten)]
    pub meta: Metadata,
    pub imported_at: String,
    pub has_thumbnail: bool,
    pub thumb_state: ThumbState,
    pub favourite: bool,
    /// When it was moved to the trash; the original stays until the trash is emptied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trashed_at: Option<String>,
    /// The device that imported it, when not this one (its original is on the store until
    /// fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// A video that is the motion part of a Live Photo: the photo's hash. It is shown with the
    /// photo, not on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion_of: Option<String>,
    /// 0 (none) to 5 stars.
    #[serde(default)]
    pub rating: u8,
    /// Quarter turns clockwise shown on top of the file's own orientation (0, 90, 180, 270);
    /// the original is never changed.
    #[serde(default)]
    pub rotation: u16,
    /// The capture time the file gave, while a corrected one (`taken_at`) is in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at_original: Option<CaptureTime>,
    /// Keywords, sorted.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// While a corrected position (`gps`) is in use: the position the file gives (`Some(None)`:
    /// it gives none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps_original: Option<Option<Gps>>,
    /// Where it was taken, in words (from its GPS position and the offline gazetteer); null
    /// without a position or far from any town.
    #[serde(default)]
    pub place: Option<Place>,
}

impl Asset {
    pub fn taken_at(&self) -> CaptureTime {
        self.meta.taken_at
    }
}

/// What an import adds.
#[derive(Debug, Clone)]
pub struct NewAsset {
    pub hash: String,
    pub path: String,
    pub original_name: String,
    pub size: u64,
    pub meta: Metadata,
    pub thumb_state: ThumbState,
    pub source_path: Option<String>,
}

/// Counts for `shoebox status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub assets: u64,
    pub bytes: u64,
    pub photos: u64,
    pub videos: u64,
    pub thumbnails_missing: u64,
}

/// A finished import, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub started_at: String,
    pub finished_at: String,
    pub imported: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub rejected: u64,
}

/// A file placed in `originals/` whose catalog row may not be committed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub path: String,
    pub hash: String,
    pub original_name: String,
    pub source_path: Option<String>,
}

/// One object a target holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreObject {
    pub hash: String,
    /// `original`, or `thumb-<size>`.
    pub kind: String,
    pub key: String,
    pub size: u64,
    pub verified_at: Option<String>,
}

/// What the status panel shows for a target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreState {
    pub last_backup: Option<String>,
    pub last_result: Option<String>,
    pub last_verify: Option<String>,
    pub last_verify_ok: Option<bool>,
    pub last_error: Option<String>,
    /// Catalog fingerprint at the last snapshot uploaded.
    #[serde(skip)]
    pub snapshot_mark: Option<String>,
    /// Catalog fingerprint and thumbnail sizes when a backup last left nothing behind.
    #[serde(skip)]
    pub complete_mark: Option<String>,
}

/// What a watch folder did with one file version.
#[derive(Debug, Clone)]
pub struct WatchSeen {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// `imported`, `duplicate`, `skipped` or `rejected`.
    pub outcome: String,
    pub reason: Option<String>,
}

/// A connection to the catalog. Use one writer per library; readers may open more.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
}

fn damaged_or(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::Damaged {
                path: path.to_owned(),
                detail: e.to_string(),
            }
        }
        _ => Error::Sqlite {
            path: path.to_owned(),
            source: e,
        },
    }
}

/// Now, in UTC, RFC 3339 with seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The views and triggers of a catalog: (type, name, SQL).
fn schema_objects(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    Ok(conn
        .prepare(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_schema \
             WHERE type IN ('view', 'trigger') ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?)
}
