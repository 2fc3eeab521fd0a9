//! The timeline's views and what it shows of photos.

use serde::{Deserialize, Serialize};
use shoebox_engine as engine;
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
    /// The photos a person is in.
    Person {
        person: i32,
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
            View::Person { person } => engine::View::Person(person.into()),
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

/// A month of the timeline and how many photos it holds: the engine's own.
pub use engine::Bucket;

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
            hash: a.hash.clone().to_string(),
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

#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupState {
    pub target: String,
    /// The original's key on the store, when it is there.
    pub key: Option<String>,
    pub uploaded_at: Option<String>,
    pub verified_at: Option<String>,
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

/// A town of the gazetteer, for setting a photo's place by name.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Town {
    /// "Paris, Ile-de-France, France".
    pub name: String,
    pub lat: f64,
    pub lon: f64,
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
