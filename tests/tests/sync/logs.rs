//! The change logs on the store: a lost segment repaired, a format 1 store upgraded, checkpoints, a kill -9 mid-sync, every kind of store, a torn head.

use super::*;
use serde_json::Value;
use shoebox_tests::photo_taken as photo;
use shoebox_tests::servers::Server;
use std::collections::BTreeMap;
use std::path::Path;

/// A segment the store lost is written again by its owner (`verify --repair`; nobody else may
/// write under its prefix), byte for byte from its log, and the others then take it in.
#[test]
pub(crate) fn a_lost_segment_is_repaired_from_its_owner() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let h = photos(&t.path().join("src"), 2);
    a.import(&t.path().join("src"));
    sync(&a);
    run_ok(&mut a.sb(&["favourite", &h[1]]), 0);
    sync(&a);
    let mut segs: Vec<_> = files_below(&store.backing.join("devices"))
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("seg-"))
        .collect();
    segs.sort();
    assert_eq!(segs.len(), 2);
    let lost = segs[1].clone();
    let bytes = std::fs::read(&lost).unwrap();
    std::fs::remove_file(&lost).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 1);
    assert!(!state(&b)[&h[1]].0, "the favourite is in the lost segment");
    let v = json(&mut a.sb(&["verify", "--json"]), 1);
    assert_eq!(v["targets"][0]["problems"][0]["kind"], "segment", "{v}");
    let v = json(&mut a.sb(&["verify", "--repair", "--json"]), 0);
    assert_eq!(v["targets"][0]["problems"][0]["repaired"], true, "{v}");
    assert_eq!(std::fs::read(&lost).unwrap(), bytes, "the same bytes again");
    std::thread::sleep(std::time::Duration::from_millis(600));
    sync(&b);
    assert!(state(&b)[&h[1]].0);
    assert_eq!(state(&a), state(&b));
}

/// A store written by format 1 (backups only, no change logs) becomes format 2 in place: only
/// `shoebox.json` is rewritten (same id), every object already there keeps its key and bytes,
/// the device's photos enter its change log at its first sync, a new device joins, and
/// `restore --to` still reads it.
#[test]
pub(crate) fn a_format_1_store_is_upgraded_in_place_and_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let hashes = photos(&t.path().join("src"), 3);
    a.import(&t.path().join("src"));
    json(&mut a.sb(&["backup", "--json"]), 0);
    // What format 1 wrote: a marker and pointers saying 1, no `devices/`.
    let marker_path = store.backing.join("shoebox.json");
    let marker: Value = serde_json::from_slice(&std::fs::read(&marker_path).unwrap()).unwrap();
    let id = marker["store_id"].as_str().unwrap().to_owned();
    std::fs::write(
        &marker_path,
        serde_json::to_vec(&serde_json::json!({
            "format": 1, "store_id": id, "created_by": "shoebox 0.1.0",
            "layout": "originals/YYYY/MM/<name>, thumbs/<2 hex>/<hash>-<size>.jpg, catalogs/…"
        }))
        .unwrap(),
    )
    .unwrap();
    for p in files_below(&store.backing.join("catalogs")) {
        if p.ends_with("latest.json") {
            let mut v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            v["format"] = 1.into();
            std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        }
    }
    assert!(!store.backing.join("devices").exists());
    let before: BTreeMap<_, _> = files_below(&store.backing.join("originals"))
        .into_iter()
        .chain(files_below(&store.backing.join("thumbs")))
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();

    let ra = sync(&a);
    assert_eq!(ra["announced"], 3, "{ra}");
    let up: Value = serde_json::from_slice(&std::fs::read(&marker_path).unwrap()).unwrap();
    assert_eq!(up["format"], 2, "{up}");
    assert_eq!(up["upgraded_from"], 1, "{up}");
    assert_eq!(up["store_id"], id.as_str(), "the same store: {up}");
    assert_eq!(up["created_by"], "shoebox 0.1.0", "{up}");
    for (p, bytes) in &before {
        assert_eq!(
            &std::fs::read(p).unwrap(),
            bytes,
            "{} kept byte for byte",
            p.display()
        );
    }

    let b = Device::new(t.path(), "b", &store);
    let rb = sync(&b);
    assert_eq!(rb["new_photos"], 3, "{rb}");
    let f = json(&mut b.sb(&["fetch", "--json", &hashes[1]]), 0);
    assert_eq!(
        hash_of(Path::new(f["fetched"][0]["file"].as_str().unwrap())),
        hashes[1]
    );
    let restored = t.path().join("restored");
    let mut c = b.sb(&["restore", "--json", "--to"]);
    c.arg(&restored).args(store.cli_args());
    assert_eq!(json(&mut c, 0)["restored"], 3);
}

