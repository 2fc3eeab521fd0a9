//! One library on several computers (issue 10): joining from a store, originals on demand, and
//! edits made offline on several devices converging, whatever the order of syncs and the
//! devices' clocks. Separate processes with separate HOMEs, against `rclone serve s3`.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::BTreeMap;
use std::path::Path;

use shoebox_tests::photo_taken as photo;

/// `n` photos `P0.JPG`… taken on one day, in `dir`; their hashes.
fn photos(dir: &Path, n: u64) -> Vec<String> {
    (0..n)
        .map(|i| photo(dir, &format!("P{i}.JPG"), i, "2023:07:01 12:00:00"))
        .collect()
}

fn sync(d: &Device) -> Value {
    let r = json(&mut d.sb(&["sync", "--json"]), 0);
    assert!(r["targets"][0]["error"].is_null(), "{r}");
    r["targets"][0].clone()
}

/// A sync while some segments are torn: it may report them (exit 1), and nothing else.
fn sync_while_torn(d: &Device) {
    let out = d.sb(&["sync", "--json"]).output().unwrap();
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("sync failed: {}", String::from_utf8_lossy(&out.stderr)));
    let t = &r["targets"][0];
    assert!(t["error"].is_null(), "{r}");
    // Only segments that cannot be read whole yet (torn, or a server's stale size for them).
    for p in t["problems"].as_array().unwrap() {
        assert!(p.as_str().unwrap().contains("devices/"), "{r}");
    }
    assert_eq!(
        out.status.code(),
        Some(if t["problems"].as_array().unwrap().is_empty() {
            0
        } else {
            1
        }),
        "{r}"
    );
}

/// What must be identical on every device: each photo's fields that travel, by hash (paths
/// may differ where two devices' names clash).
fn state(d: &Device) -> BTreeMap<String, (bool, Value, Value)> {
    let mut m = BTreeMap::new();
    for trash in [false, true] {
        let mut c = d.sb(&["ls", "--json"]);
        if trash {
            c.arg("--trash");
        }
        for a in json(&mut c, 0).as_array().unwrap() {
            m.insert(
                a["hash"].as_str().unwrap().to_owned(),
                (
                    a["favourite"].as_bool().unwrap(),
                    a["description"].clone(),
                    a["trashed_at"].clone(),
                ),
            );
        }
    }
    m
}

#[test]
fn a_second_computer_joins_and_sees_everything_without_downloading_originals() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let mut hashes = Vec::new();
    for i in 0..4 {
        hashes.push(photo(
            &t.path().join("src"),
            &format!("IMG_{i}.JPG"),
            i,
            &format!("2023:0{}:01 12:00:00", i + 1),
        ));
    }
    a.import(&t.path().join("src"));
    run_ok(&mut a.sb(&["favourite", &hashes[0]]), 0);
    run_ok(&mut a.sb(&["caption", &hashes[1], "Trastevere at dusk"]), 0);
    let ra = sync(&a);
    assert_eq!(ra["announced"], 4, "{ra}");

    let b = Device::new(t.path(), "b", &store);
    let rb = sync(&b);
    assert_eq!(rb["new_photos"], 4, "{rb}");
    assert_eq!(rb["thumbnails"], 8, "grid and viewer sizes: {rb}");
    let ls = json(&mut b.sb(&["ls", "--json"]), 0);
    assert_eq!(ls.as_array().unwrap().len(), 4);
    for x in ls.as_array().unwrap() {
        assert_eq!(x["local"], false, "{x}");
        assert!(x["device"].is_string(), "{x}");
    }
    assert_eq!(state(&a), state(&b), "favourite and caption came along");
    assert_eq!(
        files_below(&b.lib.join("originals")).len(),
        0,
        "no original downloaded"
    );
    assert_eq!(files_below(&b.lib.join(".shoebox/thumbs")).len(), 8);

    // On demand: one original, checked against its hash.
    let f = json(&mut b.sb(&["fetch", "--json", &hashes[2]]), 0);
    let file = f["fetched"][0]["file"].as_str().unwrap();
    assert_eq!(hash_of(Path::new(file)), hashes[2]);
    let local: Vec<bool> = json(&mut b.sb(&["ls", "--json"]), 0)
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["hash"] == hashes[2].as_str())
        .map(|x| x["local"].as_bool().unwrap())
        .collect();
    assert_eq!(local, vec![true]);

    // A damaged copy on the store is refused, and nothing lands in the cache.
    let key = store_key(
        json(&mut a.sb(&["show", "--json", &hashes[3]]), 0)["path"]
            .as_str()
            .unwrap(),
        &hashes[3],
    );
    let on_store = store.backing.join(&key);
    let mut bytes = std::fs::read(&on_store).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&on_store, &bytes).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let out = run_ok(&mut b.sb(&["fetch", &hashes[3]]), 1);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("does not match its hash"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(files_below(&b.lib.join(".shoebox/cache")).len(), 1);

    // An idle sync sends nothing and takes in nothing.
    let idle = sync(&b);
    assert_eq!(idle["pushed"], 0, "{idle}");
    assert_eq!(idle["new_photos"], 0, "{idle}");
}

