//! Originals that stay on the store: the cache of fetched ones, pinned albums, a fetch from an unmounted disk, a fetch's progress and cancel.

use super::*;
use shoebox_tests::servers::Server;
use std::path::Path;

/// The cache of fetched originals keeps under its cap (over by at most the file just fetched),
/// the least recently used going first, and a damaged cached copy is found and fetched again.
#[test]
pub(crate) fn the_cache_of_fetched_originals_keeps_its_cap_and_heals() {
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
pub(crate) fn a_pinned_album_stays_on_this_computer() {
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

/// A joined library whose folder store is not mounted: fetching an original says what to check
/// and creates no empty folder where the disk should be.
#[test]
pub(crate) fn fetching_from_an_unmounted_disk_creates_nothing() {
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
pub(crate) fn a_fetch_reports_its_bytes_and_stops_when_cancelled() {
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
