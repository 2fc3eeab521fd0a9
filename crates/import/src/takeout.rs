//! Google Takeout: the export's `.zip`/`.tgz` parts unpacked safely, and its JSON sidecars
//! matched to the photos they describe.
//!
//! A sidecar belongs to a photo in the same folder (relative to its part, so a photo and its
//! sidecar may come in different parts). Google names it after the photo's original name
//! (`IMG.jpg.json`, since 2024 `IMG.jpg.supplemental-metadata.json`), cuts that name at 46
//! characters (`…supplemen.json`, `…supp.json`, `IMG_verylong…jp.json`), and puts the number of
//! a duplicate name after the extension (`IMG(1).jpg` ↔ `IMG.jpg(1).json` ↔
//! `IMG.jpg.supplemental-metadata(1).json`). An edited copy (`IMG-edited.jpg`, `-bearbeitet`,
//! `-modifié`, …) shares its original's sidecar. JSON is classified by content: a photo's has
//! `photoTakenTime`; an album's has a `title` and no `photoTakenTime`.

mod archive;
mod merge;

use crate::scan::describe_io;
pub use archive::{is_archive, unpack};
pub(crate) use merge::merge_copies;
pub use merge::{SidecarConflict, same_place, show_place, show_time};
use serde::Serialize;
use shoebox_types::{CaptureTime, Gps, Metadata, TimeSource};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// Largest JSON read as a sidecar (real ones are a few KB).
const SIDECAR_MAX: u64 = 4 << 20;
/// Google cuts a sidecar's name (before `.json` and the duplicate number) at this length.
const CUT_AT: usize = 46;

/// Suffixes Google Photos gives edited copies, in the languages seen in exports.
const EDITED: &[&str] = &[
    "-edited",
    "-bearbeitet",
    "-modifié",
    "-editado",
    "-editada",
    "-modificato",
    "-bewerkt",
    "-redigeret",
    "-redigert",
    "-redigerad",
    "-muokattu",
    "-edytowane",
    "-upravené",
    "-upraveno",
    "-szerkesztett",
    "-編集済み",
    "-已编辑",
    "-已編輯",
    "-편집됨",
    "-измененный",
    "-düzenlendi",
];

/// What a photo's sidecar says that Shoebox uses.
#[derive(Debug, Clone, Default)]
pub struct Sidecar {
    /// The sidecar file, for reports.
    pub path: PathBuf,
    /// `photoTakenTime.timestamp`, seconds since 1970 (UTC).
    pub taken: Option<i64>,
    pub gps: Option<Gps>,
    pub description: Option<String>,
    pub favourite: bool,
    pub archived: bool,
    pub trashed: bool,
    /// Names of the people Google recognised.
    pub people: Vec<String>,
    /// The sidecar as it was, kept with the photo.
    pub raw: String,
}

/// The Takeout part of an import report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TakeoutReport {
    /// Archives unpacked (`.zip`, `.tgz` parts).
    pub archives: Vec<String>,
    /// Photo sidecars found.
    pub sidecars: u64,
    /// Photos and videos matched with a sidecar.
    pub matched: u64,
    /// Photos and videos without one, and why.
    pub without_sidecar: Vec<crate::Skipped>,
    /// Sidecars that no photo of the import took.
    pub unmatched_sidecars: Vec<String>,
    /// JSON files that are neither a photo's nor an album's sidecar, or could not be read.
    pub other_json: Vec<crate::Skipped>,
    /// Albums rebuilt from album folders, with how many photos each got.
    pub albums: Vec<AlbumRebuilt>,
    pub favourites: u64,
    /// Photos Google had in its trash: they go to Shoebox's trash, not the timeline.
    pub trashed: u64,
    /// Photos Google had archived: imported into the timeline (Shoebox has no archive), the
    /// mark kept in their sidecar.
    pub archived: u64,
    /// Photos whose capture time came from the sidecar.
    pub dates_from_sidecar: u64,
    /// Photos whose place came from the sidecar.
    pub places_from_sidecar: u64,
    /// Copies of one photo (its year folder, each album it is in, an earlier import) whose
    /// sidecars gave different real values, and which value was kept.
    pub sidecar_conflicts: Vec<SidecarConflict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlbumRebuilt {
    pub name: String,
    pub photos: u64,
}

/// What the engine does with an imported (or already present) photo of a Takeout, after the
/// import: its favourite, trash, album and the kept sidecar.
#[derive(Debug, Clone)]
pub struct TakeoutAction {
    pub hash: String,
    /// Newly imported by this run (favourite, trash and the sidecar apply only then: a second
    /// import of the same export changes nothing).
    pub new: bool,
    pub favourite: bool,
    pub trashed: bool,
    pub album: Option<String>,
    pub sidecar: Option<Arc<Sidecar>>,
}

