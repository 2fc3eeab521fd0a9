//! Test support for Shoebox: fixture files made in code, and a handle on the `shoebox` binary.
//!
//! ```no_run
//! let jpeg = shoebox_tests::Jpeg::new(64, 48).taken("2023:07:01 12:34:56", Some("+02:00")).bytes();
//! assert!(jpeg.starts_with(&[0xFF, 0xD8]));
//! ```

pub mod proxy;
pub mod servers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
mod media;
pub use media::*;

/// The `shoebox` binary built next to the running test (`target/<profile>/shoebox`).
pub fn shoebox_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join(format!("shoebox{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p shoebox-cli` (the README's test command does)",
        bin.display()
    );
    bin
}

/// `shoebox --library LIB args…`, with a clean environment for what Shoebox reads.
pub fn shoebox(lib: &Path, args: &[&str]) -> Command {
    shoebox_on(Os::Linux, lib, args)
}

/// Which build of `shoebox` a test runs: this one, or the Windows one under Wine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    /// `target/x86_64-pc-windows-gnu/debug/shoebox.exe` through `scripts/wine/run.sh`. Its
    /// arguments stay Unix paths: under Wine `/tmp/x` is `\tmp\x` on drive Z:, which is `/`.
    Wine,
}

/// [`shoebox`] run as `os`'s build.
pub fn shoebox_on(os: Os, lib: &Path, args: &[&str]) -> Command {
    let mut c = match os {
        Os::Linux => Command::new(shoebox_bin()),
        Os::Wine => {
            let mut c = Command::new(checkout().join("scripts/wine/run.sh"));
            c.arg(shoebox_windows_exe())
                .env("WINEPREFIX", wine_prefix());
            c
        }
    };
    c.arg("--library").arg(lib).args(args);
    c.env_remove("SHOEBOX_LIBRARY").env("TZ", "UTC");
    // Faces are off unless a test turns them on ([`with_faces`]): looking for faces after
    // every import would slow the other tests down and say nothing about them.
    c.env("SHOEBOX_MODELS", checkout().join("target/no-face-models"));
    c
}

/// The folder `scripts/fetch-models.sh` put the face models in (`SHOEBOX_TEST_MODELS`, else
/// the default); a test that needs them fails with what to run when they are not there.
pub fn face_models_dir() -> PathBuf {
    let dir = std::env::var_os("SHOEBOX_TEST_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs_data().join("shoebox/models"));
    assert!(
        dir.join("dlib_face_recognition_resnet_model_v1.dat")
            .is_file(),
        "the face models are not in {}: run scripts/fetch-models.sh (scripts/test.sh does)",
        dir.display()
    );
    dir
}

/// The face test photos `scripts/fetch-models.sh --test-photos` fetched
/// (`SHOEBOX_TEST_PHOTOS`, else its default), checked to be there.
pub fn face_photos_dir() -> PathBuf {
    let dir = std::env::var_os("SHOEBOX_TEST_PHOTOS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/shoebox/face-photos")
        });
    assert!(
        dir.join("obama.jpg").is_file() && dir.join("astronaut.png").is_file(),
        "the face test photos are not in {}: run scripts/fetch-models.sh --test-photos (scripts/test.sh does)",
        dir.display()
    );
    dir
}

