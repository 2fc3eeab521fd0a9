//! Import behaviour: copies only, dedup by content, no overwrite, rules, concurrency, check.

use serde_json::Value;
use shoebox_tests::*;
use std::path::{Path, PathBuf};

fn snapshot(dir: &Path) -> Vec<(PathBuf, String, std::time::SystemTime)> {
    let mut v: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap().modified().unwrap();
            (p.clone(), hash_of(&p), m)
        })
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn names(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn import_copies_dedups_and_never_overwrites() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    let b = t.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let same = Jpeg::new(64, 48).taken("2023:07:01 10:00:00", None);
    same.write(&a.join("IMG_1.JPG"));
    same.write(&b.join("copy-of-IMG_1.jpg"));
    // Same name, same month, different bytes: both kept under distinct names.
    Jpeg::new(64, 48)
        .seed(9)
        .taken("2023:07:02 10:00:00", None)
        .write(&b.join("IMG_1.JPG"));
    let before = snapshot(t.path());

    let lib = t.path().join("lib");
    let r1 = json(shoebox(&lib, &["import", "--json"]).arg(&a), 0);
    assert_eq!(r1["counts"]["imported"], 1);
    let r2 = json(shoebox(&lib, &["import", "--json"]).arg(&b), 0);
    assert_eq!(r2["counts"]["imported"], 1, "{r2}");
    assert_eq!(r2["counts"]["duplicates"], 1, "{r2}");
    let dup = &r2["duplicates"][0];
    assert!(dup["path"].as_str().unwrap().ends_with("copy-of-IMG_1.jpg"));
    assert_eq!(dup["existing"], "originals/2023/07/IMG_1.JPG");
    assert!(
        dup["reason"]
            .as_str()
            .unwrap()
            .contains("already in the library")
    );
    assert_eq!(r2["imported"][0]["path"], "originals/2023/07/IMG_1 (2).JPG");

    // Re-importing everything imports nothing.
    let r3 = json(shoebox(&lib, &["import", "--json"]).arg(&a).arg(&b), 0);
    assert_eq!(r3["counts"]["imported"], 0);
    assert_eq!(r3["counts"]["duplicates"], 3);

    // Sources untouched: same files, same bytes, same mtimes.
    let after: Vec<_> = snapshot(t.path())
        .into_iter()
        .filter(|(p, _, _)| !p.starts_with(&lib))
        .collect();
    assert_eq!(before, after);
    // Library originals are byte-identical to their sources.
    assert_eq!(
        hash_of(&lib.join("originals/2023/07/IMG_1.JPG")),
        hash_of(&a.join("IMG_1.JPG"))
    );
    assert_eq!(
        hash_of(&lib.join("originals/2023/07/IMG_1 (2).JPG")),
        hash_of(&b.join("IMG_1.JPG"))
    );
    let check = json(&mut shoebox(&lib, &["check", "--json"]), 0);
    assert_eq!(check["ok"], 2);
}

#[test]
fn extension_and_size_rules_skip_with_a_reason_and_show_in_status() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    Jpeg::new(400, 300).write(&src.join("big.jpg"));
    Jpeg::new(16, 16).seed(3).write(&src.join("small.jpg"));
    std::fs::write(src.join("notes.txt"), "hello").unwrap();
    std::fs::write(src.join(".hidden.jpg"), "x").unwrap();
    let lib = t.path().join("lib");
    run_ok(
        &mut shoebox(&lib, &["settings", "set", "max_file_size", "2K"]),
        0,
    );
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 1, "{r}");
    let skipped = &r["skipped"];
    let reason = |suffix: &str| {
        skipped
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["path"].as_str().unwrap().ends_with(suffix))
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(reason("big.jpg").contains("max_file_size"));
    assert!(reason("notes.txt").contains("allowed_extensions"));
    assert!(reason(".hidden.jpg").contains("hidden"));
    let st = json(&mut shoebox(&lib, &["status", "--json"]), 0);
    assert_eq!(st["settings"]["max_file_size"], 2048);
    assert_eq!(st["last_import"]["skipped"], 3);
    assert!(
        st["settings"]["allowed_extensions"]
            .as_array()
            .unwrap()
            .contains(&Value::from("heic"))
    );
    let out = run_ok(
        &mut shoebox(&lib, &["settings", "set", "allowed_extensions", "jpg,exe"]),
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read .exe"));
}

#[test]
fn two_imports_at_once_neither_corrupt_nor_duplicate() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for i in 0..40 {
        Jpeg::new(320, 240)
            .seed(i)
            .write(&src.join(format!("p{i:02}.jpg")));
    }
    let lib = t.path().join("lib");
    run_ok(&mut shoebox(&lib, &["status"]), 0);
    let c1 = shoebox(&lib, &["import", "--json"])
        .arg(&src)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let c2 = shoebox(&lib, &["import", "--json"])
        .arg(&src)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let o1 = c1.wait_with_output().unwrap();
    let o2 = c2.wait_with_output().unwrap();
    assert!(o1.status.success() && o2.status.success());
    let r1: Value = serde_json::from_slice(&o1.stdout).unwrap();
    let r2: Value = serde_json::from_slice(&o2.stdout).unwrap();
    let imported =
        r1["counts"]["imported"].as_u64().unwrap() + r2["counts"]["imported"].as_u64().unwrap();
    assert_eq!(
        imported, 40,
        "each file imported exactly once across both: {r1} {r2}"
    );
    let assets = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    assert_eq!(assets.as_array().unwrap().len(), 40);
    assert_eq!(walk(&lib.join("originals")).len(), 40);
    let check = json(&mut shoebox(&lib, &["check", "--json"]), 0);
    assert_eq!(check["catalog_integrity"], "ok");
    assert_eq!(check["ok"], 40);
    let waited = String::from_utf8_lossy(&o1.stderr).contains("waiting")
        || String::from_utf8_lossy(&o2.stderr).contains("waiting");
    let one_was_all_duplicates =
        r1["counts"]["duplicates"] == 40 || r2["counts"]["duplicates"] == 40;
    assert!(
        waited || one_was_all_duplicates,
        "the second import either waited or found everything done"
    );
}