/// Two devices edit offline, with clocks hours slow and a year fast, and sync in different
/// orders: they end with identical catalogs, the later edit (by hybrid clock) winning each field,
/// and the fast clock cannot win forever.
#[test]
fn offline_edits_converge_in_every_order_despite_skewed_clocks() {
    for order in [[0usize, 1, 0, 1], [1, 0, 1, 0]] {
        let t = tempfile::tempdir().unwrap();
        let store = Server::rclone_s3();
        let mut a = Device::new(t.path(), "a", &store);
        let mut b = Device::new(t.path(), "b", &store);
        a.clock_offset_ms = -3 * 3600 * 1000;
        b.clock_offset_ms = 365 * 24 * 3600 * 1000;
        let p = photo(&t.path().join("src"), "P.JPG", 1, "2023:07:01 12:00:00");
        let q = photo(&t.path().join("src"), "Q.JPG", 2, "2023:07:02 12:00:00");
        let r = photo(&t.path().join("src"), "R.JPG", 3, "2023:07:03 12:00:00");
        a.import(&t.path().join("src"));
        sync(&a);
        sync(&b);

        // Offline on both.
        run_ok(&mut a.sb(&["favourite", &p]), 0);
        run_ok(&mut a.sb(&["caption", &q, "from A"]), 0);
        run_ok(&mut a.sb(&["trash", &r]), 0);
        run_ok(&mut b.sb(&["favourite", &p, "--off"]), 0);
        run_ok(&mut b.sb(&["caption", &q, "from B"]), 0);
        run_ok(&mut b.sb(&["favourite", &r]), 0);
        let devs = [&a, &b];
        for i in order {
            sync(devs[i]);
        }
        let (sa, sb) = (state(&a), state(&b));
        assert_eq!(sa, sb, "order {order:?}: the devices disagree");
        // B's clock is a year ahead: its edits of P and Q are the later ones.
        assert!(!sa[&p].0, "{sa:?}");
        assert_eq!(sa[&q].1, "from B", "{sa:?}");
        // Different fields never clobber each other: R is trashed (A) and a favourite (B).
        assert!(sa[&r].2.is_string() && sa[&r].0, "{sa:?}");

        // Having seen B's clock, A's next edit is later than everything it saw.
        run_ok(&mut a.sb(&["caption", &q, "A again"]), 0);
        sync(&a);
        sync(&b);
        assert_eq!(
            state(&b)[&q].1,
            "A again",
            "the fast clock does not win forever"
        );
        assert_eq!(state(&a), state(&b));
    }
}

/// The same bytes imported on two devices are one photo; different photos with one name in
/// one month are two, on both devices.
#[test]
fn the_same_photo_is_one_and_clashing_names_are_two() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let b = Device::new(t.path(), "b", &store);
    let same = photo(
        &t.path().join("shared"),
        "SAME.JPG",
        7,
        "2023:07:01 12:00:00",
    );
    photo(&t.path().join("a"), "IMG_1.JPG", 8, "2023:07:05 12:00:00");
    photo(&t.path().join("b"), "IMG_1.JPG", 9, "2023:07:06 12:00:00");
    a.import(&t.path().join("shared"));
    a.import(&t.path().join("a"));
    b.import(&t.path().join("shared"));
    b.import(&t.path().join("b"));
    sync(&a);
    sync(&b);
    sync(&a);
    for d in [&a, &b] {
        let ls = json(&mut d.sb(&["ls", "--json"]), 0);
        let all = ls.as_array().unwrap();
        assert_eq!(all.len(), 3, "{ls}");
        assert_eq!(all.iter().filter(|x| x["hash"] == same.as_str()).count(), 1);
        let names: std::collections::HashSet<&str> =
            all.iter().map(|x| x["path"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 3, "distinct paths: {names:?}");
    }
    assert_eq!(state(&a), state(&b));
}

