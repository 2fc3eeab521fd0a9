//! Sharing an album by link (issue 26): what `shoebox share` writes on a folder store and on
//! `rclone serve s3`, read back here with the key from the link, as the viewer reads it.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Setup {
    _t: tempfile::TempDir,
    d: Device,
    store: Server,
    src: PathBuf,
}

/// A library with album "Beach trip" of three photos with GPS and camera data, on `store`,
/// whose public address is set.
fn setup(store: Server) -> Setup {
    let t = tempfile::tempdir().unwrap();
    let d = Device::new(t.path(), "a", &store);
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut hashes = Vec::new();
    for i in 0..3u64 {
        let b = Jpeg::new(400, 300)
            .seed(i)
            .taken(&format!("2023:07:0{} 12:00:00", i + 1), Some("+02:00"))
            .camera("Secretcam", "Model X", "Lens Y")
            .gps((48, 51, 2400), false, (2, 17, 4000), false, 35)
            .write(&src.join(format!("Secret_Beach_{i}.JPG")));
        hashes.push(blake3::hash(&b).to_hex().to_string());
    }
    d.import(&src);
    let mut add = d.sb(&["album", "add", "Beach trip"]);
    add.args(&hashes);
    run_ok(&mut add, 0);
    run_ok(
        &mut d.sb(&[
            "target",
            "set",
            "shared",
            "--public-url",
            "http://127.0.0.1:9/gallery/",
        ]),
        0,
    );
    Setup {
        _t: t,
        d,
        store,
        src,
    }
}

/// The id and key a link carries.
fn id_and_key(link: &str) -> (String, [u8; 32]) {
    let rest = link
        .strip_prefix("http://127.0.0.1:9/gallery/shares/index.html#s=")
        .unwrap_or_else(|| panic!("{link}"));
    let (id, frag) = rest.split_once("&k=").unwrap();
    use base64::Engine;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(frag)
        .unwrap();
    (id.to_owned(), key.try_into().unwrap())
}