#[test]
fn check_reports_missing_corrupt_and_untracked_and_deletes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for i in 0..3 {
        Jpeg::new(64, 48)
            .seed(i)
            .taken("2023:07:01 10:00:00", None)
            .write(&src.join(format!("p{i}.jpg")));
    }
    let lib = t.path().join("lib");
    json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    let clean = json(&mut shoebox(&lib, &["check", "--json"]), 0);
    assert_eq!(clean["problems"].as_array().unwrap().len(), 0);
    let dir = lib.join("originals/2023/07");
    std::fs::remove_file(dir.join("p0.jpg")).unwrap();
    let mut bytes = std::fs::read(dir.join("p1.jpg")).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x55;
    std::fs::write(dir.join("p1.jpg"), &bytes).unwrap();
    std::fs::write(dir.join("stray.jpg"), b"not from shoebox").unwrap();
    let r = json(&mut shoebox(&lib, &["check", "--json"]), 1);
    let kinds: Vec<(String, String)> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("missing".into(), "originals/2023/07/p0.jpg".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("corrupt".into(), "originals/2023/07/p1.jpg".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("untracked".into(), "originals/2023/07/stray.jpg".into())),
        "{kinds:?}"
    );
    assert_eq!(r["ok"], 1);
    assert!(dir.join("stray.jpg").exists() && dir.join("p1.jpg").exists());
    assert_eq!(
        json(&mut shoebox(&lib, &["ls", "--json"]), 0)
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn default_library_honours_shoebox_library_env() {
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("envlib");
    let f = t.path().join("x.jpg");
    Jpeg::new(16, 16).write(&f);
    let out = std::process::Command::new(shoebox_bin())
        .args(["import", "--json"])
        .arg(&f)
        .env("SHOEBOX_LIBRARY", &lib)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(lib.join(".shoebox/catalog.db").is_file());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(names(&r, "imported").len(), 1);
}

#[test]
fn same_name_same_month_in_one_import_gets_distinct_names() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    for (i, d) in ["c", "d", "e"].iter().enumerate() {
        std::fs::create_dir_all(src.join(d)).unwrap();
        Jpeg::new(32, 32)
            .seed(i as u64)
            .taken("2023:07:01 10:00:00", None)
            .write(&src.join(d).join("IMG_1.JPG"));
    }
    // Same bytes twice in one import: one asset.
    std::fs::copy(src.join("c/IMG_1.JPG"), src.join("c/again.jpg")).unwrap();
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 3, "{r}");
    assert_eq!(r["counts"]["duplicates"], 1, "{r}");
    let mut paths: Vec<String> = r["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "originals/2023/07/IMG_1 (2).JPG",
            "originals/2023/07/IMG_1 (3).JPG",
            "originals/2023/07/IMG_1.JPG"
        ]
    );
    assert_eq!(json(&mut shoebox(&lib, &["check", "--json"]), 0)["ok"], 3);
}

/// Which copy keeps the bytes, and which name gets "(2)", follow the order the import lists
/// its files in (by name, folder by folder), however the workers happen to finish.
#[test]
fn one_import_names_and_dedups_in_the_order_of_its_files() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    // 24 folders, each with the same three names; the photo in folder k is the same bytes
    // in every folder that shares k % 8, so most photos are copies of an earlier one.
    for k in 0..24u64 {
        let d = src.join(format!("f{k:02}"));
        std::fs::create_dir_all(&d).unwrap();
        for (j, n) in ["A.jpg", "B.jpg", "C.jpg"].iter().enumerate() {
            Jpeg::new(64 + 8 * j as u16, 48)
                .seed((k % 8) * 10 + j as u64)
                .taken("2022:03:04 05:06:07", None)
                .write(&d.join(n));
        }
    }
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 24, "{r}");
    assert_eq!(r["counts"]["duplicates"], 48, "{r}");
    let source_of = |i: &Value, key: &str| {
        let s = i[key].as_str().unwrap().to_owned();
        let p = Path::new(&s);
        let dir = p.parent().unwrap().file_name().unwrap().to_string_lossy();
        format!("{dir}/{}", p.file_name().unwrap().to_string_lossy())
    };
    let mut got: Vec<(String, String)> = r["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                source_of(i, "source"),
                i["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want = Vec::new();
    for n in ["A", "B", "C"] {
        for k in 0..8 {
            let nth = if k == 0 {
                String::new()
            } else {
                format!(" ({})", k + 1)
            };
            want.push((
                format!("f{k:02}/{n}.jpg"),
                format!("originals/2022/03/{n}{nth}.jpg"),
            ));
        }
    }
    want.sort();
    assert_eq!(
        got, want,
        "the first copy of each photo keeps it, and names follow order"
    );
    for d in r["duplicates"].as_array().unwrap() {
        let s = source_of(d, "path");
        let k: u64 = s[1..3].parse().unwrap();
        let n = &s[4..5];
        let first = format!("f{:02}/{n}.jpg", k % 8);
        let kept = &got.iter().find(|(src, _)| *src == first).unwrap().1;
        assert_eq!(d["existing"].as_str().unwrap(), kept, "{d}");
    }
}
