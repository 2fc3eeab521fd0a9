//! The store conformance suite: the same checks against every kind of target, each a real server
//! on 127.0.0.1 (or a local folder). Adding a target kind adds one line to `kinds!` below.

use serde_json::Value;
use shoebox_tests::servers::{Server, rclone};
use shoebox_tests::*;
use std::path::{Path, PathBuf};
use std::process::Command;
mod refusals;

struct Env {
    t: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            t: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.t.path().join(p)
    }
    /// shoebox with a private home and secrets file.
    fn sb(&self, lib: &Path, args: &[&str]) -> Command {
        let mut c = shoebox(lib, args);
        c.env("HOME", self.path("home"))
            .env("SHOEBOX_SECRETS_FILE", self.path("secrets.json"));
        c
    }
    fn add_target(&self, lib: &Path, name: &str, s: &Server) {
        let mut c = self.sb(lib, &["target", "add", name]);
        c.args(s.cli_args());
        run_ok(&mut c, 0);
        run_ok(&mut self.sb(lib, &["target", "remove", "local"]), 0);
    }
}

fn fixtures(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..6u64 {
        Jpeg::new(200, 150)
            .seed(i)
            .taken(
                &format!("2023:0{}:1{} 10:00:00", 1 + i % 3, i),
                Some("+01:00"),
            )
            .camera("Test", "Cam", "Lens")
            .write(&dir.join(format!("IMG_{i:04}.JPG")));
    }
    std::fs::copy(data_dir().join("sample.heic"), dir.join("IMG_9000.HEIC")).unwrap();
    std::fs::copy(data_dir().join("sample.mp4"), dir.join("VID_9001.mp4")).unwrap();
}