/// A sidecar's name, taken apart.
#[derive(Debug, Clone)]
struct SidecarName {
    /// Before the duplicate number and `.json`, NFC.
    base: String,
    counter: Option<u32>,
    /// The `title` inside (the photo's name at Google), NFC.
    title: Option<String>,
    data: Arc<Sidecar>,
}

/// Every sidecar of an import, by folder (relative to its part or source).
#[derive(Default)]
pub(crate) struct Index {
    photos: HashMap<PathBuf, Vec<SidecarName>>,
    albums: HashMap<PathBuf, String>,
    used: std::collections::HashSet<PathBuf>,
    roots: Vec<PathBuf>,
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// `name(3)` → (`name`, 3).
fn split_counter(s: &str) -> (&str, Option<u32>) {
    if let Some(inner) = s.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
        && let Ok(n) = inner[open + 1..].parse::<u32>()
        && open + 1 < inner.len()
    {
        return (&s[..open], Some(n));
    }
    (s, None)
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// A base cut at Google's limit (counted in code points or in UTF-16 units: both are seen).
fn is_cut(b: &str) -> bool {
    let c = char_len(b);
    let u = b.encode_utf16().count();
    c == CUT_AT || u == CUT_AT || c == CUT_AT + 1 || u == CUT_AT + 1
}

fn parse_sidecar(path: &Path, v: &serde_json::Value, raw: String) -> Sidecar {
    let num = |v: &serde_json::Value| -> Option<f64> {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    let geo = |key: &str| -> Option<Gps> {
        let g = v.get(key)?;
        let lat = num(g.get("latitude")?)?;
        let lon = num(g.get("longitude")?)?;
        // (0, 0) is how Google says "no place".
        if (lat == 0.0 && lon == 0.0)
            || !(-90.0..=90.0).contains(&lat)
            || !(-180.0..=180.0).contains(&lon)
        {
            return None;
        }
        let alt = g.get("altitude").and_then(num).filter(|a| *a != 0.0);
        Some(Gps { lat, lon, alt })
    };
    let flag = |k: &str| v.get(k).and_then(|b| b.as_bool()).unwrap_or(false);
    Sidecar {
        path: path.to_owned(),
        taken: v
            .get("photoTakenTime")
            .and_then(|t| t.get("timestamp"))
            .and_then(num)
            .map(|s| s as i64)
            .filter(|s| *s > 0),
        gps: geo("geoData").or_else(|| geo("geoDataExif")),
        description: v
            .get("description")
            .and_then(|d| d.as_str())
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        favourite: flag("favorited"),
        archived: flag("archived"),
        trashed: flag("trashed"),
        people: v
            .get("people")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        raw,
    }
}

impl Index {
    /// Reads the JSON files of an import. Those that are not sidecars are reported, never
    /// imported.
    pub(crate) fn build(jsons: &[PathBuf], roots: &[PathBuf], report: &mut TakeoutReport) -> Index {
        let mut ix = Index {
            roots: roots.to_vec(),
            ..Default::default()
        };
        for p in jsons {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let other = |reason: String| crate::Skipped {
                path: p.display().to_string(),
                reason,
            };
            let text = match std::fs::File::open(p).and_then(|f| {
                let mut s = String::new();
                f.take(SIDECAR_MAX + 1).read_to_string(&mut s).map(|_| s)
            }) {
                Ok(t) if t.len() as u64 > SIDECAR_MAX => {
                    report.other_json.push(other(format!(
                        "larger than {} MiB: not a Takeout sidecar; left alone",
                        SIDECAR_MAX >> 20
                    )));
                    continue;
                }
                Ok(t) => t,
                Err(e) => {
                    report.other_json.push(other(format!(
                        "unreadable ({}): not used",
                        if e.kind() == std::io::ErrorKind::InvalidData {
                            "not UTF-8 text".to_owned()
                        } else {
                            describe_io(&e)
                        }
                    )));
                    continue;
                }
            };
            let v: serde_json::Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    report
                        .other_json
                        .push(other(format!("not JSON ({e}): not a Takeout sidecar")));
                    continue;
                }
            };
            let dir = ix.key_of(p.parent().unwrap_or(Path::new("")));
            if v.get("photoTakenTime").is_some() {
                let stem = name
                    .strip_suffix(".json")
                    .or_else(|| name.strip_suffix(".JSON"))
                    .unwrap_or(&name);
                let stem = nfc(stem);
                let (base, counter) = split_counter(&stem);
                let data = Arc::new(parse_sidecar(p, &v, text.clone()));
                report.sidecars += 1;
                ix.photos.entry(dir).or_default().push(SidecarName {
                    base: base.to_owned(),
                    counter,
                    title: v.get("title").and_then(|t| t.as_str()).map(nfc),
                    data,
                });
            } else if let Some(title) = v
                .get("title")
                .and_then(|t| t.as_str())
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
            {
                // An album folder's metadata (`metadata.json`, `Metadaten.json`, …).
                ix.albums.insert(dir, title.to_owned());
            } else {
                report.other_json.push(other(
                    "JSON without photoTakenTime or title: not a Takeout sidecar".into(),
                ));
            }
        }
        ix
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.photos.is_empty() && self.albums.is_empty()
    }

    /// A folder relative to the source (or unpacked part) it is in: the same album folder in
    /// two parts is one folder.
    fn key_of(&self, dir: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter_map(|r| dir.strip_prefix(r).ok())
            .min_by_key(|rel| rel.components().count())
            .map(|rel| {
                // NFC per component, so a zip made on macOS (NFD) matches.
                rel.components()
                    .map(|c| nfc(&c.as_os_str().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_else(|| dir.to_owned())
    }

    /// The album of the folder a photo is in, when that folder has an album's metadata.
    pub(crate) fn album_of(&self, media: &Path) -> Option<String> {
        self.albums.get(&self.key_of(media.parent()?)).cloned()
    }

    /// The sidecar of a photo or video, or why there is none.
    pub(crate) fn sidecar_of(&mut self, media: &Path) -> std::result::Result<Arc<Sidecar>, String> {
        let dir = self.key_of(media.parent().unwrap_or(Path::new("")));
        let name = nfc(&media
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default());
        let Some(list) = self.photos.get(&dir) else {
            return Err("no sidecar in its folder".into());
        };
        let (stem, ext) = shoebox_layout::split_ext(&name);
        let (plain, counter) = split_counter(stem);
        let mut tries: Vec<(String, Option<u32>)> = vec![(name.clone(), None)];
        if counter.is_some() {
            tries.push((format!("{plain}{ext}"), counter));
        }
        for suffix in EDITED {
            // `IMG-edited(1).jpg`: the edited copy of `IMG(1).jpg`.
            if let Some(orig) = plain.strip_suffix(suffix) {
                tries.push((format!("{orig}{ext}"), counter));
            }
            // `IMG(1)-edited.jpg`: the same, numbered the other way round.
            if let Some(orig) = stem.strip_suffix(suffix) {
                let (orig, k) = split_counter(orig);
                tries.push((format!("{orig}{ext}"), k));
            }
        }
        for (full, k) in &tries {
            let long = format!("{full}.supplemental-metadata");
            let (fstem, _) = shoebox_layout::split_ext(full);
            let exact = list
                .iter()
                .find(|s| s.counter == *k && (s.base == *full || s.base == long));
            let cut = || {
                list.iter().find(|s| {
                    s.counter == *k
                        && is_cut(&s.base)
                        && (full.starts_with(&s.base)
                            || long.starts_with(&s.base)
                            || (char_len(fstem) >= CUT_AT - 6 && s.base.starts_with(fstem)))
                })
            };
            let titled = || {
                list.iter()
                    .find(|s| s.counter == *k && s.title.as_deref() == Some(full.as_str()))
            };
            if let Some(s) = exact.or_else(cut).or_else(titled) {
                self.used.insert(s.data.path.clone());
                return Ok(s.data.clone());
            }
        }
        Err(match counter {
            Some(k) => format!(
                "no sidecar for a duplicate name numbered ({k}) in its folder (a sidecar without \
                 the number belongs to the photo without it)"
            ),
            None => "no sidecar named after it in its folder".into(),
        })
    }

    /// Sidecars no photo took.
    pub(crate) fn unused(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .photos
            .values()
            .flatten()
            .filter(|s| !self.used.contains(&s.data.path))
            .map(|s| s.data.path.display().to_string())
            .collect();
        v.sort();
        v
    }
}

/// Applies a sidecar to what the file itself says: the file's own capture time, place and
/// caption win, except a date Google had edited (more than 26 hours — more than any time zone —
/// from the file's), which takes the sidecar's. Returns (date used, place used).
pub(crate) fn apply(meta: &mut Metadata, s: &Sidecar) -> (bool, bool) {
    let mut date = false;
    if let Some(ts) = s.taken
        && let Some(utc) = chrono::DateTime::from_timestamp(ts, 0)
    {
        let own = matches!(
            meta.taken_at_source,
            TimeSource::Exif | TimeSource::ExifOther | TimeSource::Container
        );
        let file_utc = meta.taken_at.local
            - chrono::Duration::minutes(meta.taken_at.offset_minutes.unwrap_or(0) as i64);
        let edited = (file_utc - utc.naive_utc()).num_hours().abs() > 26;
        if !own || edited {
            meta.taken_at = CaptureTime {
                local: utc.naive_utc(),
                offset_minutes: Some(0),
            };
            meta.taken_at_source = TimeSource::Takeout;
            date = true;
        }
    }
    let mut place = false;
    if meta.gps.is_none() && s.gps.is_some() {
        meta.gps = s.gps;
        place = true;
    }
    if meta.description.is_none() {
        meta.description = s.description.clone();
    }
    (date, place)
}

#[cfg(test)]
mod tests;
