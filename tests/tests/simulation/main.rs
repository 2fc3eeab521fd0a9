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
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
mod checks;
use checks::Shown;
mod steps;

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

type State = (BTreeMap<String, Shown>, BTreeSet<(String, Vec<String>)>);

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

    fn hashes(&mut self, d: usize, trashed: Option<bool>) -> Vec<shoebox_engine::Hash> {
        self.lib(d)
            .list()
            .unwrap()
            .into_iter()
            .filter(|a| trashed.is_none_or(|t| t == a.trashed_at.is_some()))
            .map(|a| a.hash)
            .collect()
    }

    fn pick_photo(&mut self, d: usize, trashed: Option<bool>) -> Option<shoebox_engine::Hash> {
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
            Ok(Some(Err(f))) => Err(f.error),
            Ok(None) => Err("no target".into()),
            Err(e) => Err(e.to_string()),
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