fn keys(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

fn problems(v: &Value) -> Vec<(String, String, bool)> {
    v["targets"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["key"].as_str().unwrap().to_owned(),
                p["repaired"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn conformance(make: fn() -> Server) {
    let server = make();
    let e = Env::new();
    let lib = e.path("lib");
    fixtures(&e.path("src"));
    json(e.sb(&lib, &["import", "--json"]).arg(e.path("src")), 0);
    e.add_target(&lib, "t", &server);
    let test = json(&mut e.sb(&lib, &["target", "test", "t", "--json"]), 0);
    assert_eq!(test["status"], "ok", "{}: {test}", server.kind);

    // First backup: every original and thumbnail, then a snapshot and its pointer.
    let b = json(&mut e.sb(&lib, &["backup", "--json"]), 0);
    let r = &b["targets"][0];
    assert_eq!(
        r["failed"].as_array().unwrap().len(),
        0,
        "{}: {b}",
        server.kind
    );
    let up = keys(r, "uploaded");
    assert_eq!(
        up.iter().filter(|k| k.starts_with("originals/")).count(),
        8,
        "{}: {up:?}",
        server.kind
    );
    assert!(
        up.iter().filter(|k| k.starts_with("thumbs/")).count() >= 14,
        "{up:?}"
    );
    assert!(r["snapshot"].as_str().unwrap().starts_with("catalogs/"));
    assert!(server.backing.join("shoebox.json").is_file());
    let pointers: Vec<_> = std::fs::read_dir(server.backing.join("catalogs"))
        .unwrap()
        .collect();
    assert_eq!(pointers.len(), 1);

    // Secrets never land in the catalog, the settings, or any JSON output.
    let cat_bytes = std::fs::read(lib.join(".shoebox/catalog.db")).unwrap();
    let listed =
        String::from_utf8(run_ok(&mut e.sb(&lib, &["target", "list", "--json"]), 0).stdout)
            .unwrap();
    for (_, secret) in &server.secrets {
        assert!(
            !cat_bytes
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "secret in the catalog"
        );
        assert!(
            !listed.contains(secret.as_str()) && !b.to_string().contains(secret.as_str()),
            "secret in JSON"
        );
    }

    // Interop: a person with rclone alone gets the same originals (the same bytes, in the
    // same YYYY/MM folders, under names that start with the library's).
    let sums = |dir: &Path| -> Vec<(String, String)> {
        let out = Command::new(rclone())
            .args(["hashsum", "md5"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut v: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(h, p)| {
                // `2023/01/IMG_0000~<tag>.JPG` → folder and name without the tag.
                let (stem, ext) = shoebox_layout::split_ext(p);
                let stem = stem.rsplit_once('~').map_or(stem, |(s, _)| s);
                (h.to_owned(), format!("{stem}{ext}"))
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        sums(&lib.join("originals")),
        sums(&server.backing.join("originals")),
        "{}: the store's originals are the library's, byte for byte",
        server.kind
    );

    // A no-op backup uploads nothing and writes no new snapshot; even its debug log keeps secrets out.
    let out = run_ok(
        e.sb(&lib, &["backup", "--json"])
            .env("SHOEBOX_LOG", "debug"),
        0,
    );
    let log = String::from_utf8_lossy(&out.stderr);
    for (_, secret) in &server.secrets {
        assert!(
            !log.contains(secret.as_str()),
            "{}: a secret in the debug log",
            server.kind
        );
    }
    let b: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        b["targets"][0]["uploaded"].as_array().unwrap().len(),
        0,
        "{b}"
    );
    assert_eq!(
        b["targets"][0]["already_there"].as_array().unwrap().len(),
        0,
        "{b}"
    );
    assert!(b["targets"][0]["snapshot"].is_null(), "{b}");
    let st = json(&mut e.sb(&lib, &["status", "--json"]), 0);
    let ts = &st["targets"][0];
    assert_eq!(ts["pending_uploads"], 0);
    assert!(ts["objects"].as_u64().unwrap() >= 22, "{ts}");
    assert!(ts["last_backup"].is_string());

    // Round trip: a new library from the store alone, byte for byte, field for field.
    let restored = e.path("restored");
    let mut c = e.sb(&lib, &["restore", "--json", "--to"]);
    c.arg(&restored).args(server.cli_args());
    let r = json(&mut c, 0);
    assert_eq!(r["restored"], 8, "{}: {r}", server.kind);
    assert_eq!(r["thumbnails"], 16, "{}: two per photo: {r}", server.kind);
    let a = json(&mut e.sb(&lib, &["ls", "--json"]), 0);
    let b2 = json(&mut e.sb(&restored, &["ls", "--json"]), 0);
    assert_eq!(
        a, b2,
        "{}: the restored catalog has every field",
        server.kind
    );
    assert_eq!(json(&mut e.sb(&restored, &["check", "--json"]), 0)["ok"], 8);

    // Damage on the store: each kind is named by verify, and repaired.
    // Library paths, and the store keys of the same originals.
    let paths: Vec<String> = a
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap().to_owned())
        .collect();
    let originals = store_keys_of(&a);
    let flip = server.backing.join(&originals[0]);
    let mut bytes = std::fs::read(&flip).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&flip, &bytes).unwrap();
    let cut = server.backing.join(&originals[1]);
    let len = std::fs::metadata(&cut).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    std::fs::remove_file(server.backing.join(&originals[2])).unwrap();
    // Servers with a directory cache (rclone's is 500 ms here) see the damage after it expires.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let v = json(&mut e.sb(&lib, &["verify", "--json"]), 1);
    let p = problems(&v);
    assert!(
        p.contains(&("size".into(), originals[1].clone(), false)),
        "{}: {p:?}",
        server.kind
    );
    assert!(
        p.contains(&("missing".into(), originals[2].clone(), false)),
        "{p:?}"
    );
    let v = json(&mut e.sb(&lib, &["verify", "--deep", "--json"]), 1);
    let p = problems(&v);
    assert!(
        p.contains(&("checksum".into(), originals[0].clone(), false)),
        "{}: {p:?}",
        server.kind
    );
    let v = json(
        &mut e.sb(&lib, &["verify", "--deep", "--repair", "--json"]),
        0,
    );
    assert_eq!(problems(&v).len(), 3, "{v}");
    json(&mut e.sb(&lib, &["verify", "--deep", "--json"]), 0);
    for (o, path) in originals.iter().zip(&paths) {
        assert_eq!(
            hash_of(&server.backing.join(o)),
            hash_of(&lib.join(path)),
            "{o} repaired on the store"
        );
    }

    // Damage in the library: fetched back from the store.
    std::fs::remove_file(lib.join(&paths[3])).unwrap();
    std::fs::write(lib.join(&paths[4]), b"overwritten by mistake").unwrap();
    let v = json(&mut e.sb(&lib, &["verify", "--repair", "--json"]), 0);
    let p = problems(&v);
    assert!(
        p.contains(&("local_missing".into(), paths[3].clone(), true)),
        "{p:?}"
    );
    assert!(
        p.contains(&("local_corrupt".into(), paths[4].clone(), true)),
        "{p:?}"
    );
    assert_eq!(json(&mut e.sb(&lib, &["check", "--json"]), 0)["ok"], 8);
    let kept: Vec<_> = std::fs::read_dir(lib.join(".shoebox/damaged"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1, "the damaged original is kept aside");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"overwritten by mistake");

    // A second device: same name and month, different bytes. Nothing is overwritten.
    let lib_b = e.path("lib-b");
    let src_b = e.path("src-b");
    std::fs::create_dir_all(&src_b).unwrap();
    Jpeg::new(120, 90)
        .seed(77)
        .taken("2023:01:10 10:00:00", Some("+01:00"))
        .write(&src_b.join("IMG_0000.JPG"));
    std::fs::copy(e.path("src/IMG_0001.JPG"), src_b.join("IMG_0001.JPG")).unwrap();
    json(e.sb(&lib_b, &["import", "--json"]).arg(&src_b), 0);
    e.add_target(&lib_b, "t", &server);
    let a_key = store_key(
        "originals/2023/01/IMG_0000.JPG",
        &hash_of(&e.path("src/IMG_0000.JPG")),
    );
    let before = hash_of(&server.backing.join(&a_key));
    // Four thumbnails to send to a target it knows nothing of: it lists thumbs/ once instead of
    // asking for each; IMG_0001's are found there.
    let out = run_ok(
        e.sb(&lib_b, &["backup", "--json"])
            .env("SHOEBOX_LOG", "shoebox_store=debug"),
        0,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("thumbnails listed on the store"),
        "{}: {}",
        server.kind,
        String::from_utf8_lossy(&out.stderr)
    );
    let b: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &b["targets"][0];
    let h1 = hash_of(&e.path("src/IMG_0001.JPG"));
    let thumbs_there: Vec<String> = keys(r, "already_there")
        .into_iter()
        .filter(|k| k.starts_with("thumbs/"))
        .collect();
    assert_eq!(thumbs_there.len(), 2, "{}: {b}", server.kind);
    assert!(thumbs_there.iter().all(|k| k.contains(&h1)), "{b}");
    // Device B's IMG_0000 differs from A's: its own content-tagged key, nothing renamed.
    assert_eq!(
        r["renamed"].as_array().unwrap().len(),
        0,
        "{}: {b}",
        server.kind
    );
    assert!(
        keys(r, "uploaded")
            .iter()
            .any(|k| k.starts_with("originals/2023/01/IMG_0000~") && *k != a_key),
        "{b}"
    );
    assert!(
        keys(r, "already_there")
            .iter()
            .any(|k| k.contains(&format!("IMG_0001~{}", &h1[..16]))),
        "{b}"
    );
    assert_eq!(
        hash_of(&server.backing.join(&a_key)),
        before,
        "device A's photo kept"
    );
    // One more photo device A has too: two thumbnails, few enough to ask for each (no
    // listing), and both found already there.
    std::fs::copy(e.path("src/IMG_0002.JPG"), src_b.join("IMG_0002.JPG")).unwrap();
    json(e.sb(&lib_b, &["import", "--json"]).arg(&src_b), 0);
    let out = run_ok(
        e.sb(&lib_b, &["backup", "--json"])
            .env("SHOEBOX_LOG", "shoebox_store=debug"),
        0,
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("thumbnails listed"));
    let b: Value = serde_json::from_slice(&out.stdout).unwrap();
    let h2 = hash_of(&e.path("src/IMG_0002.JPG"));
    let there = keys(&b["targets"][0], "already_there");
    assert_eq!(there.len(), 3, "{}: {b}", server.kind);
    assert!(there.iter().all(|k| k.contains(&h2[..16])), "{b}");
    // Restore now merges both devices' catalogs.
    let both = e.path("both");
    let mut c = e.sb(&lib, &["restore", "--json", "--to"]);
    c.arg(&both).args(server.cli_args());
    let r = json(&mut c, 0);
    assert_eq!(r["restored"], 9, "{}: {r}", server.kind);
    assert_eq!(json(&mut e.sb(&both, &["check", "--json"]), 0)["ok"], 9);
}

macro_rules! kinds {
    ($($name:ident => $make:expr,)*) => {$(
        #[test]
        fn $name() {
            conformance($make)
        }
    )*};
}

kinds! {
    conformance_fs => Server::fs,
    conformance_s3_rclone => Server::rclone_s3,
    conformance_webdav_rclone => || Server::rclone_webdav(false),
    conformance_webdav_nginx => Server::nginx_webdav,
}