/// Every object of a share, by name inside its folder.
fn objects(store: &Server, id: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = store.backing.join("shares").join(id);
    files_below(&dir)
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn open(key: &[u8; 32], sealed: &[u8]) -> Vec<u8> {
    shoebox_crypt::content::open_all(&shoebox_crypt::Keys::from_data_key(*key), sealed).unwrap()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Publishes, then checks what is on the store: the layout, nothing readable but the viewer,
/// the manifest and every picture opening with the link's key, previews without EXIF.
fn publish_and_check(s: &Setup) -> (String, [u8; 32], Value) {
    let r = json(s.d.sb(&create_expiring("30d")).arg("--json"), 0);
    assert_eq!(r["added"], 3, "{r}");
    let link = r["share"]["link"].as_str().unwrap();
    let (id, key) = id_and_key(link);
    let objs = objects(&s.store, &id);
    let names: Vec<&str> = objs.keys().map(String::as_str).collect();
    assert!(names.contains(&"manifest.bin"), "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("t/")).count(), 3);
    assert_eq!(names.iter().filter(|n| n.starts_with("p/")).count(), 3);
    assert_eq!(objs.len(), 7, "{names:?}");
    let viewer = std::fs::read_to_string(s.store.backing.join("shares/index.html")).unwrap();
    assert!(
        viewer.contains("secretbox"),
        "the viewer with tweetnacl inside"
    );
    for (name, bytes) in objs
        .iter()
        .chain([(&"../index.html".to_owned(), &viewer.into_bytes())])
    {
        for secret in [
            &b"Secret_Beach"[..],
            b"Beach trip",
            b"Secretcam",
            b"Exif\0\0",
            b"2023-07-0",
            &key[..],
        ] {
            assert!(
                !contains(bytes, secret),
                "{name} holds {secret:?} in the clear"
            );
        }
        if name != "../index.html" {
            assert!(bytes.starts_with(b"RCLONE\0\0"), "{name}");
        }
    }
    let manifest: Value = serde_json::from_slice(&open(&key, &objs["manifest.bin"])).unwrap();
    assert_eq!(manifest["title"], "Beach trip");
    assert!(manifest["expires"].is_string(), "{manifest}");
    let items = manifest["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for it in items {
        for (k, size) in [("t", 320), ("p", 1440)] {
            let obj = &it[k];
            let plain = open(&key, &objs[obj["k"].as_str().unwrap()]);
            assert_eq!(plain.len() as u64, obj["n"].as_u64().unwrap());
            assert!(plain.starts_with(&[0xFF, 0xD8]), "a JPEG");
            assert!(
                !contains(&plain, b"Exif\0\0"),
                "{k}: EXIF in a {size} px picture"
            );
            assert!(!contains(&plain, b"Secretcam"));
        }
        assert!(it["name"].as_str().unwrap().starts_with("Secret_Beach_"));
        assert!(it["date"].as_str().unwrap().starts_with("2023-07-0"));
    }
    // A wrong key opens nothing.
    assert!(
        shoebox_crypt::content::open_all(
            &shoebox_crypt::Keys::from_data_key([7; 32]),
            &objs["manifest.bin"]
        )
        .is_err()
    );
    (id, key, manifest)
}

#[test]
fn an_album_shared_on_a_folder_store_is_encrypted_updated_and_revoked() {
    let s = setup(Server::fs());
    let (id, key, _) = publish_and_check(&s);
    // verify and prune leave shares/ alone, and sync never takes it for a device's.
    json(&mut s.d.sb(&["backup", "--json"]), 0);
    json(&mut s.d.sb(&["verify", "--deep", "--json"]), 0);
    json(&mut s.d.sb(&["sync", "--json"]), 0);
    let dest = s.d.lib.with_file_name("restored");
    let mut c = s.d.sb(&["restore", "--json", "--to"]);
    c.arg(&dest).args(s.store.cli_args());
    let r = json(&mut c, 0);
    assert_eq!(files_below(&dest.join("originals")).len(), 3, "{r}");
    assert!(
        !r.to_string().contains("shares/"),
        "restore looked at the shares: {r}"
    );
    assert_eq!(objects(&s.store, &id).len(), 7);

    // One more photo in the album: update writes it and the manifest, nothing else changes.
    let before = objects(&s.store, &id);
    let h = photo_taken(&s.src.join("more"), "IMG_9.JPG", 9, "2023:08:01 10:00:00");
    s.d.import(&s.src.join("more"));
    run_ok(&mut s.d.sb(&["album", "add", "Beach trip", &h]), 0);
    let r = json(&mut s.d.sb(&["share", "update", &id, "--json"]), 0);
    assert_eq!(r["added"], 1, "{r}");
    let after = objects(&s.store, &id);
    assert_eq!(after.len(), 9);
    for (name, bytes) in &before {
        if name != "manifest.bin" {
            assert_eq!(&after[name], bytes, "{name} was written again");
        }
    }
    let manifest: Value = serde_json::from_slice(&open(&key, &after["manifest.bin"])).unwrap();
    assert_eq!(manifest["items"].as_array().unwrap().len(), 4);
    assert_eq!(manifest["items"][0]["name"], "IMG_9.JPG", "newest first");

    let list = json(&mut s.d.sb(&["share", "list", "--json"]), 0);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["photos"], 4);
    assert!(list[0]["link"].as_str().unwrap().contains(&id));

    run_ok(&mut s.d.sb(&["share", "revoke", &id]), 0);
    assert!(objects(&s.store, &id).is_empty(), "revoke left objects");
    assert!(
        s.store.backing.join("shares/index.html").exists(),
        "the viewer stays, to tell a revoked link"
    );
    assert_eq!(
        json(&mut s.d.sb(&["share", "list", "--json"]), 0),
        serde_json::json!([])
    );
    // The library's own backup is untouched.
    json(&mut s.d.sb(&["verify", "--deep", "--json"]), 0);
}

#[test]
fn an_album_shared_on_s3_is_the_same_and_revoked_whole() {
    let s = setup(Server::rclone_s3());
    let (id, _, _) = publish_and_check(&s);
    run_ok(&mut s.d.sb(&["share", "revoke", &id]), 0);
    assert!(objects(&s.store, &id).is_empty());
}

fn shares_dir(store: &Server) -> PathBuf {
    store.backing.join("shares")
}

/// `share create` of the album on `shared`.
const CREATE: [&str; 5] = ["share", "create", "Beach trip", "--target", "shared"];

/// [`CREATE`], ending after `expires`.
fn create_expiring(expires: &str) -> [&str; 7] {
    [
        "share",
        "create",
        "Beach trip",
        "--target",
        "shared",
        "--expires",
        expires,
    ]
}

fn refused(d: &Device, args: &[&str], says: &str) {
    let out = d.sb(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(says), "{args:?}: {err}");
}

#[test]
fn bad_requests_are_refused_and_write_nothing() {
    let s = setup(Server::fs());
    refused(
        &s.d,
        &["share", "create", "No such album", "--target", "shared"],
        "no album named",
    );
    refused(
        &s.d,
        &["share", "create", "Beach trip", "--target", "nowhere"],
        "nowhere",
    );
    refused(&s.d, &create_expiring("soon"), "--expires");
    run_ok(
        &mut s.d.sb(&["target", "set", "shared", "--public-url", "none"]),
        0,
    );
    refused(
        &s.d,
        &["share", "create", "Beach trip", "--target", "shared"],
        "public address",
    );
    refused(
        &s.d,
        &["target", "set", "shared", "--public-url", "ftp://x"],
        "not a web address",
    );
    refused(
        &s.d,
        &["share", "revoke", "0123456789abcdef0123456789abcdef"],
        "no share",
    );
    refused(&s.d, &["share", "update", "../../x"], "no share");
    assert!(!shares_dir(&s.store).exists() || files_below(&shares_dir(&s.store)).is_empty());
    assert!(
        !Path::new(&s.d.home.join("secrets.json")).exists()
            || !std::fs::read_to_string(s.d.home.join("secrets.json"))
                .unwrap()
                .contains("share:")
    );
}

/// `share create` of the album on `shared` with the password "correct horse battery staple"
/// (and `more`): its report.
fn create_with_password(s: &Setup, more: &[&str]) -> Value {
    let pw = s.d.home.join("pw.txt");
    std::fs::write(&pw, "correct horse battery staple\n").unwrap();
    let mut c = s.d.sb(&CREATE);
    c.arg("--json").args(more).arg("--password-file").arg(&pw);
    json(&mut c, 0)
}

/// With a password the link holds no key; `lock.json` holds it sealed under the key Argon2id
/// derives from the password, which opens the album, and a wrong password opens nothing.
#[test]
fn a_password_share_keeps_its_key_out_of_the_link() {
    let s = setup(Server::fs());
    let r = create_with_password(&s, &[]);
    let link = r["share"]["link"].as_str().unwrap();
    let id = link
        .strip_prefix("http://127.0.0.1:9/gallery/shares/index.html#s=")
        .and_then(|r| r.strip_suffix("&p=1"))
        .unwrap_or_else(|| panic!("{link}"));
    assert!(!link.contains("k="), "{link}");
    let objs = objects(&s.store, id);
    let lock: Value = serde_json::from_slice(&objs["lock.json"]).unwrap();
    assert_eq!(lock["kdf"], "argon2id");
    use base64::Engine;
    let b = |k: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(lock[k].as_str().unwrap())
            .unwrap()
    };
    let open_with = |password: &str| {
        let params = argon2::Params::new(
            lock["m"].as_u64().unwrap() as u32,
            lock["t"].as_u64().unwrap() as u32,
            1,
            Some(32),
        )
        .unwrap();
        let mut kek = [0u8; 32];
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(password.as_bytes(), &b("salt"), &mut kek)
            .unwrap();
        shoebox_crypt::content::open_box(&kek, &b("nonce").try_into().unwrap(), &b("wrapped"))
    };
    assert!(open_with("Correct horse battery staple").is_err());
    let key: [u8; 32] = open_with("correct horse battery staple")
        .unwrap()
        .try_into()
        .unwrap();
    let manifest: Value = serde_json::from_slice(&open(&key, &objs["manifest.bin"])).unwrap();
    assert_eq!(manifest["items"].as_array().unwrap().len(), 3);
    // The password is nowhere on the store, nor in the catalog.
    for (name, bytes) in &objs {
        assert!(!contains(bytes, b"horse"), "{name}");
    }
    let db = std::fs::read(s.d.lib.join(".shoebox/catalog.db")).unwrap();
    assert!(!contains(&db, b"horse"));
}

/// On an encrypted target the share's objects are written as they are (the viewer holds only
/// the share's key), and the store's own encryption layer never stumbles on them.
#[test]
fn a_share_on_an_encrypted_target_leaves_its_backup_whole() {
    let s = setup(Server::fs().encrypted());
    json(&mut s.d.sb(&["backup", "--json"]), 0);
    let (id, _, manifest) = publish_and_check(&s);
    assert_eq!(manifest["items"].as_array().unwrap().len(), 3);
    json(&mut s.d.sb(&["verify", "--deep", "--json"]), 0);
    json(&mut s.d.sb(&["sync", "--json"]), 0);
    run_ok(&mut s.d.sb(&["share", "revoke", &id]), 0);
    assert!(objects(&s.store, &id).is_empty());
    json(&mut s.d.sb(&["verify", "--deep", "--json"]), 0);
}

/// A GET on 127.0.0.1 with nothing but a socket, as a browser sends it (the fragment never
/// goes): the status and the body.
fn http_get(url: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let rest = rest.split('#').next().unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut c = std::net::TcpStream::connect(host).unwrap();
    write!(
        c,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    let at = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&got[..at]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, got[at + 4..].to_vec())
}

/// A signed link's parts: the page's address, and the fragment's fields.
fn signed_parts(link: &str) -> (String, BTreeMap<String, String>) {
    let (page, frag) = link.split_once('#').unwrap();
    let fields = frag
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (page.to_owned(), fields)
}

/// Share object `name`'s address with signature `sig` and the page's query.
fn with_page_query(page: &str, id: &str, name: &str, sig: &str) -> String {
    let (base, query) = page.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.starts_with("X-Amz-Signature=") {
            true => format!("X-Amz-Signature={sig}"),
            false => kv.to_owned(),
        })
        .collect();
    let dir = base.strip_suffix("index.html").unwrap();
    format!("{dir}{id}/{name}?{}", query.join("&"))
}

