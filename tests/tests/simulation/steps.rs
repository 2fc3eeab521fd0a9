//! One step of the simulation: an operation drawn from the seed on a device drawn from the seed.

use super::*;
use shoebox_engine::Library;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

impl Sim {
    pub(crate) fn step(&mut self) {
        self.now
            .fetch_add(self.rng.i64(1..600_000), Ordering::SeqCst);
        let act = self.active();
        let d = act[self.rng.usize(..act.len())];
        let name = self.devs[d].name.clone();
        let before = files(&self.store);
        let mut may_delete_photos = false;
        match self.rng.u8(..100) {
            0..=14 => {
                let k = 1 + self.rng.usize(..3);
                let mut which = Vec::new();
                for _ in 0..k {
                    which.push(self.rng.usize(..self.photos.len()));
                }
                let src = self.devs[d].src.join(format!("batch-{}", self.next_edit));
                self.next_edit += 1;
                std::fs::create_dir_all(&src).unwrap();
                for &i in &which {
                    let (n, _, b) = &self.photos[i];
                    std::fs::write(src.join(n), b).unwrap();
                }
                let r = self
                    .lib(d)
                    .import(&[src], &|_| {}, &AtomicBool::new(false), &|| {});
                self.say(format!("{name} import {which:?}: {}", r.is_ok()));
            }
            15..=24 => {
                if let Some(h) = self.pick_photo(d, Some(false)) {
                    let parent = self.lib(d).show(h.as_str()).unwrap().meta.description;
                    let v = self.edit_id();
                    let ok = self.lib(d).set_caption(&h, Some(&v)).is_ok();
                    if ok {
                        self.edits.push(Edit {
                            dev: d,
                            key: (h.clone().to_string(), "caption".into()),
                            parent,
                        });
                    }
                    self.say(format!("{name} caption {} {v}", h.short(8)));
                }
            }
            25..=31 => {
                if let Some(h) = self.pick_photo(d, Some(false)) {
                    let on = self.rng.bool();
                    let _ = self.lib(d).set_favourite(std::slice::from_ref(&h), on);
                    let stars = self.rng.u8(..6);
                    let _ = self.lib(d).rate(std::slice::from_ref(&h), stars);
                    self.say(format!("{name} favourite {} {on} rate {stars}", h.short(8)));
                }
            }
            32..=39 => {
                let albums = self.lib(d).albums().unwrap();
                match (self.rng.u8(..4), albums.is_empty()) {
                    (0, _) | (_, true) => {
                        let v = self.edit_id();
                        if let Ok(a) = self.lib(d).album_create(&v) {
                            self.say(format!("{name} album create {v} ({})", a.id));
                        }
                    }
                    (1, false) => {
                        let a = &albums[self.rng.usize(..albums.len())];
                        let v = self.edit_id();
                        if self.lib(d).album_rename(a.id, &v).is_ok() {
                            self.edits.push(Edit {
                                dev: d,
                                key: (format!("album-of:{}", a.name), "name".into()),
                                parent: Some(a.name.clone()),
                            });
                        }
                        self.say(format!("{name} album rename {} {v}", a.name));
                    }
                    (2, false) if self.rng.u8(..4) == 0 => {
                        let a = &albums[self.rng.usize(..albums.len())];
                        let _ = self.lib(d).album_delete(a.id);
                        self.say(format!("{name} album delete {}", a.name));
                    }
                    _ => {
                        let a = albums[self.rng.usize(..albums.len())].id;
                        if let Some(h) = self.pick_photo(d, Some(false)) {
                            let add = self.rng.u8(..3) > 0;
                            let _ = if add {
                                self.lib(d).album_add(a, std::slice::from_ref(&h))
                            } else {
                                self.lib(d).album_remove(a, std::slice::from_ref(&h))
                            };
                            self.say(format!("{name} album {a} add={add} {}", h.short(8)));
                        }
                    }
                }
            }
            40..=45 => {
                let trash = self.rng.u8(..3) > 0;
                if let Some(h) = self.pick_photo(d, Some(!trash)) {
                    let _ = self.lib(d).set_trashed(std::slice::from_ref(&h), trash);
                    self.say(format!("{name} trash={trash} {}", h.short(8)));
                }
            }
            46..=48 => {
                let r = self.lib(d).empty_trash();
                self.say(format!("{name} empty trash: {:?}", r.map(|r| r.deleted)));
            }
            49..=72 => {
                let r = self.sync(d);
                self.say(format!("{name} sync: {:?}", r.map(|r| r.problems)));
            }
            73..=77 => {
                let remote: Vec<_> = self
                    .lib(d)
                    .list()
                    .unwrap()
                    .into_iter()
                    .filter(|a| a.device.is_some())
                    .map(|a| a.hash)
                    .collect();
                if !remote.is_empty() {
                    let h = remote[self.rng.usize(..remote.len())].clone();
                    if let Ok(f) = self.lib(d).fetch(h.as_str()) {
                        assert_eq!(
                            shoebox_tests::hash_of(&f.file),
                            h,
                            "{name}: fetch gave a file that is not the photo"
                        );
                    }
                    self.say(format!("{name} fetch {}", h.short(8)));
                }
            }
            78..=79 => {
                let albums = self.lib(d).albums().unwrap();
                if !albums.is_empty() {
                    let a = albums[self.rng.usize(..albums.len())].id;
                    let _ = self.lib(d).pin(a);
                    self.say(format!("{name} pin {a}"));
                }
            }
            80..=84 => {
                may_delete_photos = true;
                let r = self.lib(d).prune("shared", 1.0, false);
                self.say(format!(
                    "{name} prune: {:?}",
                    r.map(|r| (r.deleted.len(), r.refused_keys.len()))
                ));
            }
            85..=88 => {
                // A crash at one of the next store writes of a sync: dropped, opened again.
                let at = self.rng.i64(1..13);
                self.plan.crash_at_write(at);
                let _ = self.sync(d);
                let crashed = self.plan.crashed();
                self.plan.recover();
                self.devs[d].lib = None;
                let mut lib = Library::open(&self.devs[d].root).unwrap();
                let (now, sk) = (self.now.clone(), self.devs[d].skew.clone());
                lib.set_clock(Arc::new(move || {
                    (now.load(Ordering::SeqCst) + sk.load(Ordering::SeqCst)).max(0) as u64
                }));
                self.devs[d].lib = Some(lib);
                self.say(format!("{name} crash at write {at} during sync: {crashed}"));
            }
            89..=91 => {
                // The clock jumps back (a dead battery, a wrong time zone).
                let back = self.rng.i64(1..48) * 3_600_000;
                self.devs[d].skew.fetch_sub(back, Ordering::SeqCst);
                self.say(format!("{name} clock back {}h", back / 3_600_000));
            }
            92..=93 if self.devs.len() < 5 => self.join(),
            94 if act.len() > 2 => {
                // Another device leaves for good and is retired from this one.
                let others: Vec<usize> = act.iter().copied().filter(|o| *o != d).collect();
                let o = others[self.rng.usize(..others.len())];
                if let Some(id) = self.devs[o].id.clone()
                    && self.lib(d).retire(&id).is_ok()
                {
                    self.devs[o].gone = true;
                    self.devs[o].lib = None;
                    self.retired.insert(id);
                    self.say(format!("{name} retires {}", self.devs[o].name));
                }
            }
            _ => {
                let r = self.sync(d);
                self.say(format!("{name} sync: {:?}", r.map(|r| r.problems)));
            }
        }
        if self.devs[d].lib.is_some() {
            self.check_id(d);
        }
        self.check_store_deletions(&before, may_delete_photos);
    }
}