/// The face test photos copied into `dir`, and more of the same people made from them: mirrored,
/// half-size, brightened (each a different file, so a different photo).
/// Returns who is in each photo ("" for none).
pub fn face_people(dir: &Path) -> std::collections::BTreeMap<String, &'static str> {
    let src = face_photos_dir();
    std::fs::create_dir_all(dir).unwrap();
    let mut who = std::collections::BTreeMap::new();
    for (name, person) in [
        ("obama.jpg", "obama"),
        ("obama2.jpg", "obama"),
        ("obama3.jpg", "obama"),
        ("biden.jpg", "biden"),
        ("astronaut.png", "collins"),
        ("camera.png", "varshney"),
        ("coffee.png", ""),
        ("rocket.jpg", ""),
    ] {
        std::fs::copy(src.join(name), dir.join(name)).unwrap();
        who.insert(name.to_owned(), person);
    }
    let open = |n: &str| image::open(src.join(n)).unwrap().to_rgb8();
    let save = |img: &image::RgbImage, n: &str| img.save(dir.join(n)).unwrap();
    let b = open("biden.jpg");
    save(&image::imageops::flip_horizontal(&b), "biden-mirrored.jpg");
    save(
        &image::imageops::resize(
            &b,
            b.width() / 2,
            b.height() / 2,
            image::imageops::FilterType::Triangle,
        ),
        "biden-half.jpg",
    );
    let a = open("astronaut.png");
    save(
        &image::imageops::flip_horizontal(&a),
        "astronaut-mirrored.jpg",
    );
    save(
        &image::imageops::colorops::brighten(&a, 30),
        "astronaut-bright.jpg",
    );
    let o = open("obama2.jpg");
    save(&image::imageops::flip_horizontal(&o), "obama2-mirrored.jpg");
    for (n, p) in [
        ("biden-mirrored.jpg", "biden"),
        ("biden-half.jpg", "biden"),
        ("astronaut-mirrored.jpg", "collins"),
        ("astronaut-bright.jpg", "collins"),
        ("obama2-mirrored.jpg", "obama"),
    ] {
        who.insert(n.to_owned(), p);
    }
    who
}

fn dirs_data() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".local/share")
        })
}

/// `cmd` with the face models on.
pub fn with_faces(cmd: &mut Command) -> &mut Command {
    cmd.env("SHOEBOX_MODELS", face_models_dir())
}

/// The Wine prefix every Windows run shares (made at first use, then reused): `WINEPREFIX`, or
/// one in this user's cache. Devices get their own `HOME`; their Wine does not.
pub fn wine_prefix() -> PathBuf {
    static P: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        std::env::var_os("WINEPREFIX")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/shoebox-wine")))
            .expect("HOME or WINEPREFIX")
    })
    .clone()
}

/// The checkout whose tests run (see [`data_dir`]).
pub fn checkout() -> PathBuf {
    data_dir()
        .parent()
        .and_then(|t| t.parent())
        .expect("tests/data is two folders down")
        .to_path_buf()
}

/// The Windows `shoebox.exe` built beside this test's target folder.
pub fn shoebox_windows_exe() -> PathBuf {
    let bin = shoebox_bin();
    let profile = bin.parent().expect("profile folder");
    let target = profile.parent().expect("target folder");
    let exe = target
        .join("x86_64-pc-windows-gnu")
        .join(profile.file_name().unwrap())
        .join("shoebox.exe");
    assert!(
        exe.exists(),
        "{} is missing: build it with `scripts/test-windows.sh --build-only` (the README's test \
         command does)",
        exe.display()
    );
    exe
}

