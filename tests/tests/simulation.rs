//! Sync proven by a deterministic simulation (issue 25), the way FoundationDB and TigerBeetle
//! prove theirs: one seed drives 2–5 devices, each a real library (real SQLite, real files)
//! with a clock of its own (hours to a month off, clocks that jump back), against one folder
//! store behind a fault layer (requests that fail, listings that lag, writes that tear, and a
//! crash at a chosen store write, after which the device is dropped without cleanup and opened
//! again), through random operations: imports (the same photo on two devices too), edits,
//! albums, trash and empty trash, sync, fetch, pin, prune, retire, a device joining mid-run.
//! Then a quiet phase (faults off) where every device syncs until nothing changes, and the
//! invariants are checked:
//!
//! - every device shows the same photos, fields and albums outside the trash, and a photo in
//!   one device's trash is in every other's or was deleted for good there;
//! - an edit made after seeing another's (a caption, an album's name) wins over it;
//! - every photo a device still has has its original's bytes somewhere (a device or the
//!   store), and they hash right;
//! - the store lost only objects that a prune or a device's own compaction may delete, and no
//!   file outside the libraries nor a person's own file inside one was touched;
//! - no device changed its id except by `devices retire`.
//!
//! No real time passes: clocks are injected (`Library::set_clock`). A failing seed prints the
//! command that replays it. `SHOEBOX_SIM_SEEDS` (how many, default 200 here, in four parts run
//! side by side; `scripts/soak.sh` runs thousands), `SHOEBOX_SIM_BASE` (the first),
//! `SHOEBOX_SIM_SEED` (one seed), `SHOEBOX_SIM_STEPS` (operations per seed, default 60) and
//! `SHOEBOX_SIM_KEEP_DIR=1` (a failing seed's folders are kept) size and debug a run.

use shoebox_engine::Library;
use shoebox_engine::faults::{self, Plan};
use shoebox_tests::Jpeg;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

const DAY: i64 = 86_400_000;

/// One computer: a library of its own, its clock's offset from the simulation's time.
struct Dev {
    name: String,
    root: PathBuf,
    src: PathBuf,
    lib: Option<Library>,
    skew: Arc<AtomicI64>,
    id: Option<String>,
    /// Retired by another device: never used again.
    gone: bool,
    /// A file of the person's own in the library's folder, and its bytes.
    own_file: (PathBuf, Vec<u8>),
}

/// An edit whose value can be told apart (a caption, an album name) and the edit whose value
/// its device showed when it was made: it must win over that one.
struct Edit {
    /// The device that made it: a device retired before it synced takes its last edits with
    /// it, so those are not counted.
    dev: usize,
    key: (String, String),
    parent: Option<String>,
}

struct Sim {
    seed: u64,
    rng: fastrand::Rng,
    dir: tempfile::TempDir,
    store: PathBuf,
    plan: Arc<Plan>,
    plan_name: String,
    now: Arc<AtomicI64>,
    devs: Vec<Dev>,
    photos: Vec<(String, String, Vec<u8>)>,
    edits: Vec<Edit>,
    next_edit: u64,
    /// Files outside every library that must stay as they are.
    outside: Vec<(PathBuf, Vec<u8>)>,
    trace: Vec<String>,
    retired: BTreeSet<String>,
}

fn env_num(k: &str) -> Option<u64> {
    std::env::var(k).ok().and_then(|v| v.parse().ok())
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir(dir) {
        let rel = e
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with(".shoebox-tmp") {
            continue;
        }
        out.insert(rel, std::fs::read(&e).unwrap_or_default());
    }
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A photo's state as a device shows it, for comparison across devices.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    favourite: bool,
    caption: Option<String>,
    rating: u8,
    trashed: bool,
}

type State = (BTreeMap<String, Shown>, BTreeSet<(String, Vec<String>)>);