/// A device's log is compacted into a checkpoint every few segments: the segments it covers
/// are deleted from its prefix, a new device joins from the checkpoint (one object instead of
/// the history) with the same catalog, and a lost checkpoint is written again, byte for byte,
/// by its owner.
#[test]
pub(crate) fn change_logs_are_compacted_into_checkpoints() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let mut a = Device::new(t.path(), "a", &store);
    a.checkpoint_every = 4;
    let h = photos(&t.path().join("src"), 5);
    a.import(&t.path().join("src"));
    let mut checkpointed = 0;
    for round in 0..10 {
        let mut c = a.sb(&["favourite"]);
        c.args(&h);
        if round % 2 == 1 {
            c.arg("--off");
        }
        run_ok(&mut c, 0);
        run_ok(
            &mut a.sb(&["caption", &h[round % 5], &format!("round {round}")]),
            0,
        );
        checkpointed += sync(&a)["checkpoint"].as_bool().unwrap() as usize;
    }
    // 11 segments written (the first sync also announces the photos): a checkpoint at the
    // 4th and the 8th, each replacing all before it.
    assert_eq!(checkpointed, 2);
    let names: Vec<String> = files_below(&store.backing.join("devices"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let cps: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("checkpoint-"))
        .collect();
    let segs = names.iter().filter(|n| n.starts_with("seg-")).count();
    assert_eq!(cps.len(), 1, "the older checkpoint was replaced: {names:?}");
    assert_eq!(
        segs, 2,
        "only the segments after the checkpoint remain: {names:?}"
    );
    let head: Value = serde_json::from_slice(
        &std::fs::read(
            files_below(&store.backing.join("devices"))
                .into_iter()
                .find(|p| p.ends_with("head.json"))
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(head["segments"].as_array().unwrap().len(), 2, "{head}");
    assert!(
        head["checkpoint"]["key"]
            .as_str()
            .unwrap()
            .contains("checkpoint-")
    );

    let b = Device::new(t.path(), "b", &store);
    let rb = sync(&b);
    assert_eq!(rb["new_photos"], 5, "{rb}");
    assert_eq!(state(&a), state(&b), "the same catalog from the checkpoint");

    // The checkpoint lost on the store: the owner's verify finds it and writes it again.
    let cp = store
        .backing
        .join(head["checkpoint"]["key"].as_str().unwrap());
    let bytes = std::fs::read(&cp).unwrap();
    std::fs::remove_file(&cp).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let v = json(&mut a.sb(&["verify", "--json"]), 1);
    assert_eq!(v["targets"][0]["problems"][0]["kind"], "segment", "{v}");
    let v = json(&mut a.sb(&["verify", "--repair", "--json"]), 0);
    assert_eq!(v["targets"][0]["problems"][0]["repaired"], true, "{v}");
    assert_eq!(std::fs::read(&cp).unwrap(), bytes, "the same bytes again");
    std::thread::sleep(std::time::Duration::from_millis(600));
    let c = Device::new(t.path(), "c", &store);
    sync(&c);
    assert_eq!(state(&a), state(&c));
}

/// kill -9 at seeded random points of a sync, on the sending side and on the joining side; a
/// re-run leaves both sides consistent: the same catalogs, every thumbnail present, every edit
/// delivered once.
#[test]
pub(crate) fn kill_9_during_sync_and_a_rerun_converge() {
    let seed: u64 = std::env::var("SHOEBOX_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = fastrand::Rng::with_seed(seed);
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let h = photos(&t.path().join("src"), 60);
    a.import(&t.path().join("src"));
    // How long a whole first sync takes here, so kills land all along it.
    let probe_store = Server::rclone_s3();
    let probe = Device::new(t.path(), "probe", &probe_store);
    probe.import(&t.path().join("src"));
    let start = std::time::Instant::now();
    sync(&probe);
    let full = start.elapsed();
    // And a join of it, for the joiner's kills.
    let probe_b = Device::new(t.path(), "probe-b", &probe_store);
    let start = std::time::Instant::now();
    sync(&probe_b);
    let join_full = start.elapsed();

    let kill_at = |d: &Device, full: std::time::Duration, rng: &mut fastrand::Rng| {
        let mut child = d
            .sb(&["sync", "--json"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(rng.f64()));
        let _ = child.kill();
        let _ = child.wait();
    };
    // The sender killed while it uploads, announces and pushes edits.
    for round in 0..4 {
        let mut c = a.sb(&["favourite"]);
        c.args(&h[round * 5..round * 5 + 5]);
        run_ok(&mut c, 0);
        kill_at(&a, full, &mut rng);
    }
    sync(&a);
    // The joiner killed while it takes in photos and thumbnails.
    // The joiner killed while it takes in photos and thumbnails: new joiners until a kill
    // leaves one half-way (photos or thumbnails missing), so the re-run has something to mend.
    let half_way = |d: &Device| {
        let photos = d
            .sb(&["ls", "--json"])
            .output()
            .ok()
            .and_then(|o| serde_json::from_slice::<Value>(&o.stdout).ok())
            .map_or(0, |v| v.as_array().map_or(0, Vec::len));
        photos < 60 || files_below(&d.lib.join(".shoebox/thumbs")).len() < 120
    };
    let b = (0..20)
        .find_map(|i| {
            let b = Device::new(t.path(), &format!("b{i}"), &store);
            kill_at(&b, join_full.mul_f64(0.3 + 0.7 * rng.f64()), &mut rng);
            half_way(&b).then_some(b)
        })
        .unwrap_or_else(|| panic!("no kill landed mid-join in 20 tries (seed {seed})"));
    for _ in 0..2 {
        kill_at(&b, join_full, &mut rng);
    }
    sync(&b);
    sync(&a);
    assert_eq!(state(&a), state(&b), "seed {seed}");
    assert_eq!(state(&b).len(), 60);
    assert_eq!(
        state(&b).values().filter(|v| v.0).count(),
        20,
        "every favourite delivered (seed {seed})"
    );
    assert_eq!(
        files_below(&b.lib.join(".shoebox/thumbs")).len(),
        120,
        "every thumbnail (seed {seed})"
    );
    let v = json(&mut b.sb(&["verify", "--json"]), 0);
    assert!(
        v["targets"][0]["problems"].as_array().unwrap().is_empty(),
        "{v}"
    );
    let v = json(&mut a.sb(&["verify", "--json"]), 0);
    assert!(
        v["targets"][0]["problems"].as_array().unwrap().is_empty(),
        "{v}"
    );
}

/// Every kind of store (a folder, `rclone serve s3`, `rclone serve webdav`, nginx WebDAV): a
/// second computer joins, fetches an original, both edit, and they converge.
#[test]
pub(crate) fn join_fetch_and_sync_both_ways_on_every_kind_of_store() {
    for kind in shoebox_tests::servers::all_kinds() {
        let t = tempfile::tempdir().unwrap();
        let store = kind();
        let a = Device::new(t.path(), "a", &store);
        let h = photos(&t.path().join("src"), 3);
        a.import(&t.path().join("src"));
        sync(&a);
        let b = Device::new(t.path(), "b", &store);
        let rb = sync(&b);
        assert_eq!(rb["new_photos"], 3, "{}: {rb}", store.kind);
        let f = json(&mut b.sb(&["fetch", "--json", &h[0]]), 0);
        assert_eq!(
            hash_of(Path::new(f["fetched"][0]["file"].as_str().unwrap())),
            h[0],
            "{}",
            store.kind
        );
        run_ok(&mut b.sb(&["favourite", &h[1]]), 0);
        run_ok(&mut a.sb(&["caption", &h[2], "from A"]), 0);
        photo(&t.path().join("b-src"), "B.JPG", 50, "2023:07:02 12:00:00");
        b.import(&t.path().join("b-src"));
        sync(&b);
        sync(&a);
        sync(&b);
        assert_eq!(state(&a), state(&b), "{}", store.kind);
        assert_eq!(state(&a).len(), 4, "{}", store.kind);
        assert!(state(&a)[&h[1]].0, "{}", store.kind);
    }
}

/// A torn head (an upload cut short, or a server serving half of it) is "not written yet": the
/// other devices take in nothing from it and report nothing lost; once whole, everything
/// arrives.
#[test]
pub(crate) fn a_torn_head_is_not_written_yet() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let h = photos(&t.path().join("src"), 3);
    a.import(&t.path().join("src"));
    sync(&a);
    let head = files_below(&store.backing.join("devices"))
        .into_iter()
        .find(|p| p.ends_with("head.json"))
        .unwrap();
    let whole = std::fs::read(&head).unwrap();
    std::fs::write(&head, &whole[..whole.len() / 2]).unwrap();
    let b = Device::new(t.path(), "b", &store);
    let rb = sync(&b);
    assert_eq!(rb["new_photos"], 0, "{rb}");
    assert!(state(&b).is_empty());
    std::fs::write(&head, &whole).unwrap();
    let rb = sync(&b);
    assert_eq!(rb["new_photos"], 3, "{rb}");
    assert_eq!(state(&a), state(&b));
    assert!(state(&b).contains_key(&h[0]));
}
