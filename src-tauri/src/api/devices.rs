//! Sync, devices and the cache of fetched originals.

use serde::Serialize;
use ts_rs::TS;

/// What one sync with one target did.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct TargetSync {
    pub target: String,
    pub ok: bool,
    /// Objects sent (originals, thumbnails, the snapshot).
    pub uploaded: u32,
    /// This device's edits and photos sent.
    pub pushed: u32,
    /// Other devices read.
    pub devices: u32,
    pub new_photos: u32,
    pub edits_applied: u32,
    /// What could not be taken in this time (tried again at the next sync).
    pub problems: Vec<String>,
    /// Photos of other devices placed under a safe name (theirs was one a disk here cannot
    /// hold, such as `aux.jpg`).
    pub renamed: Vec<String>,
    /// Why the whole target failed (unreachable, another store in its place…).
    pub error: Option<String>,
}

/// This device and the others of the library.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Devices {
    pub this_device: String,
    pub others: Vec<DeviceInfo>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DeviceInfo {
    pub device: String,
    pub name: Option<String>,
    pub last_seen: Option<String>,
    pub photos: u32,
    pub retired: bool,
}

/// The originals fetched from stores and kept on this computer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CacheInfo {
    pub files: u32,
    pub bytes: f64,
    pub max_bytes: f64,
}