/// S3 with no public address: the link is the viewer's signed address, which `rclone serve s3`
/// checks, and every object is read through the signature the manifest gives it, as a browser
/// does; a signature changed or left out reads nothing. Links last at most 7 days.
#[test]
fn an_album_shared_on_s3_without_a_public_address_is_read_through_signed_addresses() {
    let s = setup(Server::rclone_s3());
    run_ok(
        &mut s.d.sb(&["target", "set", "shared", "--public-url", "none"]),
        0,
    );
    refused(&s.d, &create_expiring("8d"), "at most 7 days");
    assert!(!shares_dir(&s.store).exists() || files_below(&shares_dir(&s.store)).is_empty());

    let r = json(s.d.sb(&CREATE).arg("--json"), 0);
    let link = r["share"]["link"].as_str().unwrap().to_owned();
    let (page, f) = signed_parts(&link);
    let endpoint = &s.store.options[0].1;
    assert!(
        page.starts_with(&format!("{endpoint}/photos/shares/index.html?X-Amz-")),
        "{page}"
    );
    assert!(page.contains("X-Amz-Expires=604800"), "7 days: {page}");
    let created = chrono::DateTime::parse_from_rfc3339(r["share"]["created_at"].as_str().unwrap());
    let ends = chrono::DateTime::parse_from_rfc3339(r["share"]["expires_at"].as_str().unwrap());
    assert_eq!((ends.unwrap() - created.unwrap()).num_days(), 7);
    let id = f["s"].clone();
    use base64::Engine;
    let key: [u8; 32] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&f["k"])
        .unwrap()
        .try_into()
        .unwrap();

    let (status, body) = http_get(&link);
    assert_eq!(status, 200, "the page: {}", String::from_utf8_lossy(&body));
    assert!(contains(&body, b"secretbox"), "the viewer");
    let manifest_at = with_page_query(&page, &id, "manifest.bin", &f["m"]);
    let read_manifest = || {
        let (status, body) = http_get(&manifest_at);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice::<Value>(&open(&key, &body)).unwrap()
    };
    let manifest = read_manifest();
    let qs = manifest["qs"].as_array().unwrap();
    assert_eq!(qs.len(), 1, "one run, one query: {manifest}");
    let read_item = |m: &Value, it: &Value, k: &str| -> Vec<u8> {
        let obj = &it[k];
        let url = format!(
            "{}{id}/{}?{}&X-Amz-Signature={}",
            page.split_once("index.html").unwrap().0,
            obj["k"].as_str().unwrap(),
            m["qs"][obj["g"].as_u64().unwrap() as usize]
                .as_str()
                .unwrap(),
            obj["s"].as_str().unwrap()
        );
        let (status, body) = http_get(&url);
        assert_eq!(status, 200, "{url}");
        let plain = open(&key, &body);
        assert_eq!(plain.len() as u64, obj["n"].as_u64().unwrap());
        assert!(plain.starts_with(&[0xFF, 0xD8]), "a JPEG");
        assert!(!contains(&plain, b"Exif\0\0"));
        plain
    };
    let items = manifest["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for it in items {
        read_item(&manifest, it, "t");
        read_item(&manifest, it, "p");
    }
    // Without its signature, or with another, the store gives nothing.
    let unsigned = manifest_at.split('?').next().unwrap();
    assert_ne!(http_get(unsigned).0, 200, "read without a signature");
    let wrong_sig = format!(
        "{}{}",
        &f["m"][..63],
        if f["m"].ends_with('0') { "1" } else { "0" }
    );
    let forged = with_page_query(&page, &id, "manifest.bin", &wrong_sig);
    assert_eq!(http_get(&forged).0, 403, "a changed signature");
    let other = with_page_query(&page, &id, items[0]["t"]["k"].as_str().unwrap(), &f["m"]);
    assert_eq!(
        http_get(&other).0,
        403,
        "the manifest's signature opens nothing else"
    );

    // Update: the new photo gets its own signature; the link's manifest address still reads
    // the manifest, now with four.
    let h = photo_taken(&s.src.join("more"), "IMG_9.JPG", 9, "2023:08:01 10:00:00");
    s.d.import(&s.src.join("more"));
    run_ok(&mut s.d.sb(&["album", "add", "Beach trip", &h]), 0);
    let r = json(&mut s.d.sb(&["share", "update", &id, "--json"]), 0);
    assert_eq!(r["added"], 1, "{r}");
    assert_eq!(r["share"]["link"].as_str().unwrap(), link, "the same link");
    let manifest = read_manifest();
    let items = manifest["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["name"], "IMG_9.JPG");
    for it in items {
        read_item(&manifest, it, "p");
    }

    // A signed share that has ended takes no more photos, and writes none before saying so:
    // one made ten days ago by the library's clock, for 7 days.
    let r = json(
        s.d.sb(&CREATE)
            .arg("--json")
            .env("SHOEBOX_CLOCK_OFFSET_MS", (-10 * 86_400_000i64).to_string()),
        0,
    );
    let ended = r["share"]["id"].as_str().unwrap().to_owned();
    let before = objects(&s.store, &ended);
    let h = photo_taken(
        &s.src.join("later"),
        "IMG_10.JPG",
        10,
        "2023:08:02 10:00:00",
    );
    s.d.import(&s.src.join("later"));
    run_ok(&mut s.d.sb(&["album", "add", "Beach trip", &h]), 0);
    refused(&s.d, &["share", "update", &ended], "ended on");
    assert_eq!(
        objects(&s.store, &ended),
        before,
        "an ended share was written to"
    );
    run_ok(&mut s.d.sb(&["share", "revoke", &ended]), 0);

    // Revoked: the page still opens (to say so), the manifest is gone.
    run_ok(&mut s.d.sb(&["share", "revoke", &id]), 0);
    assert!(objects(&s.store, &id).is_empty());
    assert_eq!(http_get(&link).0, 200);
    assert_eq!(http_get(&manifest_at).0, 404);
}

