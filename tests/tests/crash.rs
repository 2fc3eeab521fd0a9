//! kill -9 during import at seeded random points: afterwards every source file is in the library
//! with a matching hash and exactly one catalog row, or in neither; the catalog is intact; no
//! temp files remain after reopening; and a re-run completes the import.

use serde_json::Value;
use shoebox_tests::*;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 50;
const FILES: u64 = 12;

fn source_hashes(src: &Path) -> HashMap<String, String> {
    std::fs::read_dir(src)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                hash_of(&p),
                p.file_name().unwrap().to_string_lossy().into_owned(),
            )
        })
        .collect()
}

fn assert_consistent(lib: &Path, sources: &HashMap<String, String>) -> usize {
    // Opening the library (any command) reconciles what the killed import left.
    let check = json(&mut shoebox(lib, &["check", "--json"]), 0);
    assert_eq!(check["catalog_integrity"], "ok");
    assert_eq!(check["problems"].as_array().unwrap().len(), 0, "{check}");
    let tmp = lib.join(".shoebox/tmp");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "temp files left after reopen"
    );
    let assets = json(&mut shoebox(lib, &["ls", "--json"]), 0);
    let assets = assets.as_array().unwrap();
    let mut rows: HashMap<String, usize> = HashMap::new();
    for a in assets {
        let h = a["hash"].as_str().unwrap().to_owned();
        assert!(
            sources.contains_key(&h),
            "a row for bytes we never imported: {a}"
        );
        assert_eq!(
            hash_of(&lib.join(a["path"].as_str().unwrap())),
            h,
            "file matches its row"
        );
        *rows.entry(h).or_default() += 1;
    }
    assert!(
        rows.values().all(|&n| n == 1),
        "exactly one row per source file: {rows:?}"
    );
    // check found nothing untracked, so files on disk == rows.
    assets.len()
}

#[test]
fn kill_9_during_import_never_corrupts_or_duplicates() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for i in 0..FILES {
        Jpeg::new(900, 600)
            .seed(i)
            .taken(&format!("2023:0{}:01 10:00:00", 1 + i % 9), None)
            .write(&src.join(format!("IMG_{i:04}.JPG")));
    }
    let sources = source_hashes(&src);

    // How long a whole import takes here, so that kills land all along it.
    let probe = t.path().join("probe");
    let start = Instant::now();
    json(shoebox(&probe, &["import", "--json"]).arg(&src), 0);
    let full = start.elapsed();

    let mut rng = fastrand::Rng::with_seed(0x5b0e_b0c5);
    let mut partial_states = 0;
    for run in 0..RUNS {
        let lib = t.path().join(format!("lib{run}"));
        let delay = Duration::from_micros(rng.u64(0..(full.as_micros() as u64 * 11 / 10).max(1)));
        let mut child = shoebox(&lib, &["import", "--json"])
            .arg(&src)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        if !lib.join(".shoebox").exists() {
            continue; // killed before the library existed: nothing to check
        }
        let n = assert_consistent(&lib, &sources);
        if n > 0 && n < FILES as usize {
            partial_states += 1;
        }
        let r: Value = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
        let done =
            r["counts"]["imported"].as_u64().unwrap() + r["counts"]["duplicates"].as_u64().unwrap();
        assert_eq!(
            done, FILES,
            "run {run}: the re-run completes the import: {r}"
        );
        assert_eq!(assert_consistent(&lib, &sources), FILES as usize);
    }
    eprintln!("{RUNS} kills over a {full:?} import; {partial_states} left a partial import");
    assert!(
        partial_states > 0,
        "no kill landed mid-import; the delays do not cover the import"
    );
}

#[test]
fn a_file_placed_but_not_committed_is_adopted_on_open() {
    // The exact state a crash between rename and commit leaves: a pending row and the file.
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("lib");
    run_ok(&mut shoebox(&lib, &["status"]), 0);
    let bytes = Jpeg::new(64, 48).taken("2023:07:01 12:00:00", None).bytes();
    let hash = blake3::hash(&bytes).to_hex().to_string();
    std::fs::create_dir_all(lib.join("originals/2023/07")).unwrap();
    std::fs::write(lib.join("originals/2023/07/IMG_9.JPG"), &bytes).unwrap();
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    db.execute(
        "INSERT INTO pending (path, hash, original_name, source_path, created_at) VALUES (?1, ?2, 'IMG_9.JPG', '/card/IMG_9.JPG', 'x')",
        ["originals/2023/07/IMG_9.JPG", &hash],
    )
    .unwrap();
    // And a half-written temp file, and a pending row whose file never arrived.
    db.execute(
        "INSERT INTO pending (path, hash, original_name, created_at) VALUES ('originals/2023/07/gone.jpg', 'ab', 'gone.jpg', 'x')",
        [],
    )
    .unwrap();
    drop(db);
    std::fs::write(lib.join(".shoebox/tmp/import-1.jpg.part"), &bytes[..100]).unwrap();
    let out = run_ok(&mut shoebox(&lib, &["ls", "--json"]), 0);
    let assets: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(assets.as_array().unwrap().len(), 1);
    assert_eq!(assets[0]["hash"], hash.as_str());
    assert_eq!(assets[0]["original_name"], "IMG_9.JPG");
    assert_eq!(
        assets[0]["has_thumbnail"], true,
        "thumbnails are made for adopted files"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted import"));
    assert_eq!(
        std::fs::read_dir(lib.join(".shoebox/tmp")).unwrap().count(),
        0
    );
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM pending", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}
