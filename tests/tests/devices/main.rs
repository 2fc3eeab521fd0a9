//! Several devices on one store (issue 10's two data-loss hazards, and device identity): separate
//! processes with separate HOMEs and libraries, against `rclone serve s3` on 127.0.0.1.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::path::Path;
mod identity;

/// `shoebox prune` of the shared target with nothing held back by the share cap.
fn prune_all(d: &Device, code: i32) -> serde_json::Value {
    json(
        &mut d.sb(&[
            "prune",
            "--target",
            "shared",
            "--yes",
            "--max-share",
            "100",
            "--json",
        ]),
        code,
    )
}

fn photo(dir: &Path, name: &str, seed: u64) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let b = Jpeg::new(96, 64)
        .seed(seed)
        .taken("2023:07:01 12:00:00", Some("+02:00"))
        .write(&dir.join(name));
    blake3::hash(&b).to_hex().to_string()
}

fn objects_named(store: &Server, hash: &str) -> Vec<String> {
    files_below(&store.backing)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&hash[..16]))
        .map(|p| {
            p.strip_prefix(&store.backing)
                .unwrap()
                .display()
                .to_string()
        })
        .collect()
}

/// Hazard 1: A and B back up the same photo; A deletes it for good and prunes. The bytes B
/// relies on stay; once no device references them any more, a prune deletes them.
#[test]
fn prune_never_deletes_bytes_another_device_relies_on() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let b = Device::new(t.path(), "b", &store);
    let shared = photo(&t.path().join("shared"), "P.JPG", 1);
    photo(&t.path().join("a-only"), "Q.JPG", 2);
    for extra in 3..12 {
        photo(&t.path().join("a-only"), &format!("R{extra}.JPG"), extra);
    }
    a.import(&t.path().join("shared"));
    a.import(&t.path().join("a-only"));
    b.import(&t.path().join("shared"));
    json(&mut a.sb(&["backup", "--json"]), 0);
    let bb = json(&mut b.sb(&["backup", "--json"]), 0);
    // B found P already on the store: it relies on A's upload.
    assert_eq!(
        bb["targets"][0]["uploaded"].as_array().unwrap().len(),
        0,
        "{bb}"
    );
    let p_objects = objects_named(&store, &shared);
    assert_eq!(
        p_objects.len(),
        3,
        "one original and two thumbnails: {p_objects:?}"
    );

    a.delete(&shared);
    let r = prune_all(&a, 0);
    let kept: Vec<&str> = r["kept_for_other_devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(kept.len(), 3, "{r}");
    assert!(r["deleted"].as_array().unwrap().is_empty(), "{r}");
    assert_eq!(
        objects_named(&store, &shared),
        p_objects,
        "B's bytes are still there"
    );
    let v = json(&mut b.sb(&["verify", "--deep", "--json"]), 0);
    assert!(
        v["targets"][0]["problems"].as_array().unwrap().is_empty(),
        "{v}"
    );
    // B can still get its photo back from the store.
    std::fs::remove_file(
        b.lib.join(
            json(&mut b.sb(&["ls", "--json"]), 0)[0]["path"]
                .as_str()
                .unwrap(),
        ),
    )
    .unwrap();
    json(&mut b.sb(&["verify", "--repair", "--json"]), 0);
    json(&mut b.sb(&["check", "--json"]), 0);

    // B lets go of it too, and its next backup says so; a prune by B now deletes the bytes.
    b.delete(&shared);
    json(&mut b.sb(&["backup", "--json"]), 0);
    json(&mut a.sb(&["backup", "--json"]), 0);
    // The store is shared: the bytes wait out the grace period first.
    let r = prune_all(&b, 0);
    assert!(
        r["kept_for_other_devices"].as_array().unwrap().is_empty(),
        "{r}"
    );
    assert_eq!(r["waiting"].as_array().unwrap().len(), 3, "{r}");
    assert!(
        r["waiting_for"][0].as_str().unwrap().contains("grace"),
        "{r}"
    );
    assert_eq!(objects_named(&store, &shared).len(), 3);
    run_ok(&mut b.sb(&["settings", "set", "prune_grace_days", "0"]), 0);
    let r = prune_all(&b, 0);
    assert!(
        r["kept_for_other_devices"].as_array().unwrap().is_empty(),
        "{r}"
    );
    assert!(objects_named(&store, &shared).is_empty(), "{r}");
    // A's other photos were never touched.
    json(&mut a.sb(&["verify", "--deep", "--json"]), 0);
}

