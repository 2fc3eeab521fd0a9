//! One photo, several copies: Google writes a photo once per folder it is in, each copy with its own sidecar; merging them field by field.

use super::*;
use crate::{Candidate, hash_file};
use serde::Serialize;
use shoebox_types::Gps;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Two sidecars of one photo that disagree on a field: the value kept and the one dropped.
#[derive(Debug, Clone, Serialize)]
pub struct SidecarConflict {
    /// The photo: the copy whose value was kept, or the library's photo.
    pub photo: String,
    /// The field as Google names it: `photoTakenTime`, `geoData`, `description`.
    pub field: String,
    pub kept: String,
    pub dropped: String,
    /// The sidecar whose value was dropped.
    pub sidecar: String,
}

impl Sidecar {
    /// Takes from `other`, the sidecar of another copy of the same photo, what this one lacks:
    /// a value never gives way to "nothing" (no time, a 0/0 place, an empty caption, `false`),
    /// and where both have a real value this one's stays. Returns the fields where both had one
    /// and they differ: (field, kept, dropped).
    pub fn merge_from(&mut self, other: &Sidecar) -> Vec<(&'static str, String, String)> {
        let mut conflicts = Vec::new();
        match (self.taken, other.taken) {
            (None, t) => self.taken = t,
            (Some(a), Some(b)) if a != b => {
                conflicts.push(("photoTakenTime", show_time(a), show_time(b)))
            }
            _ => {}
        }
        match (self.gps, other.gps) {
            (None, g) => self.gps = g,
            (Some(a), Some(b)) if !same_place(&a, &b) => {
                conflicts.push(("geoData", show_place(&a), show_place(&b)))
            }
            _ => {}
        }
        match (&self.description, &other.description) {
            (None, d) => self.description = d.clone(),
            (Some(a), Some(b)) if a != b => conflicts.push(("description", a.clone(), b.clone())),
            _ => {}
        }
        self.favourite |= other.favourite;
        self.archived |= other.archived;
        self.trashed |= other.trashed;
        for p in &other.people {
            if !self.people.contains(p) {
                self.people.push(p.clone());
            }
        }
        conflicts
    }
}

/// Two positions that are the same place (to a tenth of a metre).
pub fn same_place(a: &Gps, b: &Gps) -> bool {
    (a.lat - b.lat).abs() < 1e-6 && (a.lon - b.lon).abs() < 1e-6
}

/// A sidecar's time as a report shows it.
pub fn show_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| ts.to_string())
}

/// A position as a report shows it.
pub fn show_place(g: &Gps) -> String {
    format!("{:.6}, {:.6}", g.lat, g.lon)
}

/// Google writes a photo once per folder it is in (its year folder and each album), each copy
/// with its own sidecar, and the sidecars do not always agree. Copies of a photo new to the
/// library get one sidecar, merged field by field ([`Sidecar::merge_from`]): the year
/// folder's copy first (a folder with no album metadata), then the albums' in path order; so
/// whichever copy is imported, it has the best of all, and the report lists what disagreed.
/// Copies of a photo the library has already are left to the engine, which merges each into
/// what the library says.
pub(crate) fn merge_copies(
    candidates: &mut [Candidate],
    albums: &std::collections::HashMap<PathBuf, String>,
    known: &HashSet<String>,
    tk: &mut TakeoutReport,
) {
    use rayon::prelude::*;
    use std::collections::HashMap;
    // Only files of one size can be copies; only those are hashed (again, by the import).
    let mut by_size: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        by_size.entry(c.size).or_default().push(i);
    }
    let maybe: Vec<usize> = by_size
        .into_values()
        .filter(|g| g.len() > 1 && g.iter().any(|&i| candidates[i].sidecar.is_some()))
        .flatten()
        .collect();
    let hashed: Vec<(usize, String)> = maybe
        .par_iter()
        .filter_map(|&i| Some((i, hash_file(&candidates[i].path).ok()?)))
        .collect();
    let mut by_hash: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, h) in hashed {
        by_hash.entry(h).or_default().push(i);
    }
    let mut groups: Vec<(String, Vec<usize>)> = by_hash
        .into_iter()
        .filter(|(h, g)| g.len() > 1 && !known.contains(h))
        .collect();
    groups.sort();
    for (_, mut g) in groups {
        g.sort_by_key(|&i| {
            let c = &candidates[i];
            (albums.contains_key(&c.path), c.path.clone())
        });
        let Some((keeper, first)) = g.iter().find_map(|&i| {
            let c = &candidates[i];
            Some((c.path.display().to_string(), c.sidecar.clone()?))
        }) else {
            continue;
        };
        let mut merged = (*first).clone();
        for &i in &g {
            let Some(s) = &candidates[i].sidecar else {
                continue;
            };
            if Arc::ptr_eq(s, &first) || s.path == first.path {
                continue;
            }
            for (field, kept, dropped) in merged.merge_from(s) {
                tk.sidecar_conflicts.push(SidecarConflict {
                    photo: keeper.clone(),
                    field: field.into(),
                    kept,
                    dropped,
                    sidecar: s.path.display().to_string(),
                });
            }
        }
        let merged = Arc::new(merged);
        for &i in &g {
            candidates[i].sidecar = Some(merged.clone());
        }
    }
}