fn state(lib: &Library) -> State {
    let mut photos = BTreeMap::new();
    for a in lib.list().unwrap() {
        photos.insert(
            a.hash.clone(),
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
            .filter(|h| photos.get(h).is_some_and(|p: &Shown| !p.trashed))
            .collect();
        m.sort();
        albums.insert((al.name, m));
    }
    (photos, albums)
}

impl Sim {
    fn new(seed: u64) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let mut rng = fastrand::Rng::with_seed(seed);
        let plan = Arc::new(Plan::new(
            seed,
            rng.f64() * 0.06,
            rng.f64() * 0.15,
            rng.f64() * 0.04,
        ));
        plan.set_on(false);
        let plan_name = format!("sim-{seed}");
        faults::register(&plan_name, plan.clone());
        // A pool of photos: some share a name and a month with different bytes.
        let mut photos = Vec::new();
        for i in 0..10u64 {
            let month = 1 + i % 3;
            let name = format!("IMG_{}.JPG", i % 7);
            let bytes = Jpeg::new(16, 12)
                .seed(seed.wrapping_mul(31).wrapping_add(i))
                .taken(&format!("2023:{month:02}:0{} 10:00:00", 1 + i % 5), None)
                .bytes();
            photos.push((name, blake3::hash(&bytes).to_hex().to_string(), bytes));
        }
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, b"not the library's").unwrap();
        let mut s = Sim {
            seed,
            rng,
            store,
            plan,
            plan_name,
            now: Arc::new(AtomicI64::new(1_790_000_000_000)),
            devs: Vec::new(),
            photos,
            edits: Vec::new(),
            next_edit: 0,
            outside: vec![(outside.clone(), b"not the library's".to_vec())],
            trace: Vec::new(),
            retired: BTreeSet::new(),
            dir,
        };
        let n = 2 + s.rng.usize(..2);
        for _ in 0..n {
            s.join();
        }
        s.plan.set_on(true);
        s
    }

    fn say(&mut self, what: String) {
        self.trace.push(what);
    }

    /// A new device: its library, the shared store as its only target.
    fn join(&mut self) {
        let i = self.devs.len();
        let name = format!("d{i}");
        let root = self.dir.path().join(&name);
        let src = self.dir.path().join(format!("{name}-src"));
        std::fs::create_dir_all(&src).unwrap();
        let was_on = self.plan.is_on();
        self.plan.set_on(false);
        let mut lib = Library::open(&root).unwrap();
        let skew = Arc::new(AtomicI64::new(match self.rng.u8(..4) {
            0 => 0,
            1 => -(self.rng.i64(1..30) * DAY),
            2 => self.rng.i64(1..12) * 3_600_000,
            _ => -(self.rng.i64(1..12) * 3_600_000),
        }));
        let (now, sk) = (self.now.clone(), skew.clone());
        lib.set_clock(Arc::new(move || {
            (now.load(Ordering::SeqCst) + sk.load(Ordering::SeqCst)).max(0) as u64
        }));
        let mut opts = BTreeMap::new();
        opts.insert("root".to_owned(), self.store.display().to_string());
        opts.insert("fault_plan".to_owned(), self.plan_name.clone());
        lib.target_add("shared", "fs", opts, BTreeMap::new())
            .unwrap();
        lib.target_remove("local").unwrap();
        // A file of the person's own where another device's photo would go.
        let own = root.join(format!("originals/2023/0{}/IMG_{}.JPG", 1 + i % 3, i % 7));
        std::fs::create_dir_all(own.parent().unwrap()).unwrap();
        let own_bytes = format!("the person's own file on {name}").into_bytes();
        std::fs::write(&own, &own_bytes).unwrap();
        self.devs.push(Dev {
            name: name.clone(),
            root,
            src,
            lib: Some(lib),
            skew,
            id: None,
            gone: false,
            own_file: (own, own_bytes),
        });
        self.plan.set_on(was_on);
        self.say(format!("join {name}"));
    }

    fn active(&self) -> Vec<usize> {
        (0..self.devs.len())
            .filter(|i| !self.devs[*i].gone)
            .collect()
    }

    fn lib(&mut self, d: usize) -> &mut Library {
        self.devs[d].lib.as_mut().unwrap()
    }

    /// The device's id must never change by itself.
    fn check_id(&mut self, d: usize) {
        let id = self.lib(d).devices().unwrap().0;
        match &self.devs[d].id {
            None => self.devs[d].id = Some(id),
            Some(old) => assert_eq!(
                *old, id,
                "{} changed its device id by itself",
                self.devs[d].name
            ),
        }
    }

    fn hashes(&mut self, d: usize, trashed: Option<bool>) -> Vec<String> {
        self.lib(d)
            .list()
            .unwrap()
            .into_iter()
            .filter(|a| trashed.is_none_or(|t| t == a.trashed_at.is_some()))
            .map(|a| a.hash)
            .collect()
    }

    fn pick_photo(&mut self, d: usize, trashed: Option<bool>) -> Option<String> {
        let h = self.hashes(d, trashed);
        (!h.is_empty()).then(|| h[self.rng.usize(..h.len())].clone())
    }

    fn edit_id(&mut self) -> String {
        self.next_edit += 1;
        format!("e{}-{}", self.seed, self.next_edit)
    }

    fn sync(&mut self, d: usize) -> Result<shoebox_engine::SyncReport, String> {
        let r = self
            .lib(d)
            .sync(Some("shared"), &|_| {}, &|| {})
            .map(|mut v| v.pop());
        match r {
            Ok(Some(Ok(r))) => Ok(r),
            Ok(Some(Err((_, e)))) => Err(e),
            Ok(None) => Err("no target".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn step(&mut self) {
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
                    let parent = self.lib(d).show(&h).unwrap().meta.description;
                    let v = self.edit_id();
                    let ok = self.lib(d).set_caption(&h, Some(&v)).is_ok();
                    if ok {
                        self.edits.push(Edit {
                            dev: d,
                            key: (h.clone(), "caption".into()),
                            parent,
                        });
                    }
                    self.say(format!("{name} caption {} {v}", &h[..8]));
                }
            }
            25..=31 => {
                if let Some(h) = self.pick_photo(d, Some(false)) {
                    let on = self.rng.bool();
                    let _ = self.lib(d).set_favourite(std::slice::from_ref(&h), on);
                    let stars = self.rng.u8(..6);
                    let _ = self.lib(d).rate(std::slice::from_ref(&h), stars);
                    self.say(format!("{name} favourite {} {on} rate {stars}", &h[..8]));
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
                            self.say(format!("{name} album {a} add={add} {}", &h[..8]));
                        }
                    }
                }
            }
            40..=45 => {
                let trash = self.rng.u8(..3) > 0;
                if let Some(h) = self.pick_photo(d, Some(!trash)) {
                    let _ = self.lib(d).set_trashed(std::slice::from_ref(&h), trash);
                    self.say(format!("{name} trash={trash} {}", &h[..8]));
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
                let remote: Vec<String> = self
                    .lib(d)
                    .list()
                    .unwrap()
                    .into_iter()
                    .filter(|a| a.device.is_some())
                    .map(|a| a.hash)
                    .collect();
                if !remote.is_empty() {
                    let h = remote[self.rng.usize(..remote.len())].clone();
                    if let Ok(f) = self.lib(d).fetch(&h) {
                        assert_eq!(
                            shoebox_tests::hash_of(&f.file),
                            h,
                            "{name}: fetch gave a file that is not the photo"
                        );
                    }
                    self.say(format!("{name} fetch {}", &h[..8]));
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

    /// Objects that left the store: only what a prune may delete (a photo's original, its
    /// thumbnails, its sidecar) or a device's own compacted log.
    fn check_store_deletions(&self, before: &BTreeMap<String, Vec<u8>>, prune: bool) {
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

    fn replay(&self) -> String {
        let devices: Vec<String> = self
            .devs
            .iter()
            .filter_map(|d| {
                let (id, peers) = d.lib.as_ref()?.devices().ok()?;
                let peers: Vec<String> = peers
                    .iter()
                    .map(|p| format!("{}@{}", &p.device[..6], p.applied_seq))
                    .collect();
                Some(format!("{} = {id} sees {peers:?}", d.name))
            })
            .collect();
        format!("devices: {devices:?}\n{}", self.replay_command())
    }

    fn replay_command(&self) -> String {
        format!(
            "replay: SHOEBOX_SIM_SEED={} SHOEBOX_SIM_STEPS={} cargo nextest run -p \
             shoebox-tests --test simulation\nlast steps:\n  {}",
            self.seed,
            steps(),
            self.trace
                .iter()
                .rev()
                .take(60)
                .rev()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        )
    }

    /// Faults off; every device syncs until a whole round changes nothing.
    fn quiet(&mut self) {
        self.plan.set_on(false);
        for round in 0..12 {
            let mut busy = false;
            for d in self.active() {
                let r = self.sync(d);
                let r = r.unwrap_or_else(|e| {
                    panic!(
                        "{} could not sync in the quiet phase: {e}\n{}",
                        self.devs[d].name,
                        self.replay()
                    )
                });
                let name = self.devs[d].name.clone();
                self.say(format!(
                    "quiet {name}: new {} applied {} pushed {} announced {} uploaded {} {:?}",
                    r.new_photos, r.edits_applied, r.pushed, r.announced, r.uploaded, r.problems
                ));
                busy |= r.new_photos + r.edits_applied + r.pushed + r.announced + r.uploaded > 0;
                busy |= !r.problems.is_empty();
            }
            if !busy && round > 0 {
                return;
            }
        }
        panic!("still changing after 12 quiet rounds\n{}", self.replay());
    }

    fn check(&mut self) {
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
                    || store_hashes.contains(&a.hash)
                    || act.iter().any(|&o| {
                        let l = self.devs[o].lib.as_ref().unwrap();
                        l.show(&a.hash)
                            .ok()
                            .and_then(|b| l.local_original(&b))
                            .is_some_and(|f| shoebox_tests::hash_of(&f) == a.hash)
                    });
                assert!(
                    anywhere,
                    "{}: the original of {} ({}) is nowhere\n{}",
                    self.devs[d].name,
                    &a.hash[..8],
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

impl Drop for Sim {
    fn drop(&mut self) {
        faults::unregister(&self.plan_name);
        // `SHOEBOX_SIM_KEEP_DIR=1`: a failing seed's libraries and store stay for a look.
        if std::thread::panicking() && std::env::var_os("SHOEBOX_SIM_KEEP_DIR").is_some() {
            let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
            eprintln!("kept: {}", dir.keep().display());
        }
    }
}

fn steps() -> u64 {
    env_num("SHOEBOX_SIM_STEPS").unwrap_or(60)
}

fn run(seed: u64) -> usize {
    // The program's own random choices (device ids, nonces, temp names) on this thread follow
    // the seed too, so a seed replays the same run.
    fastrand::seed(seed);
    let mut s = Sim::new(seed);
    let n = steps();
    for _ in 0..n {
        s.step();
    }
    s.quiet();
    s.check();
    s.trace.len()
}

fn setup_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let home = std::env::temp_dir().join(format!("shoebox-sim-home-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        // SAFETY: set once, before any thread of this test binary reads the environment.
        unsafe {
            std::env::set_var("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
            std::env::set_var("XDG_CONFIG_HOME", home.join("config"));
        }
    });
}

/// Runs seeds `part`, `part + parts`, … of the chosen range (CI runs the parts at once).
fn run_part(part: u64, parts: u64) {
    setup_env();
    let seeds: Vec<u64> = match env_num("SHOEBOX_SIM_SEED") {
        Some(s) if part == 0 => vec![s],
        Some(_) => return,
        None => {
            let n = env_num("SHOEBOX_SIM_SEEDS").unwrap_or(200);
            let base = env_num("SHOEBOX_SIM_BASE").unwrap_or(1);
            (base..base + n)
                .filter(|s| (s - base) % parts == part)
                .collect()
        }
    };
    let start = std::time::Instant::now();
    let mut longest = 0;
    // `SHOEBOX_SIM_KEEP_GOING=1` (the soak) runs every seed and lists the failing ones.
    let keep_going = std::env::var_os("SHOEBOX_SIM_KEEP_GOING").is_some();
    let mut failed = Vec::new();
    for &seed in &seeds {
        if keep_going {
            match std::panic::catch_unwind(|| run(seed)) {
                Ok(n) => longest = longest.max(n),
                Err(_) => failed.push(seed),
            }
        } else {
            longest = longest.max(run(seed));
        }
    }
    assert!(failed.is_empty(), "failing seeds: {failed:?}");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "simulation part {part}: {} seeds, {} steps each, longest schedule {longest} \
         operations, {:.2} seeds/s",
        seeds.len(),
        steps(),
        seeds.len() as f64 / secs
    );
}

// Four parts of the seeds, so the test runner runs them side by side (`SHOEBOX_SIM_SEEDS`
// seeds in all, 200 by default).
#[test]
fn sync_converges_and_loses_nothing_part_0() {
    run_part(0, 4);
}

#[test]
fn sync_converges_and_loses_nothing_part_1() {
    run_part(1, 4);
}

#[test]
fn sync_converges_and_loses_nothing_part_2() {
    run_part(2, 4);
}

#[test]
fn sync_converges_and_loses_nothing_part_3() {
    run_part(3, 4);
}
