//! People in the photos (issue 27): faces found in each photo's preview, grouped into
//! people as they arrive, and the edits a person makes to the groups (see
//! `shoebox_catalog::faces` for what travels to the other devices).
//!
//! The models are loaded once per process, on first use, and checked against their pinned
//! digests; without them every other part of Shoebox works and faces say why they are off.

use crate::{Error, Library, Result};
use rayon::prelude::*;
use serde::Serialize;
use shoebox_catalog::{Asset, FaceRow, NewFace, Person};
use shoebox_faces::{FaceModels, Groups};
use shoebox_layout::Hash;
use shoebox_types::{Progress, Throttle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What a scan for faces did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FacesReport {
    /// Photos looked at.
    pub photos: u64,
    /// Faces found in them.
    pub faces: u64,
    /// People made for faces like no one's before.
    pub new_people: u64,
    /// Photos skipped, with why (too small, not decodable).
    pub skipped: Vec<(String, String)>,
    /// Photos whose preview is not on this computer yet (another device's): looked at once it is.
    pub waiting: u64,
}

/// The models, loaded once; a failure is kept (and told each time) until the process ends.
static MODELS: Mutex<Option<std::result::Result<Arc<FaceModels>, String>>> = Mutex::new(None);

/// The face models, or why faces are off.
pub fn face_models() -> Result<Arc<FaceModels>> {
    let mut slot = MODELS.lock().unwrap_or_else(|p| p.into_inner());
    let loaded = slot.get_or_insert_with(|| {
        FaceModels::load(&shoebox_faces::models_dir())
            .map(Arc::new)
            .map_err(|e| e.to_string())
    });
    loaded.clone().map_err(Error::FacesOff)
}

/// A person while grouping: one in the catalog, or the n-th made by this batch.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Known(i64),
    New(usize),
}

/// What looking at one photo gave: its faces, or why it was skipped.
type Scanned = std::result::Result<Vec<NewFace>, String>;

/// Photos looked at in one go: decoded and described in parallel, then written together.
const BATCH: usize = 16;

