//! The simulation's checks, after a quiet phase with faults off: the same state on every device, the later edit wins, every original somewhere, only prunable objects gone, users' files untouched, ids kept.

use super::*;
use shoebox_engine::Library;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A photo's state as a device shows it, for comparison across devices.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shown {
    favourite: bool,
    caption: Option<String>,
    rating: u8,
    trashed: bool,
}

pub(crate) fn state(lib: &Library) -> State {
    let mut photos = BTreeMap::new();
    for a in lib.list().unwrap() {
        photos.insert(
            a.hash.to_string(),
            Shown {
                favourite: a.favourite,
                caption: a.meta.description.clone(),
                rating: a.rating,
                trashed: a.trashed_at.is_some(),
            },
        );
    }
    // Members outside the trash (a photo deleted for good leaves its albums on that device
    // only: the deletion does not travel, the trash does).
    let mut albums = BTreeSet::new();
    for al in lib.albums().unwrap() {
        let mut m: Vec<String> = lib
            .album_members(al.id)
            .unwrap()
            .into_iter()
            .map(|h| h.to_string())
            .filter(|h| photos.get(h).is_some_and(|p: &Shown| !p.trashed))
            .collect();
        m.sort();
        albums.insert((al.name, m));
    }
    (photos, albums)
}

impl Sim {
    /// Objects that left the store: only what a prune may delete (a photo's original, its
    /// thumbnails, its sidecar) or a device's own compacted log.
    pub(crate) fn check_store_deletions(&self, before: &BTreeMap<String, Vec<u8>>, prune: bool) {
        let after = files(&self.store);
        for (k, _) in before.iter().filter(|(k, _)| !after.contains_key(*k)) {
            let photo_object = k.starts_with("originals/") || k.starts_with("thumbs/");
            let own_log =
                k.starts_with("devices/") && (k.contains("/seg-") || k.contains("/checkpoint-"));
            assert!(
                (prune && photo_object) || own_log,
                "{k} left the store (prune: {prune})\n{}",
                self.replay()
            );
        }
    }

    pub(crate) fn check(&mut self) {
        let act = self.active();
        let states: Vec<(String, State)> = act
            .iter()
            .map(|&d| {
                (
                    self.devs[d].name.clone(),
                    state(self.devs[d].lib.as_ref().unwrap()),
                )
            })
            .collect();
        // Outside the trash: the same photos, fields and albums everywhere.
        let shown = |s: &State| -> State {
            (
                s.0.iter()
                    .filter(|(_, v)| !v.trashed)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                s.1.clone(),
            )
        };
        let first = shown(&states[0].1);
        for (n, s) in &states[1..] {
            let mine = shown(s);
            if mine != first {
                let keys: BTreeSet<&String> = mine.0.keys().chain(first.0.keys()).collect();
                let diff: Vec<_> = keys
                    .into_iter()
                    .filter(|k| mine.0.get(*k) != first.0.get(*k))
                    .map(|k| {
                        let full = |s: &State| s.0.get(k).cloned();
                        (&k[..8], full(s), full(&states[0].1))
                    })
                    .collect();
                panic!(
                    "{n} and {} differ: photos {diff:?}; albums {:?} vs {:?}\n{}",
                    states[0].0,
                    mine.1,
                    first.1,
                    self.replay()
                );
            }
        }
        // In one device's trash: in the others' too, or deleted for good there.
        for (n, s) in &states {
            for (h, v) in s.0.iter().filter(|(_, v)| v.trashed) {
                for (m, t) in &states {
                    assert!(
                        t.0.get(h).is_none_or(|w| w.trashed),
                        "{} is in {n}'s trash and not in {m}'s ({v:?})\n{}",
                        &h[..8],
                        self.replay()
                    );
                }
            }
        }
        // The later edit wins: no edit's value stands where an edit made after seeing it exists.
        let mut superseded: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
        let counted = |e: &&Edit| !self.devs[e.dev].gone;
        for e in self.edits.iter().filter(counted) {
            if let Some(p) = &e.parent {
                superseded
                    .entry(e.key.clone())
                    .or_default()
                    .insert(p.clone());
            }
        }
        let (photos, albums) = &states[0].1;
        for ((h, f), old) in &superseded {
            let now = if f == "caption" {
                photos.get(h).and_then(|p| p.caption.clone())
            } else {
                None
            };
            if let Some(now) = now {
                assert!(
                    !old.contains(&now),
                    "{} shows {now}, which a later edit replaced\n{}",
                    &h[..8],
                    self.replay()
                );
            }
        }
        let renamed: BTreeSet<&String> = self
            .edits
            .iter()
            .filter(counted)
            .filter(|e| e.key.1 == "name")
            .filter_map(|e| e.parent.as_ref())
            .collect();
        for (name, _) in albums {
            assert!(
                !renamed.contains(name),
                "album {name} keeps a name a later rename replaced\n{}",
                self.replay()
            );
        }
        // Every photo still shown has its bytes somewhere, and they hash right.
        let store_files = files(&self.store);
        let store_hashes: BTreeSet<String> = store_files
            .iter()
            .filter(|(k, _)| k.starts_with("originals/") && !k.ends_with(".xmp"))
            .map(|(_, b)| blake3::hash(b).to_hex().to_string())
            .collect();
        for &d in &act {
            let lib = self.devs[d].lib.as_ref().unwrap();
            for a in lib.list().unwrap() {
                let here = lib
                    .local_original(&a)
                    .is_some_and(|f| shoebox_tests::hash_of(&f) == a.hash);
                let anywhere = here
                    || store_hashes.contains(a.hash.as_str())
                    || act.iter().any(|&o| {
                        let l = self.devs[o].lib.as_ref().unwrap();
                        l.show(a.hash.as_str())
                            .ok()
                            .and_then(|b| l.local_original(&b))
                            .is_some_and(|f| shoebox_tests::hash_of(&f) == a.hash)
                    });
                assert!(
                    anywhere,
                    "{}: the original of {} ({}) is nowhere\n{}",
                    self.devs[d].name,
                    a.hash.short(8),
                    a.path,
                    self.replay()
                );
            }
        }
        // Nothing outside the libraries, and no file of the person's own, was touched.
        for (f, b) in &self.outside {
            assert_eq!(&std::fs::read(f).unwrap(), b, "{} changed", f.display());
        }
        for dev in &self.devs {
            let (f, b) = &dev.own_file;
            assert_eq!(
                std::fs::read(f).ok().as_ref(),
                Some(b),
                "{}'s own file {} was touched\n{}",
                dev.name,
                f.display(),
                self.replay()
            );
        }
    }
}
