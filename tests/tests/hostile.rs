//! Hostile inputs: no panic, no hang, every file accounted for, memory bounded, library intact.

use serde_json::Value;
use shoebox_tests::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut r = fastrand::Rng::with_seed(seed);
    (0..n).map(|_| r.u8(..)).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn hostile_files_are_rejected_with_reasons_and_nothing_breaks() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("drop");
    std::fs::create_dir(&src).unwrap();
    let mut expect_rejected = Vec::new();
    let mut expect_imported = Vec::new();

    expect_rejected.push(write(&src, "zero.jpg", b""));
    let good = Jpeg::new(400, 300)
        .taken("2023:07:01 12:00:00", Some("+02:00"))
        .progressive(true)
        .bytes();
    for (i, cut) in [
        2usize,
        10,
        20,
        60,
        150,
        300,
        600,
        1000,
        2000,
        good.len() / 2,
        good.len() - 10,
    ]
    .into_iter()
    .enumerate()
    {
        // Accounted for either way: a cut in the scan data may still decode.
        write(
            &src,
            &format!("cut{i:02}.jpg"),
            &good[..cut.min(good.len() - 1)],
        );
    }
    let heic = std::fs::read(data_dir().join("sample.heic")).unwrap();
    let mp4 = std::fs::read(data_dir().join("sample.mp4")).unwrap();
    for cut in [4usize, 30, 200, 1000] {
        write(&src, &format!("cut{cut}.heic"), &heic[..cut]);
        write(&src, &format!("cut{cut}.mp4"), &mp4[..cut]);
    }
    for (i, ext) in ["jpg", "png", "webp", "gif", "tif", "heic", "mp4", "mov"]
        .iter()
        .enumerate()
    {
        expect_rejected.push(write(
            &src,
            &format!("random.{ext}"),
            &random_bytes(5000 + i * 77, i as u64),
        ));
    }
    expect_rejected.push(write(&src, "bomb.jpg", &jpeg_bomb(60000, 60000)));
    expect_rejected.push(write(&src, "bomb.png", &png_bomb(60000, 60000)));
    // A corrupt EXIF block costs the tags, not the photo.
    let mut bad_exif = b"Exif\0\0MM\0\x2a\xff\xff\xff\xf0".to_vec();
    bad_exif.extend(random_bytes(200, 99));
    expect_imported.push(write(
        &src,
        "badexif.jpg",
        &Jpeg::new(64, 48).seed(5).raw_app1(bad_exif).bytes(),
    ));
    // A 255-byte name.
    let long = format!("{}.jpg", "a".repeat(251));
    expect_imported.push(write(&src, &long, &Jpeg::new(32, 32).seed(6).bytes()));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.jpg");
        let p = src.join(name);
        std::fs::write(&p, Jpeg::new(32, 32).seed(7).bytes()).unwrap();
        expect_imported.push(p);
        std::os::unix::fs::symlink(&src, src.join("loop")).unwrap();
        let fifo = src.join("fifo.jpg");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        expect_rejected.push(fifo);
    }

    let lib = t.path().join("lib");
    let mut cmd = shoebox(&lib, &["import", "--json"]);
    cmd.arg(&src);
    let out = run_bounded(cmd, Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejections give exit code 1; stderr: {stderr}"
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();

    let listed = |key: &str| -> HashSet<String> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x.get("source")
                    .or(x.get("path"))
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let (imported, rejected) = (listed("imported"), listed("rejected"));
    let all: HashSet<String> = ["imported", "duplicates", "skipped", "rejected"]
        .iter()
        .flat_map(|k| listed(k))
        .collect();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap() == "loop" {
            continue;
        }
        assert!(
            all.contains(&p.display().to_string()),
            "{} is not accounted for: {r}",
            p.display()
        );
    }
    for p in &expect_rejected {
        assert!(
            rejected.contains(&p.display().to_string()),
            "{} should be rejected: {r}",
            p.display()
        );
    }
    for p in &expect_imported {
        assert!(
            imported.contains(&p.display().to_string()),
            "{} should be imported: {r}",
            p.display()
        );
    }
    for rej in r["rejected"].as_array().unwrap() {
        let reason = rej["reason"].as_str().unwrap();
        assert!(reason.len() > 8, "a reason a person can read: {rej}");
    }
    let reason_of = |name: &str| {
        r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["path"].as_str().unwrap().ends_with(name))
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        reason_of("bomb.jpg").contains("decoding limit"),
        "{}",
        reason_of("bomb.jpg")
    );
    assert!(
        reason_of("bomb.png").contains("decoding limit"),
        "{}",
        reason_of("bomb.png")
    );
    assert!(reason_of("zero.jpg").contains("empty"));
    assert!(reason_of("fifo.jpg").contains("FIFO"));
    assert!(
        r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["reason"].as_str().unwrap().contains("symlink loop"))
    );

    let peak = peak_rss_of_children_bytes();
    assert!(peak < 1 << 30, "peak RSS of shoebox was {} MiB", peak >> 20);

    // The library is whole: every imported file checks out, nothing untracked, no temp files.
    let check = json(&mut shoebox(&lib, &["check", "--json"]), 0);
    assert_eq!(
        check["ok"].as_u64().unwrap(),
        imported.len() as u64,
        "{check}"
    );
    assert_eq!(
        std::fs::read_dir(lib.join(".shoebox/tmp")).unwrap().count(),
        0
    );
    // The long name fits, the non-UTF-8 name became valid UTF-8.
    let assets = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    for a in assets.as_array().unwrap() {
        let name = a["path"].as_str().unwrap().rsplit('/').next().unwrap();
        assert!(name.len() <= 255, "{name}");
    }
}