/// A torn segment on the store is "not written yet": nothing of it is applied, later segments
/// wait, and once the bytes are whole again the next sync takes everything in.
#[test]
fn a_torn_segment_is_not_applied_until_it_is_whole() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let p = photo(&t.path().join("src"), "P.JPG", 1, "2023:07:01 12:00:00");
    a.import(&t.path().join("src"));
    sync(&a);
    let b = Device::new(t.path(), "b", &store);
    sync(&b);
    run_ok(&mut a.sb(&["favourite", &p]), 0);
    sync(&a);
    let mut segs: Vec<_> = files_below(&store.backing.join("devices"))
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("seg-"))
        .collect();
    segs.sort();
    let last = segs.last().unwrap().clone();
    let whole = std::fs::read(&last).unwrap();
    std::fs::write(&last, &whole[..whole.len() / 2]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let r = json(&mut b.sb(&["sync", "--json"]), 1);
    assert!(
        r["targets"][0]["problems"][0]
            .as_str()
            .unwrap()
            .contains("seg-"),
        "the torn segment is named: {r}"
    );
    assert!(!state(&b)[&p].0, "nothing applied from a torn segment");
    std::fs::write(&last, &whole).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    sync(&b);
    assert!(state(&b)[&p].0);
}

/// Every device has photos by then (device 0 imports before the loop ends, or syncs bring
/// them); an empty library here would be a bug of the test.
fn anyhow_if_empty(all: &[String], dev: &Device) {
    assert!(!all.is_empty(), "{} has no photos", dev.lib.display());
}

/// Points `d`'s target `shared` at `store` through a counting proxy; returns the proxy.
fn through_proxy(d: &Device, store: &Server) -> shoebox_tests::proxy::Proxy {
    let endpoint = &store
        .options
        .iter()
        .find(|(k, _)| k == "endpoint")
        .unwrap()
        .1;
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();
    let p = shoebox_tests::proxy::start(port, shoebox_tests::proxy::Mode::Count);
    let args: Vec<String> = store
        .cli_args()
        .into_iter()
        .map(|a| {
            if a.starts_with("endpoint=") {
                format!("endpoint=http://127.0.0.1:{}", p.port)
            } else {
                a
            }
        })
        .collect();
    run_ok(d.sb(&["target", "add", "shared"]).args(args), 0);
    p
}

/// Requests, counted by a proxy: an idle sync with D devices makes at most D + 1, and taking in
/// 1,000 edits of another device at most D + 4 (the store's id, one listing, the heads, one
/// segment, and this device's catalog snapshot and pointer).
#[test]
fn idle_sync_and_taking_in_1000_edits_cost_a_handful_of_requests() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let devices: Vec<Device> = (0..3)
        .map(|i| Device::new(t.path(), &format!("d{i}"), &store))
        .collect();
    let d = devices.len();
    let mut hashes = Vec::new();
    for i in 0..10 {
        hashes.push(photo(
            &t.path().join("src"),
            &format!("P{i}.JPG"),
            i,
            "2023:07:01 12:00:00",
        ));
    }
    devices[0].import(&t.path().join("src"));
    for dev in &devices {
        sync(dev);
    }
    for dev in &devices {
        sync(dev);
    }
    let b = &devices[1];
    let proxy = through_proxy(b, &store);
    sync(b);
    proxy.reset();
    sync(b);
    let idle = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!(
        "idle sync with {d} devices: {idle} requests {:?}",
        proxy.by_method()
    );
    assert!(
        idle <= d + 1,
        "idle sync: {idle} requests {:?}",
        proxy.by_method()
    );

    // 1,000 edits on device 0: favourites of 10 photos toggled 100 times.
    for round in 0..100 {
        let mut c = devices[0].sb(&["favourite"]);
        c.args(&hashes);
        if round % 2 == 1 {
            c.arg("--off");
        }
        run_ok(&mut c, 0);
    }
    let pushed = sync(&devices[0]);
    assert_eq!(pushed["pushed"], 1000, "{pushed}");
    proxy.reset();
    let took = sync(b);
    let n = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("taking in 1000 edits: {n} requests {:?}", proxy.by_method());
    assert_eq!(
        took["edits_applied"], 1000,
        "each edit is later than the one before it: {took}"
    );
    assert_eq!(took["edits_superseded"], 0, "{took}");
    // D + 3, plus the store-identity check every backup now makes (a disk not mounted must not
    // pass for a backup): one small GET of shoebox.json.
    assert!(n <= d + 4, "{n} requests {:?}", proxy.by_method());
    assert_eq!(state(&devices[0]), state(b));
}

