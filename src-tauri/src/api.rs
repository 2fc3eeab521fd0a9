//! The types that cross the IPC boundary. TypeScript declarations are generated from these
//! (see `bindings.rs`) into `ui/src/lib/bindings.ts`; a test fails when that file is stale.

use serde::{Deserialize, Serialize};
use shoebox_engine as engine;
use std::collections::BTreeMap;
use ts_rs::TS;

/// Which photos the timeline shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    All,
    Favourites,
    Album {
        album: i32,
    },
    Trash,
    /// What the search box finds.
    Search(Search),
    /// Photos taken inside an area of the map (a cluster of the Places view), in degrees.
    Area {
        south: f64,
        west: f64,
        north: f64,
        east: f64,
    },
}

/// What the search box asks for: words (file name, camera, caption, albums, keywords, dates
/// such as "2019", "july 2019", "2019-07-14") and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Search {
    pub query: String,
    /// `photo` or `video`.
    pub media: Option<String>,
    pub favourites: bool,
    /// At least this many stars (0: any).
    pub min_rating: u8,
    pub has_place: bool,
    pub camera: Option<String>,
}

impl From<View> for engine::View {
    fn from(v: View) -> Self {
        match v {
            View::All => engine::View::All,
            View::Favourites => engine::View::Favourites,
            View::Album { album } => engine::View::Album(album.into()),
            View::Trash => engine::View::Trash,
            View::Search(s) => engine::View::Search(
                s.query,
                engine::SearchFilter {
                    kind: s.media.filter(|m| m == "photo" || m == "video"),
                    favourites: s.favourites,
                    min_rating: s.min_rating.min(5),
                    has_place: s.has_place,
                    camera: s.camera.filter(|c| !c.trim().is_empty()),
                    trash: false,
                },
            ),
            View::Area {
                south,
                west,
                north,
                east,
            } => {
                let micro = |d: f64| (d.clamp(-180.0, 180.0) * 1e6).round() as i64;
                engine::View::Area([micro(south), micro(west), micro(north), micro(east)])
            }
        }
    }
}

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

/// When one target is backed up and verified next on its own (times RFC 3339, UTC).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduleInfo {
    pub target: String,
    /// False until the target has been backed up once by hand.
    pub active: bool,
    pub next_backup: Option<String>,
    pub next_verify: Option<String>,
    pub next_deep_verify: Option<String>,
    pub last_deep_verify: Option<String>,
}

/// A scheduled job that is due: `backup` (and sync), `verify`, `deep_verify`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduledJob {
    pub target: String,
    pub job: String,
}

/// A scheduled job that ran.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ScheduledRun {
    pub target: String,
    pub job: String,
    pub ok: bool,
    pub message: String,
}

/// A backup target with its figures, as the status panel and the settings show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TargetInfo {
    pub name: String,
    /// `fs`, `s3`, `webdav`, or another OpenDAL scheme.
    pub scheme: String,
    /// Human description: the folder, `s3://bucket at endpoint`, the URL.
    pub location: String,
    pub enabled: bool,
    /// Options without secrets.
    pub options: BTreeMap<String, String>,
    /// Names of the secrets it has (never their values).
    pub secrets: Vec<String>,
    pub objects: u32,
    pub bytes: f64,
    pub pending_uploads: u32,
    pub last_backup: Option<String>,
    pub last_result: Option<String>,
    pub last_verify: Option<String>,
    pub last_verify_ok: Option<bool>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Bucket {
    /// `YYYY-MM`.
    pub month: String,
    pub count: u32,
}

/// One tile of the grid.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Item {
    pub hash: String,
    pub name: String,
    /// Local capture time, `YYYY-MM-DDTHH:MM:SS.mmm` (sortable).
    pub taken: String,
    /// Display size (orientation applied); 0 when unknown.
    pub w: u32,
    pub h: u32,
    pub video: bool,
    pub duration_ms: Option<u32>,
    pub favourite: bool,
    /// A thumbnail exists (else the tile says why not).
    pub thumb: bool,
    /// Its original is not on this computer (another device's photo, not fetched): the tile
    /// shows a cloud.
    pub remote: bool,
    /// A Live Photo or a Motion Photo: it has a motion part (a video of its own, or inside it).
    pub live: bool,
    /// A RAW+JPEG pair: the camera RAW is kept with the JPEG shown.
    pub raw: bool,
    /// 0–5 stars.
    pub rating: u8,
    /// Quarter turns clockwise to show it with (0, 90, 180, 270); `w`/`h` already swapped.
    pub rotation: u16,
}

/// The camera RAW kept with a RAW+JPEG pair's JPEG.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RawPart {
    pub hash: String,
    pub name: String,
    /// Bytes.
    pub size: f64,
}

