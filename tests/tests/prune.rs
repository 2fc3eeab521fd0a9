//! `shoebox prune`: the only way anything is deleted from a store. It deletes exactly the objects
//! of photos emptied from the trash, asks first, and refuses after errors or beyond a share.

use shoebox_engine::Library;
use shoebox_tests::*;
use std::path::Path;
use std::process::Command;

fn sb(home: &Path, lib: &Path, args: &[&str]) -> Command {
    let mut c = shoebox(lib, args);
    c.env("HOME", home)
        .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
    c
}

/// Trashes the assets of `names` and empties the trash, as the app does.
fn delete_locally(lib: &Path, names: &[&str]) {
    let mut l = Library::open(lib).unwrap();
    let hashes: Vec<_> = l
        .list()
        .unwrap()
        .into_iter()
        .filter(|a| names.contains(&a.original_name.as_str()))
        .map(|a| a.hash)
        .collect();
    assert_eq!(hashes.len(), names.len());
    assert_eq!(l.set_trashed(&hashes, true).unwrap(), names.len());
    let r = l.empty_trash().unwrap();
    assert_eq!(r.deleted as usize, names.len());
    assert!(r.failed.is_empty());
}

fn files_under(dir: &Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A library of `n` photos made by `make`, backed up to a folder target `t`: (home, lib, store).
fn backed_up(
    dir: &Path,
    n: u64,
    make: &dyn Fn(u64, &Path),
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let (home, lib, src, store) = (
        dir.join("home"),
        dir.join("lib"),
        dir.join("in"),
        dir.join("store"),
    );
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..n {
        make(i, &src);
    }
    run_ok(&mut sb(&home, &lib, &["import", src.to_str().unwrap()]), 0);
    let root = format!("root={}", store.display());
    run_ok(
        &mut sb(
            &home,
            &lib,
            &["target", "add", "t", "--scheme", "fs", "--opt", &root],
        ),
        0,
    );
    run_ok(&mut sb(&home, &lib, &["backup", "--target", "t"]), 0);
    (home, lib, store)
}

#[test]
fn prune_deletes_only_what_was_emptied_from_the_trash_and_asks_first() {
    let t = tempfile::tempdir().unwrap();
    let (home, lib, store) = backed_up(t.path(), 10, &|i, dir| {
        Jpeg::new(320, 240)
            .seed(i)
            .taken(&format!("2021:03:{:02} 10:00:00", i + 1), None)
            .write(&dir.join(format!("P{i}.JPG")));
    });
    let originals = store.join("originals");
    assert_eq!(files_under(&originals), 10);

    // Nothing deleted locally: nothing to prune.
    let r = json(
        &mut sb(&home, &lib, &["prune", "--target", "t", "--json"]),
        0,
    );
    assert_eq!(r["candidates"].as_array().unwrap().len(), 0);

    // Trashing alone changes nothing; emptying the trash makes 1 photo (3 objects) prunable.
    delete_locally(&lib, &["P3.JPG"]);
    let dry = json(
        &mut sb(
            &home,
            &lib,
            &["prune", "--target", "t", "--dry-run", "--json"],
        ),
        0,
    );
    let keys: Vec<&str> = dry["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("originals/2021/03/P3~")));
    assert!(keys.iter().filter(|k| k.starts_with("thumbs/")).count() == 2);
    assert_eq!(files_under(&originals), 10, "a dry run deletes nothing");

    // Not from a terminal and without --yes: refused, nothing deleted.
    let out = run_ok(&mut sb(&home, &lib, &["prune", "--target", "t"]), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --yes"));
    assert_eq!(files_under(&originals), 10);

    let done = json(
        &mut sb(&home, &lib, &["prune", "--target", "t", "--yes", "--json"]),
        0,
    );
    assert_eq!(done["deleted"].as_array().unwrap().len(), 3);
    assert!(!originals.join("2021/03/P3.JPG").exists());
    assert_eq!(files_under(&originals), 9);
    for k in &keys {
        assert!(!store.join(k).exists(), "{k} deleted");
    }
    // The rest is intact and verified, and a second prune has nothing to do.
    run_ok(
        &mut sb(&home, &lib, &["verify", "--target", "t", "--deep"]),
        0,
    );
    let again = json(
        &mut sb(&home, &lib, &["prune", "--target", "t", "--json"]),
        0,
    );
    assert_eq!(again["candidates"].as_array().unwrap().len(), 0);

    // Deleting 5 of the 9 left would take more than 10% of the store: refused unless allowed.
    delete_locally(&lib, &["P0.JPG", "P1.JPG", "P2.JPG", "P4.JPG", "P5.JPG"]);
    let refused = json(
        &mut sb(&home, &lib, &["prune", "--target", "t", "--yes", "--json"]),
        1,
    );
    assert!(
        refused["refused"].as_str().unwrap().contains("--max-share"),
        "{refused}"
    );
    assert_eq!(files_under(&originals), 9);
    let allowed = json(
        &mut sb(
            &home,
            &lib,
            &[
                "prune",
                "--target",
                "t",
                "--yes",
                "--max-share",
                "60",
                "--json",
            ],
        ),
        0,
    );
    assert_eq!(allowed["deleted"].as_array().unwrap().len(), 15);
    assert_eq!(files_under(&originals), 4);
    run_ok(
        &mut sb(&home, &lib, &["verify", "--target", "t", "--deep"]),
        0,
    );
}

#[test]
fn prune_refuses_after_a_failed_backup_and_when_the_store_is_gone() {
    let t = tempfile::tempdir().unwrap();
    let (home, lib, store) = backed_up(t.path(), 20, &|i, dir| {
        Jpeg::new(160, 120)
            .seed(100 + i)
            .write(&dir.join(format!("Q{i}.JPG")));
    });
    delete_locally(&lib, &["Q7.JPG"]);

    // The store's folder becomes a file: the next backup fails and records the error.
    std::fs::rename(&store, t.path().join("moved")).unwrap();
    std::fs::write(&store, b"not a folder").unwrap();
    let out = sb(&home, &lib, &["backup", "--target", "t"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let r = json(
        &mut sb(&home, &lib, &["prune", "--target", "t", "--yes", "--json"]),
        1,
    );
    assert!(
        r["refused"]
            .as_str()
            .unwrap()
            .contains("ended with an error"),
        "{r}"
    );
    assert_eq!(r["deleted"].as_array().unwrap().len(), 0);
    // Nothing was forgotten by the catalog: with the store back, prune still has its 3 objects.
    std::fs::remove_file(&store).unwrap();
    std::fs::rename(t.path().join("moved"), &store).unwrap();
    run_ok(&mut sb(&home, &lib, &["backup", "--target", "t"]), 0);
    let dry = json(
        &mut sb(
            &home,
            &lib,
            &["prune", "--target", "t", "--dry-run", "--json"],
        ),
        0,
    );
    assert_eq!(dry["candidates"].as_array().unwrap().len(), 3);
}

/// The catalog's record of what a target holds belongs to the place it points at: removing the
/// target, or pointing its name at another place, forgets it, so the next backup uploads
/// everything there instead of believing the new place already holds it.
#[test]
fn a_target_removed_or_pointed_elsewhere_starts_from_nothing() {
    let t = tempfile::tempdir().unwrap();
    let (home, lib, store) = backed_up(t.path(), 4, &|i, dir| {
        Jpeg::new(160, 120)
            .seed(300 + i)
            .write(&dir.join(format!("R{i}.JPG")));
    });
    assert_eq!(files_under(&store.join("originals")), 4);
    let status = |want_pending: u64| {
        let s = json(&mut sb(&home, &lib, &["status", "--json"]), 0);
        let tg = s["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "t")
            .unwrap();
        assert_eq!(tg["pending_uploads"], want_pending, "{tg}");
        tg.clone()
    };
    status(0);

    // Same name, another folder: everything is pending again and the backup fills it.
    let other = t.path().join("other");
    let root = format!("root={}", other.display());
    let add = ["target", "add", "t", "--scheme", "fs", "--opt", &root];
    run_ok(&mut sb(&home, &lib, &add), 0);
    let st = status(4);
    assert_eq!(st["objects"], 0);
    assert!(st["last_backup"].is_null());
    let r = json(
        &mut sb(&home, &lib, &["backup", "--target", "t", "--json"]),
        0,
    );
    assert_eq!(r["targets"][0]["uploaded"].as_array().unwrap().len(), 12);
    assert_eq!(files_under(&other.join("originals")), 4);
    assert!(other.join("catalogs").exists());

    // Saving it again unchanged keeps what it knows; a backup then has nothing to do...
    run_ok(&mut sb(&home, &lib, &add), 0);
    status(0);
    let r = json(
        &mut sb(&home, &lib, &["backup", "--target", "t", "--json"]),
        0,
    );
    assert_eq!(r["targets"][0]["uploaded"].as_array().unwrap().len(), 0);
    assert_eq!(status(0)["last_result"], "nothing new");
    // ... until a photo arrives (the mark of a complete backup no longer matches).
    let more = t.path().join("more");
    std::fs::create_dir_all(&more).unwrap();
    Jpeg::new(160, 120).seed(399).write(&more.join("R9.JPG"));
    run_ok(&mut sb(&home, &lib, &["import", more.to_str().unwrap()]), 0);
    status(1);
    let r = json(
        &mut sb(&home, &lib, &["backup", "--target", "t", "--json"]),
        0,
    );
    assert_eq!(r["targets"][0]["uploaded"].as_array().unwrap().len(), 3);
    assert!(r["targets"][0]["snapshot"].is_string());
    // A favourite changes no object but the catalog: a new snapshot, nothing else.
    {
        let mut l = Library::open(&lib).unwrap();
        let h = l.list().unwrap()[0].hash.clone();
        l.set_favourite(&[h], true).unwrap();
    }
    let r = json(
        &mut sb(&home, &lib, &["backup", "--target", "t", "--json"]),
        0,
    );
    assert_eq!(r["targets"][0]["uploaded"].as_array().unwrap().len(), 0);
    assert!(r["targets"][0]["snapshot"].is_string(), "{r}");

    // Removed, emptied by hand, added again under the same name: uploads everything again.
    run_ok(&mut sb(&home, &lib, &["target", "remove", "t"]), 0);
    std::fs::remove_dir_all(&other).unwrap();
    run_ok(&mut sb(&home, &lib, &add), 0);
    status(5);
    run_ok(&mut sb(&home, &lib, &["backup", "--target", "t"]), 0);
    assert_eq!(files_under(&other.join("originals")), 5);
    run_ok(
        &mut sb(&home, &lib, &["verify", "--target", "t", "--deep"]),
        0,
    );
    // The first folder was never touched by any of this.
    assert_eq!(files_under(&store.join("originals")), 4);
}
