//! Many devices editing at random, offline and with skewed clocks, and albums: every order converges.

use super::*;
use shoebox_tests::photo_taken as photo;
use shoebox_tests::servers::Server;
use std::collections::BTreeMap;

/// A seeded randomized run: 3 devices, more than 1,000 random edits and some imports, random
/// sync orders, a few segments torn in transit (made whole later). Every device ends with the
/// same catalog, and every photo's original is on the store, byte for byte.
#[test]
pub(crate) fn three_devices_random_edits_and_syncs_converge() {
    converge(Server::rclone_s3(), 20261130);
}

/// The same run on an encrypted store (rclone crypt): the checks on the store read it through
/// a decrypted copy; torn segments are found by their decrypted names.
#[test]
pub(crate) fn three_devices_converge_on_an_encrypted_store() {
    converge(Server::rclone_s3().encrypted(), 20261201);
}

/// What the store holds, by plain name: the backing folder itself, or for an encrypted store a
/// decrypted copy made now (objects that do not decrypt, such as a torn one, are left out).
pub(crate) struct View {
    keys: Option<shoebox_crypt::Keys>,
    copy: tempfile::TempDir,
}

impl View {
    fn new(store: &Server) -> View {
        View {
            keys: store
                .recovery_code
                .as_ref()
                .map(|c| shoebox_crypt::Keys::derive(c, None)),
            copy: tempfile::tempdir().unwrap(),
        }
    }

    /// Raw files with their plain names.
    fn files(&self, store: &Server) -> Vec<(std::path::PathBuf, String)> {
        files_below(&store.backing)
            .into_iter()
            .filter_map(|p| {
                let rel = p
                    .strip_prefix(&store.backing)
                    .ok()?
                    .to_string_lossy()
                    .into_owned();
                let plain = match &self.keys {
                    None => rel,
                    Some(k) => k.decrypt_path(&rel).ok()?,
                };
                Some((p, plain))
            })
            .collect()
    }

    fn plain(&self, store: &Server) -> std::path::PathBuf {
        let Some(k) = &self.keys else {
            return store.backing.clone();
        };
        let _ = std::fs::remove_dir_all(self.copy.path().join("v"));
        let root = self.copy.path().join("v");
        for (raw, plain) in self.files(store) {
            let mut out = Vec::new();
            let f = std::fs::File::open(&raw).unwrap();
            if std::io::Read::read_to_end(&mut shoebox_crypt::content::Decrypt::new(k, f), &mut out)
                .is_ok()
            {
                let p = root.join(plain);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, out).unwrap();
            }
        }
        root
    }
}