/// A seeded randomized run: 3 devices, more than 1,000 random edits and some imports, random
/// sync orders, a few segments torn in transit (made whole later). Every device ends with the
/// same catalog, and every photo's original is on the store, byte for byte.
#[test]
fn three_devices_random_edits_and_syncs_converge() {
    converge(Server::rclone_s3(), 20261130);
}

/// The same run on an encrypted store (rclone crypt): the checks on the store read it through
/// a decrypted copy; torn segments are found by their decrypted names.
#[test]
fn three_devices_converge_on_an_encrypted_store() {
    converge(Server::rclone_s3().encrypted(), 20261201);
}

/// What the store holds, by plain name: the backing folder itself, or for an encrypted store a
/// decrypted copy made now (objects that do not decrypt, such as a torn one, are left out).
struct View {
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

fn converge(store: Server, default_seed: u64) {
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
fn albums(d: &Device) -> BTreeMap<String, Vec<String>> {
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
fn albums_merge_per_photo_and_a_deleted_album_stays_deleted() {
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

/// The cache of fetched originals keeps under its cap (over by at most the file just fetched),
/// the least recently used going first, and a damaged cached copy is found and fetched again.
#[test]
fn the_cache_of_fetched_originals_keeps_its_cap_and_heals() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let h = photos(&t.path().join("src"), 4);
    a.import(&t.path().join("src"));
    sync(&a);
    let b = Device::new(t.path(), "b", &store);
    sync(&b);
    let sizes: Vec<u64> = h
        .iter()
        .map(|x| {
            json(&mut b.sb(&["show", "--json", x]), 0)["size"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let largest = *sizes.iter().max().unwrap();
    // Room for two of them, not three.
    let cap = largest * 2 + largest / 2;
    run_ok(
        &mut b.sb(&["settings", "set", "cache_max_size", &cap.to_string()]),
        0,
    );
    for x in &h {
        json(&mut b.sb(&["fetch", "--json", x]), 0);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let c = json(&mut b.sb(&["cache", "--json"]), 0);
    assert!(c["bytes"].as_u64().unwrap() <= cap, "{c}");
    assert_eq!(c["files"], 2, "{c}");
    let cached = files_below(&b.lib.join(".shoebox/cache"));
    let names: Vec<String> = cached
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with(&h[3])) && names.iter().any(|n| n.starts_with(&h[2])),
        "the two most recently fetched stay: {names:?}"
    );
    // Damage one: the next fetch notices and brings it again.
    let victim = cached
        .iter()
        .find(|p| p.to_string_lossy().contains(&h[3]))
        .unwrap();
    std::fs::write(victim, b"not a photo any more").unwrap();
    let f = json(&mut b.sb(&["fetch", "--json", &h[3]]), 0);
    assert_eq!(f["fetched"][0]["already_here"], false, "{f}");
    assert_eq!(hash_of(victim), h[3]);
    // A photo imported here never enters the cache, and `fetch` says it is already here.
    let f = json(&mut a.sb(&["fetch", "--json", &h[0]]), 0);
    assert_eq!(f["fetched"][0]["already_here"], true, "{f}");
    assert_eq!(json(&mut a.sb(&["cache", "--json"]), 0)["files"], 0);
}

/// A pinned album's originals come to this computer, photos added to it later on another
/// device too, and the cache never evicts them, however full it gets.
#[test]
fn a_pinned_album_stays_on_this_computer() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    let h = photos(&t.path().join("src"), 6);
    a.import(&t.path().join("src"));
    run_ok(&mut a.sb(&["album", "add", "Rome", &h[0], &h[1]]), 0);
    sync(&a);
    let b = Device::new(t.path(), "b", &store);
    sync(&b);
    // A cache too small for even one photo: only pinned ones may exceed it.
    run_ok(&mut b.sb(&["settings", "set", "cache_max_size", "1"]), 0);
    run_ok(&mut b.sb(&["pin", "Rome"]), 0);
    for x in &h[2..5] {
        json(&mut b.sb(&["fetch", "--json", x]), 0);
    }
    let local = |d: &Device| -> Vec<String> {
        let mut v: Vec<String> = json(&mut d.sb(&["ls", "--json"]), 0)
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["local"] == true)
            .map(|x| x["hash"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let mut want = vec![h[0].clone(), h[1].clone(), h[4].clone()];
    want.sort();
    assert_eq!(local(&b), want, "Rome's two and the one just fetched");
    // Added to Rome on the other device: here after the next sync, without asking.
    run_ok(&mut a.sb(&["album", "add", "Rome", &h[5]]), 0);
    sync(&a);
    let r = sync(&b);
    assert_eq!(r["fetched_for_pins"], 1, "{r}");
    assert!(local(&b).contains(&h[5]));
    run_ok(&mut b.sb(&["unpin", "Rome"]), 0);
    json(&mut b.sb(&["fetch", "--json", &h[3]]), 0);
    assert_eq!(
        local(&b),
        vec![h[3].clone()],
        "unpinned: evicted like the rest"
    );
}

/// A segment the store lost is written again by its owner (`verify --repair`; nobody else may
/// write under its prefix), byte for byte from its log, and the others then take it in.
#[test]
fn a_lost_segment_is_repaired_from_its_owner() {
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
fn a_format_1_store_is_upgraded_in_place_and_loses_nothing() {
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
fn change_logs_are_compacted_into_checkpoints() {
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
fn kill_9_during_sync_and_a_rerun_converge() {
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
fn join_fetch_and_sync_both_ways_on_every_kind_of_store() {
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
fn a_torn_head_is_not_written_yet() {
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

/// A joined library whose folder store is not mounted: fetching an original says what to check
/// and creates no empty folder where the disk should be.
#[test]
fn fetching_from_an_unmounted_disk_creates_nothing() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let h = photos(&t.path().join("src"), 2);
    a.import(&t.path().join("src"));
    sync(&a);
    let b = Device::new(t.path(), "b", &store);
    sync(&b);
    let aside = t.path().join("unplugged");
    std::fs::rename(&store.backing, &aside).unwrap();
    let out = run_ok(&mut b.sb(&["fetch", &h[0]]), 1);
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("is the disk mounted"), "{text}");
    assert!(
        !store.backing.exists(),
        "no folder made where the disk should be"
    );
    std::fs::rename(&aside, &store.backing).unwrap();
    let f = json(&mut b.sb(&["fetch", "--json", &h[0]]), 0);
    assert_eq!(
        hash_of(Path::new(f["fetched"][0]["file"].as_str().unwrap())),
        h[0]
    );
}

/// The viewer's fetch of a big original: progress in bytes up to its size, and moving on stops
/// it with nothing left behind (no cached file, no partial file); fetched again, it arrives
/// whole. In process, on the engine the app calls, against `rclone serve s3`.
#[test]
fn a_fetch_reports_its_bytes_and_stops_when_cancelled() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let t = tempfile::tempdir().unwrap();
    let store = Server::rclone_s3();
    let a = Device::new(t.path(), "a", &store);
    // A real video padded to 14 MB: several 4 MB chunks on the way.
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut video = std::fs::read(data_dir().join("sample.mp4")).unwrap();
    video.resize(14 << 20, 0);
    std::fs::write(src.join("VID_20220301_101010.mp4"), &video).unwrap();
    a.import(&src);
    let hash = a.hash_of_name("VID_20220301_101010.mp4");
    sync(&a);
    let b = Device::new(t.path(), "b", &store);
    sync(&b);

    // The secrets of B's target are in its own file; this process reads them the same way.
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var("SHOEBOX_SECRETS_FILE", b.home.join("secrets.json")) };
    let mut lib = shoebox_engine::Library::open(&b.lib).unwrap();
    let cache = b.lib.join(".shoebox/cache");
    let tmp = b.lib.join(".shoebox/tmp");

    let cancel = AtomicBool::new(false);
    let seen = std::cell::RefCell::new(Vec::new());
    let err = lib
        .fetch_with(
            &hash,
            &|p| {
                seen.borrow_mut().push(p.bytes_done);
                cancel.store(true, Ordering::Relaxed);
            },
            &cancel,
        )
        .unwrap_err();
    assert!(matches!(err, shoebox_engine::Error::Cancelled), "{err:?}");
    assert!(
        !seen.borrow().is_empty(),
        "it reported progress before stopping"
    );
    assert!(files_below(&cache).is_empty(), "nothing cached");
    assert!(files_below(&tmp).is_empty(), "no partial file left");

    let seen = std::cell::RefCell::new(Vec::new());
    let f = lib
        .fetch_with(
            &hash,
            &|p| seen.borrow_mut().push((p.bytes_done, p.bytes_total)),
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(hash_of(&f.file), hash);
    let seen = seen.into_inner();
    assert!(
        seen.iter().all(|&(_, total)| total == video.len() as u64),
        "{seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "bytes only grow: {seen:?}"
    );
    assert!(
        seen.first()
            .is_some_and(|&(done, _)| done < video.len() as u64),
        "{seen:?}"
    );
    assert_eq!(
        seen.last().map(|&(done, _)| done),
        Some(video.len() as u64),
        "{seen:?}"
    );
}