/// Hazard 1, the cautious side: a device whose snapshot cannot be read (torn pointer) blocks
/// pruning altogether; unknown is never taken for "nothing referenced".
#[test]
fn a_torn_pointer_of_another_device_blocks_prune() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let b = Device::new(t.path(), "b", &store);
    let p = photo(&t.path().join("a"), "P.JPG", 1);
    a.import(&t.path().join("a"));
    photo(&t.path().join("b"), "Z.JPG", 9);
    b.import(&t.path().join("b"));
    json(&mut a.sb(&["backup", "--json"]), 0);
    json(&mut b.sb(&["backup", "--json"]), 0);
    // Tear B's pointer.
    let catalogs = store.backing.join("catalogs");
    let mut torn = false;
    for d in std::fs::read_dir(&catalogs).unwrap() {
        let latest = d.unwrap().path().join("latest.json");
        let text = std::fs::read_to_string(&latest).unwrap();
        let snapshot = serde_json::from_str::<Value>(&text).unwrap()["snapshot"]
            .as_str()
            .unwrap()
            .to_owned();
        let db = rusqlite::Connection::open(store.backing.join(&snapshot)).unwrap();
        let has_z: i64 = db
            .query_row(
                "SELECT count(*) FROM assets WHERE path LIKE '%Z.JPG'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if has_z == 1 {
            std::fs::write(&latest, &text[..text.len() / 2]).unwrap();
            torn = true;
        }
    }
    assert!(torn);
    std::thread::sleep(std::time::Duration::from_millis(600));
    a.delete(&p);
    let r = prune_all(&a, 1);
    assert!(
        r["refused"].as_str().unwrap().contains("other devices"),
        "{r}"
    );
    assert_eq!(objects_named(&store, &p).len(), 3, "nothing deleted");
}

/// Hazard 2: two devices upload different photos with one name into one month at the same
/// moment. Original keys carry a content tag, so both survive byte for byte whatever the
/// order of the PUTs (the S3 server here ignores If-None-Match; nothing relies on it).
#[test]
fn different_photos_with_one_name_uploaded_at_once_both_survive() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let devices: Vec<Device> = (0..3)
        .map(|i| Device::new(t.path(), &format!("d{i}"), &store))
        .collect();
    let mut hashes = Vec::new();
    for (i, d) in devices.iter().enumerate() {
        let dir = t.path().join(format!("src{i}"));
        hashes.push(photo(&dir, "IMG_0001.JPG", 100 + i as u64));
        d.import(&dir);
    }
    // All three back up at once, several times over (each round finds the others' uploads).
    for _ in 0..3 {
        let children: Vec<_> = devices
            .iter()
            .map(|d| {
                d.sb(&["backup", "--json"])
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success());
        }
    }
    let month = store.backing.join("originals/2023/07");
    let mut names: Vec<String> = std::fs::read_dir(&month)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    for (h, d) in hashes.iter().zip(&devices) {
        let key = store_key("originals/2023/07/IMG_0001.JPG", h);
        assert_eq!(
            &hash_of(&store.backing.join(&key)),
            h,
            "{key} holds its own bytes"
        );
        let v = json(&mut d.sb(&["verify", "--deep", "--json"]), 0);
        assert!(
            v["targets"][0]["problems"].as_array().unwrap().is_empty(),
            "{v}"
        );
    }
    // A restore merges the three devices' photos, each under its own name.
    let restored = t.path().join("restored");
    let mut c = devices[0].sb(&["restore", "--json", "--to"]);
    c.arg(&restored).args(store.cli_args());
    let r = json(&mut c, 0);
    assert_eq!(r["restored"], 3, "{r}");
}

