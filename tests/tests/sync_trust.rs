//! A shared library you can trust (issue 25): each defect found by trying two computers on one
//! store, reproduced through the real `shoebox` binary. Every test here failed before its fix.
//! (Defects 1, 7 and 8 are tested where the rule lives, in `crates/catalog/src/changes.rs`;
//! the password change's, defect 2, in `tests/crypt.rs`.)

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::path::Path;

use shoebox_tests::photo_taken as photo;

fn this_device(d: &Device) -> String {
    json(&mut d.sb(&["devices", "--json"]), 0)["this_device"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Defect 3: a photo from another device was given the path of a file the user keeps in the
/// library's folder (free in the catalog, taken on disk); `fetch` then answered with the user's
/// file unchecked, and emptying the trash deleted it.
#[test]
fn another_devices_photo_never_takes_trusts_or_deletes_a_users_own_file() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let hash = photo(&t.path().join("src"), "IMG_1.JPG", 1, "2023:07:01 12:00:00");
    a.import(&t.path().join("src"));
    run_ok(&mut a.sb(&["sync"]), 0);

    let b = Device::new(t.path(), "b", &store);
    // The user's own file, where A's photo would go on B; the library never saw it.
    let mine = b.lib.join("originals/2023/07/IMG_1.JPG");
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    let my_bytes = Jpeg::new(50, 50).seed(77).write(&mine);
    run_ok(&mut b.sb(&["sync"]), 0);
    let ls = json(&mut b.sb(&["ls", "--json"]), 0);
    let row = &ls.as_array().unwrap()[0];
    assert_eq!(row["hash"], hash.as_str());
    assert_ne!(
        row["path"], "originals/2023/07/IMG_1.JPG",
        "placed over the user's file: {ls}"
    );
    assert_eq!(row["local"], false, "{ls}");

    let f = json(&mut b.sb(&["fetch", "--json", &hash]), 0);
    let got = &f["fetched"][0];
    assert_eq!(got["already_here"], false, "{f}");
    assert_eq!(hash_of(Path::new(got["file"].as_str().unwrap())), hash);

    run_ok(&mut b.sb(&["trash", &hash]), 0);
    run_ok(&mut b.sb(&["trash", "--empty", "--yes"]), 0);
    assert_eq!(
        std::fs::read(&mine).unwrap(),
        my_bytes,
        "the user's file is untouched"
    );
}

/// Defect 3, the older catalogs: a remote photo that already sits at a path where the user
/// has a file of their own (given it before the fix) is neither trusted nor deleted.
#[test]
fn a_users_file_at_a_remote_photos_path_is_never_trusted_or_deleted() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let hash = photo(&t.path().join("src"), "IMG_2.JPG", 2, "2023:07:01 12:00:00");
    a.import(&t.path().join("src"));
    run_ok(&mut a.sb(&["sync"]), 0);
    let b = Device::new(t.path(), "b", &store);
    run_ok(&mut b.sb(&["sync"]), 0);
    let ls = json(&mut b.sb(&["ls", "--json"]), 0);
    let path = ls[0]["path"].as_str().unwrap().to_owned();
    // The user drops a file of their own there afterwards.
    let mine = b.lib.join(&path);
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    let my_bytes = Jpeg::new(50, 50).seed(78).write(&mine);
    let f = json(&mut b.sb(&["fetch", "--json", &hash]), 0);
    assert_eq!(
        hash_of(Path::new(f["fetched"][0]["file"].as_str().unwrap())),
        hash,
        "{f}"
    );
    run_ok(&mut b.sb(&["trash", &hash]), 0);
    run_ok(&mut b.sb(&["trash", "--empty", "--yes"]), 0);
    assert_eq!(std::fs::read(&mine).unwrap(), my_bytes);
}

/// Defect 4: where no machine id can be read (macOS gave "unknown"), a library at the same path
/// on two computers was one device. Each user account now has an id of its own, made once,
/// outside the library.
#[test]
fn two_computers_without_a_readable_machine_id_are_two_devices() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let id = |home: &Path| {
        let mut c = a.sb(&["devices", "--json"]);
        // No machine id readable on these "computers"; each has its own user account.
        c.env("SHOEBOX_MACHINE_ID", "").env("HOME", home).env(
            "SHOEBOX_SECRETS_FILE",
            home.join("secrets.json").display().to_string(),
        );
        json(&mut c, 0)["this_device"].as_str().unwrap().to_owned()
    };
    let (h1, h2) = (t.path().join("computer-1"), t.path().join("computer-2"));
    std::fs::create_dir_all(&h1).unwrap();
    std::fs::create_dir_all(&h2).unwrap();
    let first = id(&h1);
    assert_eq!(id(&h1), first, "stable on one computer");
    let second = id(&h2);
    assert_ne!(
        second, first,
        "the copy on another computer is another device"
    );
}