impl From<&engine::Asset> for Item {
    fn from(a: &engine::Asset) -> Self {
        let (w, h) = (a.meta.width.unwrap_or(0), a.meta.height.unwrap_or(0));
        let (w, h) = if a.rotation % 180 == 90 {
            (h, w)
        } else {
            (w, h)
        };
        Item {
            hash: a.hash.clone(),
            name: a.original_name.clone(),
            taken: a.taken_at().local_key(),
            w,
            h,
            video: a.meta.kind == engine::Kind::Video,
            duration_ms: a.meta.duration_ms.map(|d| d.min(u32::MAX as u64) as u32),
            favourite: a.favourite,
            thumb: a.has_thumbnail,
            remote: false,
            live: false,
            raw: false,
            rating: a.rating,
            rotation: a.rotation,
        }
    }
}

/// One of a group of photos that look alike, with what tells them apart.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SimilarPhoto {
    pub item: Item,
    pub size: f64,
    pub path: String,
    /// Make and model.
    pub camera: Option<String>,
    pub place: Option<String>,
    /// How much it carries besides its pixels (camera date, position, camera, caption,
    /// favourite, rating, keywords, albums): 0 to 8.
    pub metadata: u8,
}

/// Photos that look alike; the one to keep first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SimilarGroup {
    /// 0 to 1: the share of the look the two least alike photos have in common.
    pub similarity: f32,
    pub keep: String,
    pub photos: Vec<SimilarPhoto>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct MonthItems {
    pub month: String,
    pub items: Vec<Item>,
}

/// Everything the info panel shows about one asset.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AssetInfo {
    pub hash: String,
    /// Relative to the library.
    pub path: String,
    pub name: String,
    pub size: f64,
    pub kind: String,
    pub mime: String,
    /// RFC 3339 when the offset is known, else local time.
    pub taken: String,
    /// `exif`, `exif_other`, `container`, `filename`, `mtime` or `takeout`.
    pub taken_source: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub lens: Option<String>,
    pub iso: Option<u32>,
    pub exposure_time: Option<f64>,
    pub f_number: Option<f64>,
    pub focal_length_mm: Option<f64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub alt: Option<f64>,
    pub duration_ms: Option<u32>,
    pub description: Option<String>,
    pub imported_at: String,
    pub favourite: bool,
    pub trashed: bool,
    pub thumb: bool,
    /// Albums it is in.
    pub albums: Vec<i32>,
    /// One line per configured target.
    pub backups: Vec<BackupState>,
    /// Its original is only on a store (fetch it with `fetch_original`).
    pub remote: bool,
    /// The device that imported it, when not this one (its name when known).
    pub device: Option<String>,
    /// A Live Photo's video, by hash (served by the `original:` scheme once here).
    pub motion: Option<String>,
    /// A Motion Photo: its video is inside the file (served as `original://…/<hash>/motion`).
    pub motion_embedded: bool,
    /// A RAW+JPEG pair's camera RAW: its file name and size.
    pub raw: Option<RawPart>,
    /// In the trash because another device put it there: that device.
    pub trashed_by: Option<String>,
    pub rating: u8,
    pub rotation: u16,
    pub keywords: Vec<String>,
    /// The date the file gives, when a corrected one (`taken`) is in use.
    pub taken_original: Option<String>,
    /// Where it was taken, in words ("Trastevere, Lazio, Italy"), from the offline gazetteer.
    pub place: Option<String>,
    /// The position was set by hand: what the file gives ("none" when it gives none).
    pub place_original: Option<String>,
}

/// A cluster of photos on the Places map.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlaceCell {
    pub lat: f64,
    pub lon: f64,
    pub count: u32,
    /// The newest photo's hash, for a thumbnail.
    pub cover: String,
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

/// What an export did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportSummary {
    pub exported: u32,
    pub bytes: f64,
    /// Photos not exported, with why (by hash).
    pub failed: Vec<FileProblem>,
    pub cancelled: bool,
}

/// A town of the gazetteer, for setting a photo's place by name.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Town {
    /// "Paris, Ile-de-France, France".
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

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

#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupState {
    pub target: String,
    /// The original's key on the store, when it is there.
    pub key: Option<String>,
    pub uploaded_at: Option<String>,
    pub verified_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Album {
    pub id: i32,
    pub name: String,
    pub count: u32,
    pub cover: Option<String>,
    /// Its originals are kept on this computer.
    pub pinned: bool,
}

/// What keeping an album on this computer would bring here: its originals that are on the
/// store only.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AlbumSpace {
    pub originals: u32,
    pub bytes: f64,
}

/// What keeping an album on this computer fetched.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PinResult {
    pub fetched: u32,
    pub bytes: f64,
    /// Originals that could not be fetched now (the store offline…); tried again at each sync.
    pub failed: Vec<FileProblem>,
}

impl From<engine::Album> for Album {
    fn from(a: engine::Album) -> Self {
        Album {
            id: a.id as i32,
            name: a.name,
            count: a.count as u32,
            cover: a.cover,
            pinned: a.pinned,
        }
    }
}

/// What a long job streams over its channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobEvent {
    Progress {
        phase: String,
        done: f64,
        total: f64,
        bytes_done: f64,
        bytes_total: f64,
        current: Option<String>,
        errors: f64,
    },
    /// Another import or backup holds the library; this one starts when it ends.
    Waiting { message: String },
}

