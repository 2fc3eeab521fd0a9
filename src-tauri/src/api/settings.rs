//! The library, its settings and watch folders, and what a restored snapshot offers.

use super::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct LibraryInfo {
    /// The library folder.
    pub root: String,
    pub assets: u32,
    pub bytes: f64,
    pub photos: u32,
    pub videos: u32,
    /// Whether HEIC photos get previews on this machine.
    pub heic_previews: bool,
    /// Whether videos get poster frames (ffmpeg found).
    pub video_posters: bool,
    pub grid_size: u32,
    pub preview_size: u32,
    pub targets: Vec<TargetInfo>,
    /// Folders imported from automatically while the app runs.
    pub watch_folders: Vec<WatchFolder>,
    /// What the reconcile on open did, when it found leftovers of an interrupted import.
    pub recovered: Option<String>,
    /// Automatic backups: `1h`, `off`…, and when each target's jobs run next.
    pub backup_every: String,
    pub schedule: Vec<ScheduleInfo>,
}

/// The editable library settings.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct LibrarySettings {
    pub allowed_extensions: Vec<String>,
    pub max_file_size: f64,
    /// Most bytes of originals fetched from stores kept on this computer.
    pub cache_max_size: f64,
    /// Periods of the automatic backups and verifies: `1h`, `7d`, `off`.
    pub backup_every: String,
    pub verify_every: String,
    pub deep_verify_every: String,
}

/// What the watch-folder thread reports (the `watch` event).
#[derive(Debug, Clone, Serialize, TS)]
pub struct WatchEvent {
    pub message: String,
    /// Photos this message says were imported (the timeline reloads when non-zero).
    pub imported: u32,
    pub error: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct WatchFolder {
    pub path: String,
    /// Polled instead of relying on file system events (network shares).
    pub poll: bool,
}

/// Settings a restored snapshot named that this library has not taken (its other targets, its
/// watch folders): whoever could write to the store chose them, so the person decides.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OfferedSettings {
    pub targets: Vec<OfferedTarget>,
    pub watch_folders: Vec<WatchFolder>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct OfferedTarget {
    pub name: String,
    /// Human description: the folder, `s3://bucket at endpoint`, the URL.
    pub location: String,
}