/// Runs and returns the output, panicking with stderr when the exit code is not `want`.
pub fn run_ok(cmd: &mut Command, want: i32) -> Output {
    let out = cmd.output().expect("run shoebox");
    assert_eq!(
        out.status.code(),
        Some(want),
        "exit code of {cmd:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs with `--json` output and parses stdout.
pub fn json(cmd: &mut Command, want: i32) -> serde_json::Value {
    let out = run_ok(cmd, want);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Hex BLAKE3 of a file.
pub fn hash_of(path: &Path) -> String {
    blake3::hash(&std::fs::read(path).expect("read"))
        .to_hex()
        .to_string()
}

/// The fixtures folder, `tests/data`: of the checkout whose tests run (cargo gives a test the
/// manifest folder of its crate when it runs it; this crate's tests are in `tests`), else of
/// the one this was built from (a target directory may be shared by several checkouts).
pub fn data_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(|d| PathBuf::from(d).join("data"))
        .filter(|d| d.join("sample.heic").is_file())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
}

/// The small HEIC and MP4 samples, inside the binary: tools built into a target directory
/// shared by several checkouts must not read a checkout that may be gone.
pub const SAMPLE_HEIC: &[u8] = include_bytes!("../data/sample.heic");
pub const SAMPLE_MP4: &[u8] = include_bytes!("../data/sample.mp4");

/// The store key of an original at library path `path` with content hash `hash` (a
/// content-tagged name: `originals/2023/07/IMG_1~<16 hex>.JPG`).
pub fn store_key(path: &str, hash: &str) -> String {
    shoebox_layout::original_key(
        &shoebox_layout::RelPath::parse(path).expect("a library path"),
        &shoebox_layout::Hash::parse(hash).expect("a content hash"),
    )
}

/// The store key of each asset `shoebox ls --json` lists, in its order.
pub fn store_keys_of(ls: &serde_json::Value) -> Vec<String> {
    ls.as_array()
        .expect("ls --json is an array")
        .iter()
        .map(|a| store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap()))
        .collect()
}

/// A 96×64 JPEG `name` in `dir` (made if needed), taken `when` (EXIF form) at +02:00; its hash.
pub fn photo_taken(dir: &Path, name: &str, seed: u64, when: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let b = Jpeg::new(96, 64)
        .seed(seed)
        .taken(when, Some("+02:00"))
        .write(&dir.join(name));
    blake3::hash(&b).to_hex().to_string()
}

/// One computer of a shared library in a test: its own HOME (settings, secrets) and library,
/// driven through the real `shoebox` binary.
pub struct Device {
    pub home: PathBuf,
    pub lib: PathBuf,
    /// Milliseconds added to this device's wall clock (`SHOEBOX_CLOCK_OFFSET_MS`).
    pub clock_offset_ms: i64,
    /// Segments after which its change log is compacted (`SHOEBOX_CHECKPOINT_EVERY`; 0: the
    /// default).
    pub checkpoint_every: usize,
    pub os: Os,
}

impl Device {
    pub fn new(root: &Path, name: &str, store: &servers::Server) -> Device {
        Device::new_on(Os::Linux, root, name, store)
    }
    /// A device running `os`'s build of `shoebox`.
    pub fn new_on(os: Os, root: &Path, name: &str, store: &servers::Server) -> Device {
        let d = Device {
            home: root.join(format!("{name}-home")),
            lib: root.join(format!("{name}-lib")),
            clock_offset_ms: 0,
            checkpoint_every: 0,
            os,
        };
        std::fs::create_dir_all(&d.home).unwrap();
        run_ok(d.sb(&["target", "add", "shared"]).args(store.cli_args()), 0);
        run_ok(&mut d.sb(&["target", "remove", "local"]), 0);
        d
    }
    pub fn sb(&self, args: &[&str]) -> Command {
        let mut c = shoebox_on(self.os, &self.lib, args);
        c.env("HOME", &self.home)
            .env("SHOEBOX_SECRETS_FILE", self.home.join("secrets.json"))
            .env("SHOEBOX_CLOCK_OFFSET_MS", self.clock_offset_ms.to_string());
        if self.checkpoint_every > 0 {
            c.env(
                "SHOEBOX_CHECKPOINT_EVERY",
                self.checkpoint_every.to_string(),
            );
        }
        c
    }
    pub fn import(&self, dir: &Path) {
        json(self.sb(&["import", "--json"]).arg(dir), 0);
    }
    pub fn hash_of_name(&self, name: &str) -> String {
        let ls = json(&mut self.sb(&["ls", "--json"]), 0);
        ls.as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"].as_str().unwrap().ends_with(name))
            .map(|a| a["hash"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{name} not in {ls}"))
    }
    /// Deletes a photo for good: to the trash, then the trash emptied.
    pub fn delete(&self, hash: &str) {
        run_ok(&mut self.sb(&["trash", hash]), 0);
        run_ok(&mut self.sb(&["trash", "--empty", "--yes"]), 0);
    }
}

/// Runs `cmd` to completion, or fails the test after `limit` (a hang is a failure, not a slow
/// run).
pub fn run_bounded(mut cmd: Command, limit: std::time::Duration) -> Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("shoebox did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The largest peak RSS of any child process this test has waited for.
#[allow(unsafe_code)]
pub fn peak_rss_of_children_bytes() -> u64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss as u64 * 1024
}

/// Every file below `dir` (none when it does not exist).
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