impl Library {
    /// Looks for faces in every photo not yet looked at (resumable: what is done is kept),
    /// and groups them into people. `threads` bounds the CPU it takes (the app leaves a core
    /// to the window).
    pub fn scan_faces(
        &mut self,
        threads: usize,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<FacesReport> {
        let models = face_models()?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("faces-{i}"))
            .build()
            .map_err(|e| Error::FacesOff(e.to_string()))?;
        let mut groups = Groups::new();
        for f in self.catalog.face_descriptors()? {
            if let Some(p) = f.person {
                groups.add(Who::Known(p), &f.descriptor);
            }
        }
        let mut report = FacesReport::default();
        let mut throttle = Throttle::new(progress);
        let mut p = Progress {
            phase: "faces".into(),
            total: self.catalog.faces_pending_count()?,
            ..Default::default()
        };
        throttle.send(&p, true);
        let mut after = 0;
        let size = self.settings.preview_size;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            let batch = self.catalog.faces_pending(after, BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            let found: Vec<(String, Option<Scanned>)> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|(_, hash)| {
                        let path = Hash::parse(hash).map(|h| self.paths.thumb(&h, size));
                        let Ok(bytes) = path.map(std::fs::read) else {
                            return (hash.clone(), None);
                        };
                        let Ok(bytes) = bytes else {
                            return (hash.clone(), None);
                        };
                        (hash.clone(), Some(faces_in(&models, &bytes)))
                    })
                    .collect()
            });
            let mut loose_batch = Vec::new();
            for (hash, result) in found {
                p.done += 1;
                let Some(result) = result else {
                    report.waiting += 1;
                    continue;
                };
                report.photos += 1;
                let loose = match &result {
                    Ok(faces) => {
                        report.faces += faces.len() as u64;
                        self.catalog.save_faces(&hash, Ok(faces))?
                    }
                    Err(why) => {
                        let path = self
                            .catalog
                            .asset_by_hash(&Hash::parse(&hash)?)?
                            .map(|a| a.path)
                            .unwrap_or(hash.clone());
                        report.skipped.push((path, why.clone()));
                        p.errors += 1;
                        self.catalog.save_faces(&hash, Err(why))?
                    }
                };
                loose_batch.extend(loose);
            }
            report.new_people += self.group(&mut groups, &loose_batch)?;
            p.found = report.faces;
            p.current = Some(format!("{} faces", report.faces));
            throttle.send(&p, false);
        }
        p.done = p.total;
        throttle.send(&p, true);
        Ok(report)
    }

    /// Puts faces no hand has placed into the nearest person, or a new one, in one write.
    /// Returns how many people it made.
    fn group(&mut self, groups: &mut Groups<Who>, loose: &[(i64, [f32; 128])]) -> Result<u64> {
        let mut placed = Vec::with_capacity(loose.len());
        let mut new = 0;
        for (face, d) in loose {
            let who = groups.nearest(d).unwrap_or_else(|| {
                new += 1;
                Who::New(new - 1)
            });
            groups.add(who, d);
            placed.push((
                *face,
                match who {
                    Who::Known(p) => Ok(p),
                    Who::New(n) => Err(n),
                },
            ));
        }
        if placed.is_empty() {
            return Ok(0);
        }
        let made = self.catalog.group_faces(&placed)?;
        for (n, id) in made.iter().enumerate() {
            groups.rename(&Who::New(n), Who::Known(*id));
        }
        Ok(made.len() as u64)
    }

    /// People, the named first, then the most faces; hidden ones and single unnamed faces
    /// only with `all`.
    pub fn people(&self, all: bool) -> Result<Vec<Person>> {
        Ok(self.catalog.people(all)?)
    }

    fn person_or_not_found(&self, id: i64) -> Result<Person> {
        self.catalog
            .person(id)?
            .ok_or_else(|| Error::NotFound(format!("person {id}")))
    }

    /// Names a person here and on every device of the library.
    pub fn name_person(&mut self, id: i64, name: &str) -> Result<Person> {
        self.person_or_not_found(id)?;
        let edits = self.catalog.name_person(id, name)?;
        self.record_all(&edits)?;
        self.person_or_not_found(id)
    }

    /// Merges person `from` into `into`, here and on every device.
    pub fn merge_people(&mut self, from: i64, into: i64) -> Result<Person> {
        self.person_or_not_found(from)?;
        self.person_or_not_found(into)?;
        let edits = self.catalog.merge_people(from, into)?;
        self.record_all(&edits)?;
        self.person_or_not_found(into)
    }

    /// Hides a person from the list (or shows it again).
    pub fn hide_person(&mut self, id: i64, hidden: bool) -> Result<()> {
        self.person_or_not_found(id)?;
        let edits = self.catalog.hide_person(id, hidden)?;
        self.record_all(&edits)
    }

    /// Takes a wrongly grouped face out of its person.
    pub fn remove_face(&mut self, face: i64) -> Result<()> {
        let edits = self.catalog.remove_face(face)?;
        self.record_all(&edits)
    }

    /// The faces found in a photo, with their people's names.
    pub fn faces_of(&self, hash: &Hash) -> Result<Vec<FaceRow>> {
        Ok(self.catalog.faces_of(hash.as_str())?)
    }

    /// What the face scan of a photo found: how many faces, or why it skipped it; `None`
    /// before it is looked at.
    pub fn face_scan(&self, hash: &Hash) -> Result<Option<(u64, Option<String>)>> {
        Ok(self.catalog.face_scan(hash.as_str())?)
    }

    /// A person's faces, the largest first.
    pub fn person_faces(&self, id: i64) -> Result<Vec<FaceRow>> {
        Ok(self.catalog.person_faces(id)?)
    }

    /// The photos a person is in, newest first.
    pub fn person_photos(&self, id: i64) -> Result<Vec<Asset>> {
        self.person_or_not_found(id)?;
        Ok(self.catalog.person_photos(id)?)
    }

    fn record_all(&mut self, edits: &[shoebox_catalog::Edit]) -> Result<()> {
        let dev = self.device_id()?;
        self.catalog.record_edits(&dev, self.now_ms(), edits)?;
        Ok(())
    }
}

/// The faces in one preview JPEG, in fractions of the picture, or why it was skipped.
fn faces_in(models: &FaceModels, jpeg: &[u8]) -> Scanned {
    let img = image::load_from_memory(jpeg)
        .map_err(|e| format!("the preview does not decode: {e}"))?
        .to_rgb8();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let faces = models.faces(&img).map_err(|e| e.to_string())?;
    Ok(faces
        .into_iter()
        .map(|f| {
            let [x, y, bw, bh] = f.detection.bbox;
            NewFace {
                bbox: [x / w, y / h, bw / w, bh / h],
                score: f.detection.score,
                descriptor: f.descriptor,
            }
        })
        .collect())
}
