//! Windows, run for real under Wine (issue 30): the Windows build of `shoebox`
//! (`target/x86_64-pc-windows-gnu/debug/shoebox.exe`, built by `scripts/test-windows.sh`) drives
//! a library on this disk through Windows' file APIs, beside this Linux build on one store.
//! What Wine cannot stand in for (NTFS's own case rules, file locking, fsync, WebView2) is
//! listed in the README.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A dozen photos over several months, a HEIC and a video: what `scripts/run.sh --sample`
/// imports, made here. Returns each file's hash and bytes.
fn sample(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..10u64 {
        let when = format!("20{}:{:02}:0{} 12:00:00", 21 + i % 3, 1 + i, 1 + i % 7);
        photo_taken(dir, &format!("IMG_{:04}.JPG", 100 + i), i, &when);
    }
    std::fs::write(dir.join("IMG_2001.HEIC"), SAMPLE_HEIC).unwrap();
    std::fs::write(dir.join("VID_20210304_050607.mp4"), SAMPLE_MP4).unwrap();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let b = std::fs::read(e.unwrap().path()).unwrap();
            (blake3::hash(&b).to_hex().to_string(), b)
        })
        .collect()
}

/// A path the Windows build printed (`Z:\\tmp\\x`, `\\\\?\\Z:\\tmp\\x`, or `/tmp/x\\y` as it
/// was given), as this system names it: Wine's drive Z: is `/`.
fn from_wine(v: &Value) -> PathBuf {
    let s = v.as_str().unwrap_or_else(|| panic!("not a path: {v}"));
    let s = s.strip_prefix(r"\\?\").unwrap_or(s);
    let s = s
        .strip_prefix("Z:")
        .or_else(|| s.strip_prefix("z:"))
        .unwrap_or(s);
    PathBuf::from(s.replace('\\', "/"))
}

/// Every original below `lib`, by hash.
fn originals(lib: &Path) -> BTreeMap<String, PathBuf> {
    files_below(&lib.join("originals"))
        .into_iter()
        .map(|p| (hash_of(&p), p))
        .collect()
}

/// The sample folder imported, backed up to a folder store, checked, damaged and repaired, and
/// restored into a new library, all by the Windows build: every original comes back byte for
/// byte.
#[test]
fn the_windows_build_imports_backs_up_repairs_and_restores_byte_for_byte() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let w = Device::new_on(Os::Wine, t.path(), "w", &store);
    let src = t.path().join("sample");
    let want = sample(&src);
    let r = json(w.sb(&["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], want.len(), "{r}");
    let got = originals(&w.lib);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    // Placed in the library's YYYY/MM folders, as on Linux.
    for p in got.values() {
        let rel = p.strip_prefix(w.lib.join("originals")).unwrap();
        assert_eq!(rel.components().count(), 3, "{}", rel.display());
    }

    let b = json(&mut w.sb(&["backup", "--json"]), 0);
    assert!(b["targets"][0]["error"].is_null(), "{b}");
    let v = json(&mut w.sb(&["verify", "--deep", "--json"]), 0);
    assert!(v["targets"][0]["error"].is_null(), "{v}");

    // A damaged original in the library: verify finds it, repair brings the stored copy back.
    let (hash, victim) = got.iter().next().unwrap();
    std::fs::write(victim, b"not a photo any more").unwrap();
    let v = json(&mut w.sb(&["verify", "--json"]), 1);
    let problem = &v["targets"][0]["problems"][0];
    assert_eq!(problem["kind"], "local_corrupt", "{v}");
    let rel = victim.strip_prefix(&w.lib).unwrap();
    assert!(
        rel.ends_with(
            problem["key"]
                .as_str()
                .unwrap()
                .trim_start_matches("originals/")
        ),
        "{v}"
    );
    json(&mut w.sb(&["verify", "--repair", "--json"]), 0);
    assert_eq!(&std::fs::read(victim).unwrap(), &want[hash], "repaired");
    json(&mut w.sb(&["check", "--json"]), 0);

    let dest = t.path().join("restored");
    let mut c = w.sb(&["restore", "--json", "--to"]);
    c.arg(&dest).args(store.cli_args());
    json(&mut c, 0);
    let back = originals(&dest);
    assert_eq!(
        back.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (h, p) in &back {
        assert_eq!(&std::fs::read(p).unwrap(), &want[h], "{}", p.display());
    }
    // The Linux build reads what the Windows build wrote, and the other way round.
    let ls = json(&mut shoebox(&dest, &["ls", "--json"]), 0);
    assert_eq!(ls.as_array().unwrap().len(), want.len());
}

/// A file from a folder made on Linux (a share, a card) whose name Windows reads as a device
/// (`aux.jpg`) or another file: the Windows build reaches the file itself and gives it a safe
/// name, and imports the rest.
#[test]
fn a_file_named_like_a_windows_device_is_imported_under_a_safe_name() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let w = Device::new_on(Os::Wine, t.path(), "w", &store);
    let src = t.path().join("src");
    let aux = photo_taken(&src, "aux.jpg", 1, "2023:07:01 12:00:00");
    let con = photo_taken(&src, "con.JPG", 2, "2023:07:01 12:00:01");
    let plain = photo_taken(&src, "IMG_3.JPG", 3, "2023:07:01 12:00:02");
    let r = json(w.sb(&["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 3, "{r}");
    let ls = json(&mut w.sb(&["ls", "--json"]), 0);
    let path_of = |h: &str| {
        ls.as_array()
            .unwrap()
            .iter()
            .find(|a| a["hash"] == h)
            .map(|a| a["path"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{h} not in {ls}"))
    };
    assert_eq!(path_of(&aux), "originals/2023/07/_aux.jpg");
    assert_eq!(path_of(&con), "originals/2023/07/_con.JPG");
    assert_eq!(path_of(&plain), "originals/2023/07/IMG_3.JPG");
    assert_eq!(
        hash_of(&w.lib.join("originals/2023/07/_aux.jpg")),
        aux,
        "the file itself, not the AUX device"
    );
}

fn state(d: &Device) -> BTreeMap<String, (String, Value, Value)> {
    json(&mut d.sb(&["ls", "--json"]), 0)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["hash"].as_str().unwrap().to_owned(),
                (
                    a["path"].as_str().unwrap().to_owned(),
                    a["description"].clone(),
                    a["favourite"].clone(),
                ),
            )
        })
        .collect()
}

fn sync(d: &Device) -> Value {
    let r = json(&mut d.sb(&["sync", "--json"]), 0);
    assert!(r["targets"][0]["error"].is_null(), "{r}");
    r
}

/// A Linux computer and a Windows one on one folder store: each imports a photo, each edits the
/// other's, and both end with the same library; the Windows one fetches the Linux one's
/// original byte for byte.
#[test]
fn a_linux_device_and_a_windows_device_converge_on_one_folder_store() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let l = Device::new(t.path(), "linux", &store);
    let w = Device::new_on(Os::Wine, t.path(), "windows", &store);
    let from_linux = photo_taken(&t.path().join("l"), "IMG_1.JPG", 1, "2023:07:01 12:00:00");
    let from_windows = photo_taken(&t.path().join("w"), "IMG_1.JPG", 2, "2023:07:01 13:00:00");
    l.import(&t.path().join("l"));
    w.import(&t.path().join("w"));
    sync(&l);
    sync(&w);
    sync(&l);
    let (ls, ws) = (state(&l), state(&w));
    assert_eq!(ls.len(), 2, "{ls:?}");
    assert_eq!(ls.keys().collect::<Vec<_>>(), ws.keys().collect::<Vec<_>>());

    run_ok(&mut l.sb(&["caption", &from_windows, "from Linux"]), 0);
    run_ok(&mut w.sb(&["favourite", &from_linux]), 0);
    run_ok(
        &mut w.sb(&["caption", &from_linux, "from Windows, café"]),
        0,
    );
    sync(&l);
    sync(&w);
    sync(&l);
    let (ls, ws) = (state(&l), state(&w));
    assert_eq!(ls[&from_windows].1, "from Linux");
    assert_eq!(ls[&from_linux].1, "from Windows, café");
    assert_eq!(ls[&from_linux].2, true);
    // Each keeps its own file names (both photos are IMG_1.JPG of July); the edits agree.
    let edits = |s: &BTreeMap<String, (String, Value, Value)>| {
        s.iter()
            .map(|(h, (_, c, f))| (h.clone(), c.clone(), f.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(edits(&ls), edits(&ws));

    let f = json(&mut w.sb(&["fetch", "--json", &from_linux]), 0);
    assert_eq!(
        hash_of(&from_wine(&f["fetched"][0]["file"])),
        from_linux,
        "{f}"
    );
}

/// Another device (an older Shoebox, another program writing the store format) announces a
/// photo at `originals/…/aux.jpg`, which no Windows disk holds: the Windows device takes it in
/// under a safe name, says so, and fetches its original; the sync goes on.
#[test]
fn a_photo_announced_at_a_windows_device_name_is_taken_in_under_a_safe_name() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let l = Device::new(t.path(), "linux", &store);
    let hash = photo_taken(&t.path().join("l"), "IMG_7.JPG", 7, "2023:07:01 12:00:00");
    l.import(&t.path().join("l"));
    sync(&l);
    // Another device's log, written as that device would: the same photo at `aux.jpg`.
    let dev = json(&mut l.sb(&["devices", "--json"]), 0)["this_device"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = "0123456789abcdef";
    let key = store_key("originals/2023/07/IMG_7.JPG", &hash);
    let aux_key = key.replace("IMG_7~", "aux~").replace(".JPG", ".jpg");
    let bytes = std::fs::read(store.backing.join(&key)).unwrap();
    std::fs::write(store.backing.join(&aux_key), &bytes).unwrap();
    let head: Value = serde_json::from_slice(
        &std::fs::read(store.backing.join(format!("devices/{dev}/head.json"))).unwrap(),
    )
    .unwrap();
    let seg_key = head["segments"][0]["key"].as_str().unwrap();
    let seg = std::fs::read_to_string(store.backing.join(seg_key))
        .unwrap()
        .replace(&dev, other)
        .replace("originals/2023/07/IMG_7.JPG", "originals/2023/07/aux.jpg")
        .replace(&key, &aux_key);
    assert!(seg.contains("aux.jpg"), "{seg}");
    let mut forged = head.clone();
    let seg_name = seg_key.rsplit('/').next().unwrap();
    forged["device"] = other.into();
    forged["name"] = "an older computer".into();
    forged["segments"] = serde_json::json!([{
        "key": format!("devices/{other}/{seg_name}"),
        "first": head["segments"][0]["first"],
        "last": head["segments"][0]["last"],
        "size": seg.len(),
        "blake3": blake3::hash(seg.as_bytes()).to_hex().to_string(),
    }]);
    let dir = store.backing.join(format!("devices/{other}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(seg_name), &seg).unwrap();
    std::fs::write(dir.join("head.json"), forged.to_string()).unwrap();
    // Only the other device's log: this device's own would bring the photo under its own name.
    std::fs::remove_dir_all(store.backing.join(format!("devices/{dev}"))).unwrap();

    let w = Device::new_on(Os::Wine, t.path(), "windows", &store);
    let r = sync(&w);
    let renamed = r["targets"][0]["renamed"].to_string();
    assert!(
        renamed.contains("aux.jpg") && renamed.contains("_aux.jpg"),
        "{r}"
    );
    assert_eq!(r["targets"][0]["new_photos"], 1, "{r}");
    let s = state(&w);
    assert_eq!(s[&hash].0, "originals/2023/07/_aux.jpg");
    let f = json(&mut w.sb(&["fetch", "--json", &hash]), 0);
    assert_eq!(hash_of(&from_wine(&f["fetched"][0]["file"])), hash, "{f}");
}

/// With no keychain wanted (`SHOEBOX_SECRETS_FILE`, as on a computer without one), an S3
/// target's keys go to the secrets file, never to the library, and come back for a backup.
#[test]
fn the_secrets_file_keeps_an_s3_targets_keys_on_windows() {
    let t = tempfile::tempdir().unwrap();
    let folder = Server::fs();
    let w = Device::new_on(Os::Wine, t.path(), "w", &folder);
    let s3 = Server::rclone_s3();
    let out = run_ok(w.sb(&["target", "add", "s3"]).args(s3.cli_args()), 0);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("secrets.json"), "{said}");
    let secrets = std::fs::read_to_string(w.home.join("secrets.json")).unwrap();
    for (_, v) in &s3.secrets {
        assert!(secrets.contains(v.as_str()), "{secrets}");
        let db = std::fs::read(w.lib.join(".shoebox/catalog.db")).unwrap();
        assert!(
            !db.windows(v.len()).any(|w| w == v.as_bytes()),
            "a secret in the catalog"
        );
    }
    let src = t.path().join("src");
    let h = photo_taken(&src, "IMG_1.JPG", 1, "2023:07:01 12:00:00");
    w.import(&src);
    let b = json(&mut w.sb(&["backup", "--target", "s3", "--json"]), 0);
    assert!(b["targets"][0]["error"].is_null(), "{b}");
    let stored = files_below(&s3.backing.join("originals"));
    assert_eq!(stored.len(), 1);
    assert_eq!(hash_of(&stored[0]), h);
}
