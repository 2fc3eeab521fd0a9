//! Import and what follows it: XMP sidecars, RAW+JPEG and Live Photo pairs, Google
//! Takeout's metadata and albums; and `inspect`, which reads files without importing them.

use crate::{Library, Result};
use serde::Serialize;
use shoebox_import::{ImportOptions, ImportReport};
use shoebox_layout::Hash;
use shoebox_types::{Metadata, Progress};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
/// One file read by `shoebox inspect`: the fields import would record, or why it cannot be read.
#[derive(Debug, Clone, Serialize)]
pub struct Inspected {
    pub file: String,
    /// Hex BLAKE3; only when asked for, since it reads the whole file.
    pub hash: Option<String>,
    pub original_name: String,
    pub size: Option<u64>,
    /// Where import would put it.
    pub path: Option<String>,
    #[serde(flatten)]
    pub meta: Option<Metadata>,
    pub error: Option<String>,
}

impl Library {
    /// Imports files and folders. Waits for (and tells `waiting` about) another import running
    /// on the same library.
    pub fn import(
        &mut self,
        sources: &[PathBuf],
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
        waiting: &dyn Fn(),
    ) -> Result<ImportReport> {
        let _lock = self.write_lock(waiting)?;
        // Another process may have been mid-import when we opened: finish its leftovers now.
        let t = self.thumbnailer();
        shoebox_import::reconcile(&self.paths, &mut self.catalog, &t)?;
        let opts = ImportOptions {
            allowed_extensions: self.settings.allowed_extensions.clone(),
            max_file_size: self.settings.max_file_size,
            thumbnailer: t,
            threads: 0,
        };
        let mut report = shoebox_import::run_import(
            sources,
            &self.paths,
            &mut self.catalog,
            &opts,
            progress,
            cancel,
        )?;
        // What edits made elsewhere already say of the new photos; one imported again after it
        // was deleted for good comes out of the trash everywhere. Before this import's own
        // edits (Takeout's trash, pairs, sidecars), which come after them.
        let new = report
            .imported
            .iter()
            .map(|i| Hash::parse(&i.hash))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let revived = self.catalog.take_shared_values(&new)?;
        if !revived.is_empty() {
            self.record("trashed", &revived, serde_json::Value::Null)?;
        }
        self.apply_takeout(&mut report)?;
        (report.live_photos, report.raw_pairs) = self.pair_parts(&report)?;
        report.xmp_sidecars = self.read_xmp_sidecars(&mut report)?;
        self.name_places();
        self.look_at_new(&new);
        Ok(report)
    }