/// A device that never comes back keeps its photos' bytes on the store until it is retired;
/// then a prune deletes what only it relied on.
#[test]
fn a_retired_device_no_longer_holds_bytes_back() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let b = Device::new(t.path(), "b", &store);
    let p = photo(&t.path().join("shared"), "P.JPG", 1);
    for i in 2..12 {
        photo(&t.path().join("more"), &format!("M{i}.JPG"), i);
    }
    a.import(&t.path().join("shared"));
    a.import(&t.path().join("more"));
    b.import(&t.path().join("shared"));
    json(&mut a.sb(&["sync", "--json"]), 0);
    json(&mut b.sb(&["sync", "--json"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    // B is gone for good (a stolen laptop). A lets go of P: B still holds it back.
    a.delete(&p);
    let r = prune_all(&a, 0);
    assert_eq!(
        r["kept_for_other_devices"].as_array().unwrap().len(),
        3,
        "{r}"
    );
    assert_eq!(objects_named(&store, &p).len(), 3);
    // Retired by the name `devices` shows, then pruned again: P goes.
    let devs = json(&mut a.sb(&["devices", "--json"]), 0);
    let b_id = devs["others"][0]["device"].as_str().unwrap().to_owned();
    run_ok(&mut a.sb(&["device", "retire", &b_id]), 0);
    assert_eq!(
        json(&mut a.sb(&["devices", "--json"]), 0)["retired"][0],
        b_id.as_str()
    );
    let r = prune_all(&a, 0);
    assert!(
        r["kept_for_other_devices"].as_array().unwrap().is_empty(),
        "{r}"
    );
    assert_eq!(r["deleted"].as_array().unwrap().len(), 3, "{r}");
    assert!(objects_named(&store, &p).is_empty());
    // A's other photos are intact.
    json(&mut a.sb(&["verify", "--deep", "--json"]), 0);
}

/// Deletion driven by the change logs, in two phases: A deletes its photo P for good; the bytes
/// stay until B has synced (seen the deletion: P lands in B's trash), and while B keeps P in
/// its trash; once B empties it, a prune by A deletes them and says so in A's log, so a device
/// that joins later does not count on them. A device with a log but no snapshot blocks prune.
#[test]
fn store_bytes_go_only_after_every_device_has_seen_the_deletion() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let b = Device::new(t.path(), "b", &store);
    for i in 2..12 {
        photo(&t.path().join("a"), &format!("M{i}.JPG"), i);
    }
    a.import(&t.path().join("a"));
    run_ok(&mut a.sb(&["settings", "set", "prune_grace_days", "0"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    json(&mut b.sb(&["sync", "--json"]), 0);
    // P arrives on A after B's last sync.
    let p = photo(&t.path().join("p"), "P.JPG", 1);
    a.import(&t.path().join("p"));
    json(&mut a.sb(&["sync", "--json"]), 0);

    // Phase one: A lets go; B has not heard yet.
    a.delete(&p);
    json(&mut a.sb(&["sync", "--json"]), 0);
    let r = prune_all(&a, 0);
    assert!(r["deleted"].as_array().unwrap().is_empty(), "{r}");
    assert!(
        r["waiting_for"][0]
            .as_str()
            .unwrap()
            .contains("has not synced since"),
        "{r}"
    );
    assert_eq!(objects_named(&store, &p).len(), 3);
    let text = String::from_utf8_lossy(
        &run_ok(
            &mut a.sb(&["prune", "--target", "shared", "--yes", "--max-share", "100"]),
            0,
        )
        .stdout,
    )
    .into_owned();
    assert!(text.contains("wait before they can go"), "{text}");

    // B syncs: P is in its trash, recoverable, so the bytes stay.
    json(&mut b.sb(&["sync", "--json"]), 0);
    let trash = json(&mut b.sb(&["ls", "--trash", "--json"]), 0);
    assert_eq!(trash.as_array().unwrap().len(), 1, "{trash}");
    let r = prune_all(&a, 0);
    assert_eq!(
        r["kept_for_other_devices"].as_array().unwrap().len(),
        3,
        "{r}"
    );
    assert_eq!(objects_named(&store, &p).len(), 3);
    let f = json(&mut b.sb(&["fetch", "--json", &p]), 0);
    assert_eq!(
        hash_of(Path::new(f["fetched"][0]["file"].as_str().unwrap())),
        p
    );

    // B empties its trash and syncs: nobody relies on P; a prune deletes it.
    run_ok(&mut b.sb(&["trash", "--empty", "--yes"]), 0);
    json(&mut b.sb(&["sync", "--json"]), 0);
    let r = prune_all(&a, 0);
    assert_eq!(r["deleted"].as_array().unwrap().len(), 3, "{r}");
    assert!(objects_named(&store, &p).is_empty());
    json(&mut a.sb(&["sync", "--json"]), 0);

    // A device joining now reads P's import and deletion, and that its bytes are gone: it
    // neither lists P nor counts on its original.
    let c = Device::new(t.path(), "c", &store);
    let rc = json(&mut c.sb(&["sync", "--json"]), 0);
    assert_eq!(rc["targets"][0]["new_photos"], 10, "{rc}");
    for trash in [false, true] {
        let mut cmd = c.sb(&["ls", "--json"]);
        if trash {
            cmd.arg("--trash");
        }
        let ls = json(&mut cmd, 0);
        assert!(
            ls.as_array()
                .unwrap()
                .iter()
                .all(|x| x["hash"] != p.as_str()),
            "{ls}"
        );
    }
    let v = json(&mut c.sb(&["verify", "--json"]), 0);
    assert!(
        v["targets"][0]["problems"].as_array().unwrap().is_empty(),
        "{v}"
    );

    // C's snapshot goes missing (as if it stopped between its log and its snapshot): what it
    // relies on is unknown, so A's next prune deletes nothing.
    std::fs::remove_dir_all(
        store.backing.join("catalogs").join(
            json(&mut c.sb(&["devices", "--json"]), 0)["this_device"]
                .as_str()
                .unwrap(),
        ),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let q = photo(&t.path().join("q"), "Q.JPG", 77);
    a.import(&t.path().join("q"));
    json(&mut a.sb(&["backup", "--json"]), 0);
    a.delete(&q);
    let r = prune_all(&a, 0);
    assert!(r["deleted"].as_array().unwrap().is_empty(), "{r}");
    assert!(
        r["waiting_for"][0]
            .as_str()
            .unwrap()
            .contains("no catalog snapshot"),
        "{r}"
    );
    assert_eq!(objects_named(&store, &q).len(), 3);
}