/// A signed share with a password on an encrypted S3 target: the link holds no key but the
/// signature of `lock.json`, which reads it; the target's backup stays whole.
#[test]
fn a_signed_share_with_a_password_on_an_encrypted_target() {
    let s = setup(Server::rclone_s3().encrypted());
    json(&mut s.d.sb(&["backup", "--json"]), 0);
    run_ok(
        &mut s.d.sb(&["target", "set", "shared", "--public-url", "none"]),
        0,
    );
    let r = create_with_password(&s, &["--expires", "2d"]);
    let link = r["share"]["link"].as_str().unwrap();
    let (page, f) = signed_parts(link);
    assert!(!f.contains_key("k"), "{link}");
    assert_eq!(f["p"], "1");
    assert!(page.contains("X-Amz-Expires=172800"), "2 days: {page}");
    let (status, body) = http_get(&with_page_query(&page, &f["s"], "lock.json", &f["l"]));
    assert_eq!(status, 200);
    let lock: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(lock["kdf"], "argon2id");
    assert!(!contains(&body, b"horse"));
    json(&mut s.d.sb(&["verify", "--deep", "--json"]), 0);
    run_ok(&mut s.d.sb(&["share", "revoke", &f["s"]]), 0);
    assert!(objects(&s.store, &f["s"]).is_empty());
}
