//! One library on several computers (issue 10): joining from a store, originals on demand, and
//! edits made offline on several devices converging, whatever the order of syncs and the
//! devices' clocks. Separate processes with separate HOMEs, against `rclone serve s3`.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::BTreeMap;
use std::path::Path;

use shoebox_tests::photo_taken as photo;
mod converge;
mod logs;
mod originals;

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