    /// XMP sidecars beside imported files (`IMG_0042.JPG.xmp` as digiKam and darktable name
    /// them, `IMG_0042.xmp` as Lightroom does): their stars, keywords and caption become the
    /// photo's, as edits that are backed up and reach the other devices. What the photo already
    /// has wins (an import of a file already here does not undo a rating given since). Returns
    /// how many sidecars were used.
    fn read_xmp_sidecars(&mut self, report: &mut ImportReport) -> Result<u64> {
        let mut used = 0;
        let mut unread = Vec::new();
        for i in &report.imported {
            let src = Path::new(&i.source);
            let stem = src.with_extension("");
            let found = [
                PathBuf::from(format!("{}.xmp", src.display())),
                PathBuf::from(format!("{}.XMP", src.display())),
                PathBuf::from(format!("{}.xmp", stem.display())),
                PathBuf::from(format!("{}.XMP", stem.display())),
            ]
            .into_iter()
            .find(|p| p.is_file());
            let Some(side) = found else { continue };
            // A sidecar is a few kilobytes; a huge one is not one.
            let text = match fs::metadata(&side) {
                Ok(m) if m.len() > 4 << 20 => Err("over 4 MiB, not a sidecar".to_owned()),
                Ok(_) => fs::read_to_string(&side).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let text = match text {
                Ok(t) => t,
                Err(why) => {
                    unread.push((side, why));
                    continue;
                }
            };
            let facts = shoebox_media::export::read_xmp(&text);
            let a = self.show(&i.hash)?;
            let one = std::slice::from_ref(&a.hash);
            let mut any = false;
            if let Some(r) = facts.rating
                && a.rating == 0
            {
                self.rate(one, r)?;
                any = true;
            }
            for k in &facts.keywords {
                if shoebox_catalog::is_keyword(k.trim()) {
                    self.keyword(one, k, true)?;
                    any = true;
                }
            }
            if let Some(d) = &facts.description {
                match a.meta.description.as_deref().filter(|x| !x.is_empty()) {
                    None => {
                        self.set_caption(&a.hash, Some(d))?;
                        any = true;
                    }
                    // A Takeout JSON sidecar gave another caption: it stays, and the report
                    // says which the XMP sidecar had.
                    Some(x) if x != d.as_str() => {
                        if let Some(tk) = report.takeout.as_mut() {
                            tk.sidecar_conflicts
                                .push(shoebox_import::takeout::SidecarConflict {
                                    photo: a.path.clone(),
                                    field: "description".into(),
                                    kept: x.to_owned(),
                                    dropped: d.clone(),
                                    sidecar: side.display().to_string(),
                                });
                        }
                    }
                    Some(_) => {}
                }
            }
            used += u64::from(any);
        }
        // The sidecar is listed as skipped already (it is not a photo): say why it was not used.
        for (side, why) in unread {
            let path = side.display().to_string();
            let reason =
                format!("an XMP sidecar that could not be read ({why}); its photo came without it");
            match report.skipped.iter_mut().find(|s| s.path == path) {
                Some(s) => s.reason = reason,
                None => report
                    .skipped
                    .push(shoebox_import::Skipped { path, reason }),
            }
        }
        Ok(used)
    }

    /// Pairs made of files with the same name stem in the same folder, whichever half arrives
    /// first (a phone folder that syncs the video later; a card read in two goes). The part is
    /// kept as it is and backed up, shown with its photo and never on its own, and goes to the
    /// trash and back with it. Returns (Live Photos, RAW+JPEG pairs) made.
    ///
    /// - Live Photos: a photo (HEIC, JPEG) and a short video (MOV, MP4): the video is the
    ///   photo's motion part.
    /// - RAW+JPEG: a camera RAW and the JPEG (or HEIC) the camera wrote beside it: the pair is
    ///   one tile showing the JPEG, the RAW its part.
    fn pair_parts(&mut self, report: &ImportReport) -> Result<(u64, u64)> {
        const PHOTO: &[&str] = &["heic", "heif", "jpg", "jpeg"];
        const VIDEO: &[&str] = &["mov", "mp4"];
        /// A Live Photo's video is about 3 s; longer clips are videos of their own.
        const MOTION_MAX_MS: u64 = 6_000;
        let is_raw = |name: &str| {
            shoebox_media::extension_of(Path::new(name))
                .and_then(|e| shoebox_media::format_for_extension(&e))
                .is_some_and(|(f, _)| f == shoebox_media::Format::Raw)
        };
        let is_shown_photo = |p: &shoebox_catalog::Asset| {
            p.meta.kind == shoebox_types::Kind::Photo
                && p.motion_of.is_none()
                && shoebox_media::extension_of(Path::new(&p.original_name))
                    .is_some_and(|e| PHOTO.contains(&e.as_str()))
        };
        let (mut live, mut raws) = (0, 0);
        for i in &report.imported {
            // The library keeps the source's extension: decided before any query.
            let ext = shoebox_media::extension_of(Path::new(&i.path)).unwrap_or_default();
            let is_photo = PHOTO.contains(&ext.as_str());
            let is_video = VIDEO.contains(&ext.as_str());
            let raw = is_raw(&i.path);
            if !is_photo && !is_video && !raw {
                continue;
            }
            let Some(a) = self
                .catalog
                .asset_by_hash(&shoebox_layout::Hash::parse(&i.hash)?)?
            else {
                continue;
            };
            let Some(src) = self.catalog.source_path_of(&a.hash)? else {
                continue;
            };
            let partners = self.catalog.same_stem(&src, &a.hash)?;
            let short =
                |v: &shoebox_catalog::Asset| v.meta.duration_ms.is_none_or(|d| d <= MOTION_MAX_MS);
            if is_photo {
                if let Some(v) = partners.iter().find(|v| {
                    v.meta.kind == shoebox_types::Kind::Video && short(v) && v.motion_of.is_none()
                }) && self.join_part(&v.hash, &a.hash, false)?
                {
                    live += 1;
                }
                for r in partners
                    .iter()
                    .filter(|r| is_raw(&r.original_name) && r.motion_of.is_none())
                {
                    if self.join_part(&r.hash, &a.hash, true)? {
                        raws += 1;
                    }
                }
            } else if is_video && short(&a) && a.motion_of.is_none() {
                if let Some(p) = partners.iter().find(|p| is_shown_photo(p))
                    && self.join_part(&a.hash, &p.hash, false)?
                {
                    live += 1;
                }
            } else if raw
                && a.motion_of.is_none()
                && let Some(p) = partners.iter().find(|p| is_shown_photo(p))
                && self.join_part(&a.hash, &p.hash, true)?
            {
                raws += 1;
            }
        }
        Ok((live, raws))
    }

    /// Makes `part` (a video, or a RAW when `raw`) part of `photo` and records it for the other
    /// devices (the change log's `motion_of` field carries both kinds of part).
    fn join_part(&mut self, part: &Hash, photo: &Hash, raw: bool) -> Result<bool> {
        let made = if raw {
            self.catalog.set_raw_of(part, photo)?
        } else {
            self.catalog.set_motion_of(part, photo)?
        };
        if made {
            self.record("motion_of", &[part.to_owned()], serde_json::json!(photo))?;
        }
        Ok(made)
    }

    /// What a Google Takeout's sidecars say beyond the file's own metadata: favourites, trash,
    /// albums (also for photos already in the library) and the sidecar itself, kept with the
    /// photo. Recorded like edits made here, so other devices hear of them.
    fn apply_takeout(&mut self, report: &mut ImportReport) -> Result<()> {
        let actions = std::mem::take(&mut report.takeout_actions);
        let Some(tk) = report.takeout.as_mut() else {
            return Ok(());
        };
        let mut favourites = Vec::new();
        let mut trashed = Vec::new();
        let mut albums: std::collections::BTreeMap<String, Vec<Hash>> = Default::default();
        let new: std::collections::HashSet<&str> = actions
            .iter()
            .filter(|a| a.new)
            .map(|a| a.hash.as_str())
            .collect();
        // Copies of photos the library had before this import (a later part, a later export):
        // each copy's sidecar is merged into what the library says, the year folder's copies
        // first. The library's real values stay (they may be a person's edits); what it lacks
        // is filled; what differs is listed.
        let mut later: Vec<&shoebox_import::takeout::TakeoutAction> = actions
            .iter()
            .filter(|a| !a.new && !new.contains(a.hash.as_str()) && a.sidecar.is_some())
            .collect();
        later.sort_by_key(|a| {
            (
                a.album.is_some(),
                a.sidecar.as_ref().map(|s| s.path.clone()),
            )
        });
        for a in later {
            let Some(s) = &a.sidecar else { continue };
            if let Some(conflicts) =
                self.merge_later_copy(&shoebox_layout::Hash::parse(&a.hash)?, s)?
            {
                tk.sidecar_conflicts.extend(conflicts);
            }
            if s.favourite {
                favourites.push(Hash::parse(&a.hash)?);
            }
        }
        for a in &actions {
            // The same photo twice in the export (a year folder and an album): whichever copy
            // was imported, a favourite in either sidecar counts.
            if !a.new && a.favourite && new.contains(a.hash.as_str()) {
                favourites.push(Hash::parse(&a.hash)?);
            }
            if a.new {
                if a.favourite {
                    favourites.push(Hash::parse(&a.hash)?);
                }
                if a.trashed {
                    trashed.push(Hash::parse(&a.hash)?);
                }
                if let Some(s) = &a.sidecar {
                    let name = s
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    self.catalog.put_sidecar(
                        &shoebox_layout::Hash::parse(&a.hash)?,
                        &name,
                        &s.raw,
                    )?;
                    if let Some(x) = self
                        .catalog
                        .asset_by_hash(&shoebox_layout::Hash::parse(&a.hash)?)?
                    {
                        if x.meta.taken_at_source == shoebox_types::TimeSource::Takeout {
                            tk.dates_from_sidecar += 1;
                        }
                        let same = |a: f64, b: f64| (a - b).abs() < 1e-7;
                        if let (Some(g), Some(h)) = (s.gps, x.meta.gps)
                            && same(g.lat, h.lat)
                            && same(g.lon, h.lon)
                        {
                            tk.places_from_sidecar += 1;
                        }
                    }
                }
            }
            if let Some(album) = &a.album {
                albums
                    .entry(album.clone())
                    .or_default()
                    .push(Hash::parse(&a.hash)?);
            }
        }
        if !favourites.is_empty() {
            self.set_favourite(&favourites, true)?;
        }
        if !trashed.is_empty() {
            self.set_trashed(&trashed, true)?;
        }
        let existing = self.albums()?;
        for (name, mut hashes) in albums {
            hashes.sort();
            hashes.dedup();
            let id = match existing.iter().find(|a| a.name == name) {
                Some(a) => a.id,
                None => self.album_create(&name)?.id,
            };
            self.album_add(id, &hashes)?;
            tk.albums.push(shoebox_import::takeout::AlbumRebuilt {
                name,
                photos: hashes.len() as u64,
            });
        }
        Ok(())
    }

    /// Merges the sidecar of another copy of a photo the library already has into what the
    /// library says of it: a caption or a place it lacks is set (as an edit, so other devices
    /// hear of it); a real value that differs is kept and listed. Favourites are the caller's.
    fn merge_later_copy(
        &mut self,
        hash: &Hash,
        s: &shoebox_import::takeout::Sidecar,
    ) -> Result<Option<Vec<shoebox_import::takeout::SidecarConflict>>> {
        use shoebox_import::takeout::{SidecarConflict, same_place, show_place, show_time};
        let Some(a) = self.catalog.asset_by_hash(hash)? else {
            return Ok(None);
        };
        let mut conflicts = Vec::new();
        let mut conflict = |field: &str, kept: String, dropped: String| {
            conflicts.push(SidecarConflict {
                photo: a.path.clone(),
                field: field.into(),
                kept,
                dropped,
                sidecar: s.path.display().to_string(),
            })
        };
        if let Some(ts) = s.taken {
            let t = &a.meta.taken_at;
            let utc = t.local.and_utc().timestamp() - 60 * i64::from(t.offset_minutes.unwrap_or(0));
            if a.meta.taken_at_source == shoebox_types::TimeSource::Takeout && utc != ts {
                conflict("photoTakenTime", show_time(utc), show_time(ts));
            }
        }
        if let Some(g) = s.gps {
            match a.meta.gps {
                None => {
                    let fix = crate::PlaceFix::At {
                        lat: g.lat,
                        lon: g.lon,
                    };
                    self.set_place(std::slice::from_ref(hash), &fix)?;
                }
                Some(h) if !same_place(&g, &h) => {
                    conflict("geoData", show_place(&h), show_place(&g))
                }
                Some(_) => {}
            }
        }
        if let Some(d) = &s.description {
            match a.meta.description.as_deref().filter(|x| !x.is_empty()) {
                None => {
                    self.set_caption(hash, Some(d))?;
                }
                Some(x) if x != d => conflict("description", x.to_owned(), d.clone()),
                Some(_) => {}
            }
        }
        Ok(Some(conflicts))
    }

    /// Reads files' metadata without importing them.
    pub fn inspect(files: &[PathBuf], with_hash: bool) -> Vec<Inspected> {
        use rayon::prelude::*;
        // Headers are small and files independent: read them on every core, in order.
        files
            .par_iter()
            .map(|f| {
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let size = fs::metadata(f).ok().map(|m| m.len());
                let (meta, error) = match shoebox_media::probe_file(f) {
                    Ok(m) => (Some(m), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                let hash = if with_hash && error.is_none() {
                    shoebox_import::hash_file(f).ok()
                } else {
                    None
                };
                Inspected {
                    file: f.display().to_string(),
                    hash,
                    path: meta
                        .as_ref()
                        .map(|m| format!("originals/{}/{name}", m.taken_at.folder())),
                    original_name: name,
                    size,
                    meta,
                    error,
                }
            })
            .collect()
    }
}