#[test]
fn a_damaged_catalog_is_reported_and_kept() {
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("lib");
    run_ok(&mut shoebox(&lib, &["status"]), 0);
    let db = lib.join(".shoebox/catalog.db");
    let junk = random_bytes(64 * 1024, 3);
    std::fs::write(&db, &junk).unwrap();
    let _ = std::fs::remove_file(lib.join(".shoebox/catalog.db-wal"));
    let _ = std::fs::remove_file(lib.join(".shoebox/catalog.db-shm"));
    let out = run_ok(&mut shoebox(&lib, &["ls"]), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("damaged") && err.contains("left untouched"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        junk,
        "the damaged catalog is kept as it was"
    );
}

#[test]
fn a_library_on_a_full_disk_reports_and_keeps_what_was_committed() {
    // A read-only originals folder stands in for a full disk: every write fails the same way.
    // (As root, permissions do not stop writes, so the test uses a file where a folder must be.)
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    Jpeg::new(32, 32)
        .taken("2023:07:01 12:00:00", None)
        .write(&src.join("a.jpg"));
    Jpeg::new(32, 32)
        .seed(2)
        .taken("2024:08:01 12:00:00", None)
        .write(&src.join("b.jpg"));
    let lib = t.path().join("lib");
    json(
        shoebox(&lib, &["import", "--json"]).arg(src.join("a.jpg")),
        0,
    );
    // originals/2024 cannot be created: a file is in the way.
    std::fs::write(lib.join("originals/2024"), b"in the way").unwrap();
    let out = run_ok(shoebox(&lib, &["import"]).arg(&src), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("originals/2024"),
        "the error names the place that failed: {err}"
    );
    let check = json(&mut shoebox(&lib, &["check", "--json"]), 1);
    // The earlier import is intact; the only problem is the stray file we planted.
    assert_eq!(check["ok"], 1);
    assert_eq!(check["problems"].as_array().unwrap().len(), 1, "{check}");
    assert_eq!(check["problems"][0]["kind"], "untracked");
}

/// A really full disk: the library lives on a 2 MiB tmpfs (needs root to mount, as CI has).
#[test]
fn a_really_full_disk_stops_the_import_with_a_clear_error_and_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let mnt = t.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("SKIPPED: mounting a tmpfs needs root (CI runs as root and runs this test)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for i in 0..12 {
        let px = random_bytes(360 * 360 * 3, i);
        Jpeg::new(360, 360)
            .pixels(px)
            .write(&src.join(format!("n{i:02}.jpg")));
    }
    let lib = mnt.join("lib");
    let out = run_bounded(
        {
            let mut c = shoebox(&lib, &["import", "--json"]);
            c.arg(&src);
            c
        },
        Duration::from_secs(120),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains("No space left on device") || err.contains("full"),
        "{err}"
    );
    // Free some room the way a user would, then the library must check out and the import finish.
    let _ = Command::new("mount")
        .args(["-o", "remount,size=32m"])
        .arg(&mnt)
        .status();
    let check = json(&mut shoebox(&lib, &["check", "--json"]), 0);
    assert_eq!(check["catalog_integrity"], "ok");
    assert_eq!(
        std::fs::read_dir(lib.join(".shoebox/tmp")).unwrap().count(),
        0,
        "temp files swept"
    );
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    let total =
        r["counts"]["imported"].as_u64().unwrap() + r["counts"]["duplicates"].as_u64().unwrap();
    assert_eq!(total, 12, "{r}");
    assert_eq!(json(&mut shoebox(&lib, &["check", "--json"]), 0)["ok"], 12);
}