/// Defect 5: restore adopted whatever settings the newest snapshot named; a plain backup after
/// a restore wrote photos into a folder the snapshot chose. Settings other than the store
/// restored from are shown and adopted only with `--adopt-settings`.
#[test]
fn restore_adopts_a_snapshots_other_targets_and_watch_folders_only_when_asked() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    photo(&t.path().join("src"), "IMG_3.JPG", 3, "2023:07:01 12:00:00");
    a.import(&t.path().join("src"));
    let elsewhere = t.path().join("elsewhere");
    let watched = t.path().join("watched");
    std::fs::create_dir_all(&watched).unwrap();
    run_ok(
        a.sb(&["target", "add", "other", "--scheme", "fs", "--opt"])
            .arg(format!("root={}", elsewhere.display())),
        0,
    );
    run_ok(a.sb(&["watch", "add"]).arg(&watched), 0);
    run_ok(&mut a.sb(&["backup", "--target", "shared"]), 0);

    let to = t.path().join("restored");
    let restore = |extra: &[&str]| {
        let mut c = a.sb(&["restore", "--json", "--scheme", "fs", "--opt"]);
        c.arg(format!("root={}", store.backing.display()))
            .arg("--to")
            .arg(&to)
            .args(extra);
        json(&mut c, 0)
    };
    let r = restore(&[]);
    let offered = &r["offered_settings"];
    assert_eq!(offered["targets"][0]["name"], "other", "{r}");
    assert_eq!(
        offered["watch_folders"][0]["path"],
        watched.display().to_string(),
        "{r}"
    );
    let targets = |lib: &Path| -> Vec<String> {
        json(&mut shoebox(lib, &["target", "list", "--json"]), 0)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!targets(&to).contains(&"other".to_owned()), "{r}");
    let status = json(&mut shoebox(&to, &["status", "--json"]), 0);
    assert_eq!(
        status["settings"]["watch_folders"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "{status}"
    );
    // A plain backup now writes nowhere the snapshot chose.
    let _ = shoebox(&to, &["backup"]).output().unwrap();
    assert!(!elsewhere.join("originals").exists(), "uploaded on its own");

    // Confirmed: adopted.
    let r = restore(&["--adopt-settings"]);
    assert_eq!(r["adopted_settings"], true, "{r}");
    assert!(targets(&to).contains(&"other".to_owned()));
    let status = json(&mut shoebox(&to, &["status", "--json"]), 0);
    assert_eq!(
        status["settings"]["watch_folders"][0]["path"],
        watched.display().to_string()
    );
}

/// Defect 6: two pushes that failed turned the head's nonce twice, so the third sync took the
/// store's (unchanged) head for a restored old copy's and gave the device a new id; the old id
/// then held prune back for good.
#[test]
fn failed_pushes_leave_the_device_identity_alone() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let hash = photo(&t.path().join("src"), "IMG_4.JPG", 4, "2023:07:01 12:00:00");
    a.import(&t.path().join("src"));
    run_ok(&mut a.sb(&["sync"]), 0);
    let id = this_device(&a);
    let head: Value = serde_json::from_slice(
        &std::fs::read(store.backing.join(format!("devices/{id}/head.json"))).unwrap(),
    )
    .unwrap();
    let next = head["seq"].as_i64().unwrap() + 1;
    run_ok(&mut a.sb(&["favourite", &hash]), 0);
    // The segment this edit goes into cannot be written (a folder sits at its key).
    let blocked = store
        .backing
        .join(format!("devices/{id}/seg-{next:012}-{next:012}.json"));
    std::fs::create_dir_all(&blocked).unwrap();
    for _ in 0..2 {
        let out = a.sb(&["sync", "--json"]).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "the push cannot have worked");
    }
    std::fs::remove_dir(&blocked).unwrap();
    let r = json(&mut a.sb(&["sync", "--json"]), 0);
    assert!(r["targets"][0]["error"].is_null(), "{r}");
    assert_eq!(r["targets"][0]["pushed"], 1, "{r}");
    assert_eq!(this_device(&a), id, "the device kept its id");
}