impl From<&engine::Progress> for JobEvent {
    fn from(p: &engine::Progress) -> Self {
        JobEvent::Progress {
            phase: p.phase.clone(),
            done: p.done as f64,
            total: p.total as f64,
            bytes_done: p.bytes_done as f64,
            bytes_total: p.bytes_total as f64,
            current: p.current.clone(),
            errors: p.errors as f64,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FileProblem {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub imported: u32,
    pub bytes: f64,
    pub duplicates: Vec<FileProblem>,
    pub skipped: Vec<FileProblem>,
    pub rejected: Vec<FileProblem>,
    pub cancelled: bool,
    /// When the import was a Google Takeout export: what its sidecars gave.
    pub takeout: Option<TakeoutSummary>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TakeoutSummary {
    /// Photo sidecars found, and photos matched with one.
    pub sidecars: u32,
    pub matched: u32,
    /// Photos without a sidecar, and why.
    pub without_sidecar: Vec<FileProblem>,
    /// Albums rebuilt from album folders.
    pub albums: Vec<String>,
    pub favourites: u32,
    /// Photos Google had in its trash, now in Shoebox's.
    pub trashed: u32,
    pub dates_from_sidecar: u32,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct TargetBackup {
    pub target: String,
    pub ok: bool,
    /// Stopped by the user; what finished is recorded.
    pub cancelled: bool,
    /// Objects written (originals, thumbnails, the snapshot).
    pub uploaded: u32,
    /// Of those, originals: the photos and videos newly safe on this target.
    pub photos: u32,
    pub already_there: u32,
    pub renamed: u32,
    pub bytes: f64,
    pub failed: Vec<FileProblem>,
    /// Why the whole target failed (unreachable, credentials...).
    pub error: Option<String>,
    pub snapshot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct TargetVerify {
    pub target: String,
    pub ok: bool,
    pub objects: u32,
    pub read_back: u32,
    pub originals_checked: u32,
    pub problems: Vec<FileProblem>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EmptyTrash {
    pub deleted: u32,
    pub bytes: f64,
    pub failed: Vec<FileProblem>,
}

/// A target as the settings form edits it. Secrets are written to the keychain and never read
/// back; leave one empty to keep the stored value.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct TargetForm {
    pub name: String,
    pub scheme: String,
    pub options: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TargetTest {
    /// `ok`, `unreachable`, `tls`, `credentials`, `missing`, `read_only` or `error`.
    pub status: String,
    pub message: String,
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

/// The originals fetched from stores and kept on this computer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CacheInfo {
    pub files: u32,
    pub bytes: f64,
    pub max_bytes: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SavedTarget {
    /// Where the secrets went: the OS keychain, or a 0600 file and why.
    pub secrets_in: Option<String>,
    /// A new encrypted target's recovery code (its password), shown once.
    pub recovery_code: Option<String>,
    /// The `rclone.conf` lines that read the encrypted store without Shoebox.
    pub rclone_config: Option<String>,
}

/// What changing an encrypted target's password did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PasswordChange {
    /// Objects written under the new password this time.
    pub copied: u32,
    /// Objects that had their copy from an earlier, stopped run.
    pub already: u32,
    /// Objects of the old password removed.
    pub deleted: u32,
    /// Bytes re-encrypted.
    pub bytes: f64,
    /// The new password is in force on the store.
    pub switched: bool,
    /// Stopped; *Change password* again goes on.
    pub cancelled: bool,
    /// The new recovery code Shoebox made, once in force (shown once).
    pub recovery_code: Option<String>,
    /// The `rclone.conf` lines for the new password.
    pub rclone_config: Option<String>,
}

/// What the watch-folder thread reports (the `watch` event).
#[derive(Debug, Clone, Serialize, TS)]
pub struct WatchEvent {
    pub message: String,
    /// Photos this message says were imported (the timeline reloads when non-zero).
    pub imported: u32,
    pub error: bool,
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

#[derive(Debug, Clone, Serialize, TS)]
pub struct WatchFolder {
    pub path: String,
    /// Polled instead of relying on file system events (network shares).
    pub poll: bool,
}

/// What kind of failure a command met, so the UI can tell "store unreachable" from
/// "credentials" from "disk full" without reading the text: the engine's own.
pub use engine::ErrorKind;

/// Every command's error: a kind to act on and a sentence a person can read.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn other(message: impl std::fmt::Display) -> Self {
        AppError {
            kind: ErrorKind::Other,
            message: message.to_string(),
        }
    }
    pub fn busy(message: impl Into<String>) -> Self {
        AppError {
            kind: ErrorKind::Busy,
            message: message.into(),
        }
    }
}

impl From<engine::Error> for AppError {
    fn from(e: engine::Error) -> Self {
        let kind = e.kind();
        AppError {
            kind,
            message: e.to_string(),
        }
    }
}