pub(crate) fn converge(store: Server, default_seed: u64) {
    let seed: u64 = std::env::var("SHOEBOX_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seed);
    eprintln!("seed {seed} (SHOEBOX_TEST_SEED to replay)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let t = tempfile::tempdir().unwrap();
    let view = View::new(&store);
    let mut devices: Vec<Device> = (0..3)
        .map(|i| Device::new(t.path(), &format!("d{i}"), &store))
        .collect();
    devices[1].clock_offset_ms = -2 * 3600 * 1000;
    devices[2].clock_offset_ms = 30 * 24 * 3600 * 1000;
    // Change logs compacted into checkpoints every few syncs, while others read them.
    for (i, d) in devices.iter_mut().enumerate() {
        d.checkpoint_every = 2 + i;
    }
    let mut known: Vec<String> = Vec::new();
    let mut edits = 0;
    let mut torn = Vec::new();
    let mut photo_no = 0u64;
    // One photo to start with, known to every device.
    {
        let dir = t.path().join("first");
        let h = photo(&dir, "FIRST.JPG", 999, "2023:08:01 09:00:00");
        std::fs::create_dir_all(t.path().join("all")).unwrap();
        std::fs::copy(
            dir.join("FIRST.JPG"),
            t.path().join("all").join(format!("{}.JPG", &h[..12])),
        )
        .unwrap();
        known.push(h);
        devices[0].import(&dir);
        for dev in &devices {
            sync(dev);
        }
    }
    let started = std::time::Instant::now();
    for round in 0..60 {
        let i = rng.usize(..devices.len());
        let dev = &devices[i];
        match rng.u8(..10) {
            // Import a new photo (sometimes one another device already has: same bytes).
            0 => {
                let dir = t.path().join(format!("in-{round}"));
                if !known.is_empty() && rng.bool() {
                    let src = t
                        .path()
                        .join("all")
                        .join(format!("{}.JPG", &known[rng.usize(..known.len())][..12]));
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::copy(&src, dir.join("copy.JPG")).unwrap();
                } else {
                    photo_no += 1;
                    let h = photo(
                        &dir,
                        &format!("IMG_{:04}.JPG", photo_no % 5),
                        1000 + photo_no,
                        "2023:08:01 10:00:00",
                    );
                    std::fs::create_dir_all(t.path().join("all")).unwrap();
                    std::fs::copy(
                        dir.join(format!("IMG_{:04}.JPG", photo_no % 5)),
                        t.path().join("all").join(format!("{}.JPG", &h[..12])),
                    )
                    .unwrap();
                    known.push(h);
                }
                dev.import(&dir);
            }
            // Sync, and now and then tear the segment it wrote (a torn upload) for a while.
            1..=3 => {
                sync_while_torn(dev);
                if rng.u8(..4) == 0 {
                    let segs: Vec<_> = view
                        .files(&store)
                        .into_iter()
                        .filter(|(_, n)| {
                            n.starts_with("devices/")
                                && (n.contains("seg-") || n.contains("checkpoint-"))
                        })
                        .map(|(p, _)| p)
                        .collect();
                    if let Some(p) = segs.get(rng.usize(..segs.len().max(1))) {
                        let whole = std::fs::read(p).unwrap();
                        std::fs::write(p, &whole[..whole.len() / 3]).unwrap();
                        torn.push((p.clone(), whole));
                    }
                }
            }
            // Edits on the photos this device knows: a batch of favourites, captions, trash.
            _ => {
                let mine: Vec<String> = ["--trash", ""]
                    .iter()
                    .flat_map(|flag| {
                        let mut c = dev.sb(&["ls", "--json"]);
                        if !flag.is_empty() {
                            c.arg(flag);
                        }
                        json(&mut c, 0)
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|a| a["hash"].as_str().unwrap().to_owned())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let pick: Vec<String> = (0..rng.usize(10..40))
                    .map(|_| mine[rng.usize(..mine.len())].clone())
                    .collect();
                let mut c = match rng.u8(..4) {
                    0 => dev.sb(&["favourite"]),
                    1 => dev.sb(&["favourite", "--off"]),
                    2 => dev.sb(&["trash"]),
                    _ => dev.sb(&["trash", "--restore"]),
                };
                c.args(&pick);
                run_ok(&mut c, 0);
                edits += pick.len();
                let h = &mine[rng.usize(..mine.len())];
                let text = format!("caption {round} from d{i}");
                run_ok(&mut dev.sb(&["caption", h, &text]), 0);
                edits += 1;
            }
        }
        // Torn segments are made whole again after a while (the upload completes).
        if rng.u8(..3) == 0
            && let Some((p, whole)) = torn.pop()
        {
            std::fs::write(&p, whole).unwrap();
        }
    }
    // Keep editing until there have been more than 1,000 edits.
    while edits <= 1000 {
        let dev = &devices[rng.usize(..devices.len())];
        // Trashed photos too: favourites apply to them as well.
        let all: Vec<String> = state(dev).into_keys().collect();
        anyhow_if_empty(&all, dev);
        let pick: Vec<String> = (0..50)
            .map(|_| all[rng.usize(..all.len())].clone())
            .collect();
        let mut c = dev.sb(&["favourite"]);
        c.args(&pick);
        if rng.bool() {
            c.arg("--off");
        }
        run_ok(&mut c, 0);
        edits += pick.len();
    }
    for (p, whole) in torn.drain(..) {
        std::fs::write(&p, whole).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(600));
    // Everyone syncs twice round: all news reach everyone.
    for _ in 0..2 {
        for dev in &devices {
            sync(dev);
        }
    }
    let first = state(&devices[0]);
    assert!(!first.is_empty());
    for (i, dev) in devices.iter().enumerate().skip(1) {
        assert_eq!(
            state(dev),
            first,
            "device {i} differs from device 0 (seed {seed})"
        );
    }
    // No original lost: every photo any device has is on the store, byte for byte (the same
    // bytes imported under two names before the devices met are stored under both).
    let plain = view.plain(&store);
    if store.recovery_code.is_some() {
        assert!(
            !store.backing.join("originals").exists(),
            "names are encrypted"
        );
    }
    for h in first.keys() {
        let on_store: Vec<_> = files_below(&plain.join("originals"))
            .into_iter()
            .filter(|p| p.to_string_lossy().contains(&h[..16]))
            .filter(|p| p.extension().is_none_or(|e| e != "xmp"))
            .collect();
        assert!(!on_store.is_empty(), "{h} is not on the store");
        for p in on_store {
            assert_eq!(&hash_of(&p), h, "{}", p.display());
        }
    }
    // Every XMP sidecar sits beside its original.
    for p in files_below(&plain.join("originals")) {
        if p.extension().is_some_and(|e| e == "xmp") {
            assert!(p.with_extension("").is_file(), "{} alone", p.display());
        }
    }
    let checkpoints = files_below(&plain.join("devices"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("checkpoint-"))
        .count();
    assert!(
        checkpoints >= 2,
        "the logs were compacted: {checkpoints} checkpoints"
    );
    // A device joining now reads each log's checkpoint and a few segments, not its history,
    // and ends with the same catalog.
    let late = Device::new(t.path(), "late", &store);
    sync(&late);
    assert_eq!(
        state(&late),
        first,
        "a device joining from checkpoints (seed {seed})"
    );
    eprintln!(
        "{edits} edits, {} photos, {checkpoints} checkpoints, converged in {:?}",
        first.len(),
        started.elapsed()
    );
    devices.clear();
}

/// Albums by name with their photos (sorted), as `album list --json` gives them.
pub(crate) fn albums(d: &Device) -> BTreeMap<String, Vec<String>> {
    json(&mut d.sb(&["album", "list", "--json"]), 0)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut p: Vec<String> = a["photos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_owned())
                .collect();
            p.sort();
            (a["name"].as_str().unwrap().to_owned(), p)
        })
        .collect()
}

/// Albums travel: membership per (album, photo), so adding X on one device and Y on the other
/// gives both, removing on one and adding another elsewhere keeps both edits, and an album
/// deleted on one device while photos were added to it on the other is gone on both.
#[test]
pub(crate) fn albums_merge_per_photo_and_a_deleted_album_stays_deleted() {
    for order in [[0usize, 1, 0, 1], [1, 0, 1, 0]] {
        let t = tempfile::tempdir().unwrap();
        let store = Server::rclone_s3();
        let a = Device::new(t.path(), "a", &store);
        let b = Device::new(t.path(), "b", &store);
        let h = photos(&t.path().join("src"), 5);
        a.import(&t.path().join("src"));
        run_ok(&mut a.sb(&["album", "add", "Rome", &h[0], &h[1]]), 0);
        run_ok(&mut a.sb(&["album", "add", "Trip", &h[4]]), 0);
        sync(&a);
        sync(&b);
        assert_eq!(albums(&b), albums(&a), "albums arrive with the photos");

        // Offline on both.
        run_ok(&mut a.sb(&["album", "add", "Rome", &h[2]]), 0);
        run_ok(&mut b.sb(&["album", "add", "Rome", &h[3]]), 0);
        run_ok(&mut b.sb(&["album", "remove", "Rome", &h[0]]), 0);
        run_ok(&mut a.sb(&["album", "delete", "Trip"]), 0);
        run_ok(&mut b.sb(&["album", "add", "Trip", &h[1]]), 0);
        let devs = [&a, &b];
        for i in order {
            sync(devs[i]);
        }
        let (la, lb) = (albums(&a), albums(&b));
        assert_eq!(la, lb, "order {order:?}");
        let mut rome = vec![h[1].clone(), h[2].clone(), h[3].clone()];
        rome.sort();
        assert_eq!(la["Rome"], rome, "{la:?}");
        assert!(
            !la.contains_key("Trip"),
            "a deleted album stays deleted: {la:?}"
        );
    }
}
