//! A device's identity: a restored library, a store that is not what it was, an emptied bucket, a catalog restored from an old copy.

use super::*;
use shoebox_tests::servers::Server;
use std::path::Path;

/// A device id belongs to its catalog: a restored library backs up as a new device and never
/// writes under (or prunes as) the one it came from.
#[test]
pub(crate) fn a_restored_library_is_a_new_device() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    photo(&t.path().join("src"), "P.JPG", 1);
    a.import(&t.path().join("src"));
    json(&mut a.sb(&["backup", "--json"]), 0);
    let restored = t.path().join("restored");
    let mut c = a.sb(&["restore", "--json", "--to"]);
    c.arg(&restored).args(store.cli_args());
    json(&mut c, 0);
    let r = Device {
        home: a.home.clone(),
        lib: restored,
        clock_offset_ms: 0,
        checkpoint_every: 0,
        os: Os::Linux,
    };
    run_ok(
        r.sb(&["target", "add", "shared2"]).args(store.cli_args()),
        0,
    );
    photo(&t.path().join("more"), "N.JPG", 5);
    r.import(&t.path().join("more"));
    json(&mut r.sb(&["backup", "--target", "shared2", "--json"]), 0);
    let devices = std::fs::read_dir(store.backing.join("catalogs"))
        .unwrap()
        .count();
    assert_eq!(
        devices, 2,
        "the restored library wrote under its own device id"
    );
    let _ = r.hash_of_name("N.JPG");
}

/// A store that is not what it was is never taken for a complete backup: a disk not mounted
/// (the folder gone), a bucket emptied, or another store in its place. Backup, verify and sync
/// stop with a message that says what to check, nothing is written, prune refuses; `target
/// reset` accepts a new empty store and the next backup uploads everything again.
#[test]
pub(crate) fn a_store_that_is_not_what_it_was_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let disk = Server::fs();
    let a = Device::new(t.path(), "a", &disk);
    photo(&t.path().join("src"), "P.JPG", 1);
    let gone = photo(&t.path().join("src"), "Q.JPG", 2);
    a.import(&t.path().join("src"));
    json(&mut a.sb(&["backup", "--json"]), 0);

    // The USB disk is not mounted: its folder is not there.
    let aside = t.path().join("unplugged");
    std::fs::rename(&disk.backing, &aside).unwrap();
    let out = run_ok(&mut a.sb(&["backup"]), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("is the disk mounted"), "{text}");
    assert!(
        !disk.backing.exists(),
        "nothing was written where the disk should be"
    );
    let out = run_ok(&mut a.sb(&["verify", "--repair"]), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("is the disk mounted"));
    assert!(!disk.backing.exists());
    // With something to prune (Q deleted here), prune refuses: the last backup failed.
    a.delete(&gone);
    let r = prune_all(&a, 1);
    assert!(
        r["refused"]
            .as_str()
            .unwrap()
            .contains("ended with an error"),
        "{r}"
    );
    assert!(r["deleted"].as_array().unwrap().is_empty(), "{r}");
    // Plugged in again: all is well.
    std::fs::rename(&aside, &disk.backing).unwrap();
    json(&mut a.sb(&["backup", "--json"]), 0);
    json(&mut a.sb(&["verify", "--json"]), 0);

    // Another Shoebox store in its place (another disk mounted there).
    let other = t.path().join("other-disk");
    std::fs::rename(&disk.backing, &other).unwrap();
    std::fs::create_dir_all(&disk.backing).unwrap();
    std::fs::write(
        disk.backing.join("shoebox.json"),
        br#"{"format": 1, "store_id": "0123456789abcdef"}"#,
    )
    .unwrap();
    let out = run_ok(&mut a.sb(&["backup"]), 1);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("another Shoebox store"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Emptied on purpose: reset, and everything goes up again.
    std::fs::remove_dir_all(&disk.backing).unwrap();
    run_ok(&mut a.sb(&["target", "reset", "shared"]), 0);
    let b = json(&mut a.sb(&["backup", "--json"]), 0);
    assert!(
        b["targets"][0]["uploaded"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.as_str().unwrap().starts_with("originals/")),
        "{b}"
    );
    json(&mut a.sb(&["verify", "--deep", "--json"]), 0);
}

/// An S3 bucket emptied behind the library's back (the bucket itself still there).
#[test]
pub(crate) fn an_emptied_bucket_is_not_a_complete_backup() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    photo(&t.path().join("src"), "P.JPG", 1);
    a.import(&t.path().join("src"));
    json(&mut a.sb(&["backup", "--json"]), 0);
    for e in std::fs::read_dir(&store.backing).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(600));
    let out = run_ok(&mut a.sb(&["sync"]), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("was it emptied"), "{text}");
    let st = json(&mut a.sb(&["status", "--json"]), 0);
    assert!(
        st["targets"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("no shoebox.json"),
        "{st}"
    );
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for p in files_below(from) {
        let dest = to.join(p.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&p, dest).unwrap();
    }
}

/// A library restored from an old copy over itself (same computer, same folder) finds its head
/// on the store newer than its catalog: it takes a new device id instead of reusing sequence
/// numbers the store already has, and nothing made on either side is lost. The same library
/// folder on another computer is another device.
#[test]
pub(crate) fn a_catalog_restored_from_an_old_copy_becomes_a_new_device_and_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let h: Vec<String> = (0..3)
        .map(|i| photo(&t.path().join("src"), &format!("P{i}.JPG"), i))
        .collect();
    a.import(&t.path().join("src"));
    json(&mut a.sb(&["sync", "--json"]), 0);
    let old_id = json(&mut a.sb(&["devices", "--json"]), 0)["this_device"].clone();
    let aside = t.path().join("aside");
    copy_dir(&a.lib, &aside);
    // Edits after the copy was taken, sent to the store.
    run_ok(&mut a.sb(&["caption", &h[0], "made before the restore"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    // The old copy put back over the library, then a new edit.
    std::fs::remove_dir_all(&a.lib).unwrap();
    copy_dir(&aside, &a.lib);
    run_ok(&mut a.sb(&["favourite", &h[1]]), 0);
    let r = json(&mut a.sb(&["sync", "--json"]), 1);
    assert!(
        r["targets"][0]["error"]
            .as_str()
            .unwrap()
            .contains("older than what it wrote"),
        "{r}"
    );
    let new_id = json(&mut a.sb(&["devices", "--json"]), 0)["this_device"].clone();
    assert_ne!(new_id, old_id);
    json(&mut a.sb(&["sync", "--json"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    // Another device sees both the edit made before the restore and the one after; the
    // restored library takes its own lost edit back from its old log.
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);
    for d in [&a, &b] {
        let ls = json(&mut d.sb(&["ls", "--json"]), 0);
        let get = |x: &str| {
            ls.as_array()
                .unwrap()
                .iter()
                .find(|a| a["hash"] == x)
                .unwrap()
                .clone()
        };
        assert_eq!(get(&h[0])["description"], "made before the restore", "{ls}");
        assert_eq!(get(&h[1])["favourite"], true, "{ls}");
    }

    // The same folder opened on another computer: another device.
    let mut c = a.sb(&["devices", "--json"]);
    c.env("SHOEBOX_MACHINE_ID", "another-computer");
    let there = json(&mut c, 0)["this_device"].clone();
    assert_ne!(there, new_id);
}
