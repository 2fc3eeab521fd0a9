//! Google Takeout (issue 13): an export generated here in every naming Google uses, imported as
//! a folder and as zip parts (a photo and its sidecar in different parts), imported twice, and
//! hostile archives (`..` entries, a zip bomb, a sidecar that is not JSON, a huge JSON).

use serde_json::{Value, json};
use shoebox_tests::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
mod copies;

/// One file of the generated export: its path under `Takeout/` and its bytes.
type Entry = (String, Vec<u8>);

fn sidecar(title: &str, taken: i64, extra: Value) -> Vec<u8> {
    let mut v = json!({
        "title": title,
        "description": "",
        "creationTime": {"timestamp": "1700000000", "formatted": "…"},
        "photoTakenTime": {"timestamp": taken.to_string(), "formatted": "…"},
        "geoData": {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0},
        "geoDataExif": {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0},
        "url": "https://photos.google.com/photo/…",
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::to_vec_pretty(&v).unwrap()
}

/// Photos without a capture time of their own (as Google gives many back), and their sidecars.
fn export() -> Vec<Entry> {
    let y = "Takeout/Google Photos/Photos from 2019";
    let rome = "Takeout/Google Photos/Rome 2019";
    let plain = |seed: u64| Jpeg::new(64, 48).seed(seed).bytes();
    let long = "Screenshot_20190714-101530_A Very Long App Name.jpg";
    let mut e: Vec<Entry> = vec![
        (format!("{y}/IMG_0001.jpg"), plain(1)),
        (
            format!("{y}/IMG_0001.jpg.json"),
            sidecar(
                "IMG_0001.jpg",
                1_563_100_000, // 2019-07-14T10:26:40Z
                json!({"description": "Trastevere at dusk", "favorited": true,
                       "geoData": {"latitude": 41.8897, "longitude": 12.4695, "altitude": 20.0},
                       "people": [{"name": "Anna"}]}),
            ),
        ),
        // A duplicate name: (1) after the extension in the new sidecar form.
        (format!("{y}/IMG.jpg"), plain(2)),
        (
            format!("{y}/IMG.jpg.supplemental-metadata.json"),
            sidecar("IMG.jpg", 1_560_000_000, json!({})),
        ),
        (format!("{y}/IMG(1).jpg"), plain(3)),
        (
            format!("{y}/IMG.jpg.supplemental-metadata(1).json"),
            sidecar("IMG.jpg", 1_561_000_000, json!({})),
        ),
        // (1) must not take the plain sidecar.
        (format!("{y}/DSC_0104.JPG"), plain(4)),
        (
            format!("{y}/DSC_0104.JPG.json"),
            sidecar("DSC_0104.JPG", 1_562_000_000, json!({})),
        ),
        (format!("{y}/DSC_0104(1).JPG"), plain(5)),
        // An edited copy shares its original's sidecar.
        (format!("{y}/IMG_0002.jpg"), plain(6)),
        (format!("{y}/IMG_0002-edited.jpg"), plain(7)),
        (
            format!("{y}/IMG_0002.jpg.json"),
            sidecar("IMG_0002.jpg", 1_564_000_000, json!({})),
        ),
        // A long name, its sidecar's cut at 46 characters (new form).
        (format!("{y}/{long}"), plain(8)),
        (
            format!(
                "{y}/{}.json",
                &format!("{long}.supplemental-metadata")[..46]
            ),
            sidecar(long, 1_565_000_000, json!({})),
        ),
        // In Google's trash.
        (format!("{y}/IMG_0009.jpg"), plain(9)),
        (
            format!("{y}/IMG_0009.jpg.json"),
            sidecar("IMG_0009.jpg", 1_566_000_000, json!({"trashed": true})),
        ),
        // A camera photo: its EXIF time (with an offset) stays; Google's is the same instant.
        (
            format!("{y}/DSC_0200.JPG"),
            Jpeg::new(64, 48)
                .seed(10)
                .taken("2019:08:01 12:00:00", Some("+02:00"))
                .bytes(),
        ),
        (
            format!("{y}/DSC_0200.JPG.json"),
            sidecar("DSC_0200.JPG", 1_564_653_600, json!({})),
        ),
        // An album folder, localised metadata name; IMG_0001 is in it too (same bytes).
        (
            format!("{rome}/Metadaten.json"),
            serde_json::to_vec(&json!({"title": "Rome 2019", "description": "",
                "date": {"timestamp": "1563100000"}, "access": "protected"}))
            .unwrap(),
        ),
        (format!("{rome}/IMG_0001.jpg"), plain(1)),
        // Google writes the same sidecar into every folder a photo is in.
        (
            format!("{rome}/IMG_0001.jpg.json"),
            sidecar(
                "IMG_0001.jpg",
                1_563_100_000,
                json!({"description": "Trastevere at dusk", "favorited": true,
                       "geoData": {"latitude": 41.8897, "longitude": 12.4695, "altitude": 20.0},
                       "people": [{"name": "Anna"}]}),
            ),
        ),
        // Not photos, not sidecars.
        (
            "Takeout/archive_browser.html".into(),
            b"<html></html>".to_vec(),
        ),
        (format!("{y}/broken.json"), b"{ not json".to_vec()),
        (
            format!("{y}/print-subscriptions.json"),
            b"{\"orders\": []}".to_vec(),
        ),
    ];
    // A JSON far larger than any sidecar.
    let mut big = b"{\"photoTakenTime\": {\"timestamp\": \"1\"}, \"pad\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'x', 5 << 20));
    big.extend(b"\"}");
    e.push((format!("{y}/huge.jpg.json"), big));
    e
}

fn write_tree(root: &Path, entries: &[Entry]) {
    for (name, bytes) in entries {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn write_zip(path: &Path, entries: &[Entry]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// What the library says about each photo, by original name (path for the two IMG_0001 copies).
fn photos(lib: &Path, trash: bool) -> BTreeMap<String, Value> {
    let mut c = shoebox(lib, &["ls", "--json"]);
    if trash {
        c.arg("--trash");
    }
    json_of(&mut c)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["original_name"].as_str().unwrap().to_owned(), a.clone()))
        .collect()
}

fn json_of(c: &mut std::process::Command) -> Value {
    json(c, 0)
}

/// Everything the export says, checked on a library it was imported into.
fn check_library(lib: &Path, report: &Value) {
    let tk = &report["takeout"];
    assert!(tk.is_object(), "{report}");
    let all = photos(lib, false);
    let p = &all["IMG_0001.jpg"];
    assert_eq!(p["taken_at"], "2019-07-14T10:26:40+00:00", "{p}");
    assert_eq!(p["taken_at_source"], "takeout");
    assert_eq!(p["description"], "Trastevere at dusk");
    assert_eq!(p["favourite"], true);
    assert!(
        (p["gps"]["lat"].as_f64().unwrap() - 41.8897).abs() < 1e-6,
        "{p}"
    );
    assert!(
        p["path"]
            .as_str()
            .unwrap()
            .starts_with("originals/2019/07/")
    );
    assert_eq!(all["IMG.jpg"]["taken_at"], "2019-06-08T13:20:00+00:00");
    assert_eq!(all["IMG(1).jpg"]["taken_at"], "2019-06-20T03:06:40+00:00");
    assert_eq!(all["DSC_0104.JPG"]["taken_at_source"], "takeout");
    assert_ne!(
        all["DSC_0104(1).JPG"]["taken_at_source"], "takeout",
        "(1) did not take DSC_0104.JPG's sidecar"
    );
    assert_eq!(
        all["IMG_0002-edited.jpg"]["taken_at"],
        all["IMG_0002.jpg"]["taken_at"]
    );
    assert_eq!(all["IMG_0002-edited.jpg"]["taken_at_source"], "takeout");
    let long = "Screenshot_20190714-101530_A Very Long App Name.jpg";
    assert_eq!(
        all[long]["taken_at_source"], "takeout",
        "the cut sidecar name matched"
    );
    assert_eq!(
        all["DSC_0200.JPG"]["taken_at"], "2019-08-01T12:00:00+02:00",
        "the camera's own time wins"
    );
    assert_eq!(all["DSC_0200.JPG"]["taken_at_source"], "exif");
    assert!(
        !all.contains_key("IMG_0009.jpg"),
        "trashed at Google: not in the timeline"
    );
    let trash = photos(lib, true);
    assert!(trash.contains_key("IMG_0009.jpg"), "{trash:?}");

    let albums = json_of(&mut shoebox(lib, &["album", "list", "--json"]));
    let rome = albums
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Rome 2019")
        .unwrap_or_else(|| panic!("{albums}"));
    assert_eq!(rome["photos"].as_array().unwrap().len(), 1, "{rome}");

    assert_eq!(tk["favourites"], 1, "{tk}");
    assert_eq!(tk["places_from_sidecar"], 1, "{tk}");
    assert_eq!(tk["dates_from_sidecar"], 8, "{tk}");
    assert_eq!(tk["trashed"], 1, "{tk}");
    let without: Vec<&str> = tk["without_sidecar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    assert_eq!(without.len(), 1, "{tk}");
    assert!(without[0].ends_with("DSC_0104(1).JPG"), "{tk}");
    let other: Vec<String> = tk["other_json"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{} {}", w["path"], w["reason"]))
        .collect();
    assert_eq!(other.len(), 3, "{other:?}");
    assert!(
        other
            .iter()
            .any(|o| o.contains("broken.json") && o.contains("not JSON"))
    );
    assert!(
        other
            .iter()
            .any(|o| o.contains("huge.jpg.json") && o.contains("larger than"))
    );
    assert!(
        tk["unmatched_sidecars"].as_array().unwrap().is_empty(),
        "{tk}"
    );
    assert_eq!(tk["albums"][0]["name"], "Rome 2019");
    // The sidecar is kept with the photo, in the catalog (so backups carry it).
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    let kept: String = db
        .query_row(
            "SELECT json FROM sidecars WHERE hash = ?1",
            [p["hash"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(kept.contains("\"Anna\""), "{kept}");
}

#[test]
fn a_takeout_folder_is_imported_with_its_sidecars_and_albums() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("export");
    write_tree(&src, &export());
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 10, "{r}");
    assert_eq!(
        r["counts"]["duplicates"], 1,
        "IMG_0001 in the album folder: {r}"
    );
    assert!(
        r["skipped"].as_array().unwrap().iter().any(|s| s["path"]
            .as_str()
            .unwrap()
            .ends_with("archive_browser.html")),
        "{r}"
    );
    check_library(&lib, &r);

    // The same export again: nothing changes.
    let before = (photos(&lib, false), photos(&lib, true));
    let again = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(again["counts"]["imported"], 0, "{again}");
    assert_eq!((photos(&lib, false), photos(&lib, true)), before);
    let albums = json(&mut shoebox(&lib, &["album", "list", "--json"]), 0);
    assert_eq!(albums.as_array().unwrap().len(), 1, "{albums}");
}

#[test]
fn takeout_zip_parts_are_unpacked_safely_and_matched_across_parts() {
    let t = tempfile::tempdir().unwrap();
    let all = export();
    // Part 1: the photos; part 2: every JSON (a photo and its sidecar in different parts).
    let (jsons, media): (Vec<Entry>, Vec<Entry>) =
        all.into_iter().partition(|(n, _)| n.ends_with(".json"));
    let p1 = t.path().join("takeout-20261130T000000Z-001.zip");
    let p2 = t.path().join("takeout-20261130T000000Z-002.zip");
    write_zip(&p1, &media);
    write_zip(&p2, &jsons);
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&p1).arg(&p2), 0);
    assert_eq!(r["counts"]["imported"], 10, "{r}");
    assert_eq!(r["takeout"]["archives"].as_array().unwrap().len(), 2, "{r}");
    check_library(&lib, &r);
    let shown = r["imported"][0]["source"].as_str().unwrap();
    assert!(
        shown.contains(".zip!Takeout/"),
        "reported inside its archive: {shown}"
    );
    assert!(
        !lib.join(".shoebox/tmp").read_dir().unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("takeout-")
        }),
        "the unpacked parts are removed"
    );

    // Hostile archives: entries that would leave the folder, a bomb, a link.
    let evil = t.path().join("evil.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&evil).unwrap());
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for name in ["../escaped.jpg", "/tmp/absolute.jpg", "a/../../up.jpg"] {
            z.start_file(name, o).unwrap();
            z.write_all(&Jpeg::new(8, 8).bytes()).unwrap();
        }
        z.start_file("Takeout/bomb.jpg", o).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..200 {
            z.write_all(&zeros).unwrap();
        }
        z.add_symlink("Takeout/link.jpg", "/etc/passwd", o).unwrap();
        z.start_file("Takeout/fine.jpg", o).unwrap();
        z.write_all(&Jpeg::new(16, 16).seed(77).bytes()).unwrap();
        z.finish().unwrap();
    }
    let out = shoebox(&lib, &["import", "--json"])
        .arg(&evil)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rejected: Vec<String> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{} — {}", x["path"], x["reason"]))
        .collect();
    for bad in [
        "../escaped.jpg",
        "/tmp/absolute.jpg",
        "a/../../up.jpg",
        "bomb.jpg",
        "link.jpg",
    ] {
        assert!(
            rejected.iter().any(|x| x.contains(bad)),
            "{bad} not rejected: {rejected:?}"
        );
    }
    assert!(
        rejected.iter().any(|x| x.contains("zip bomb")),
        "{rejected:?}"
    );
    assert_eq!(r["counts"]["imported"], 1, "only the fine one: {r}");
    assert!(!t.path().join("escaped.jpg").exists());
    assert!(!Path::new("/tmp/absolute.jpg").exists());
    assert!(!lib.join(".shoebox/up.jpg").exists());

    // Not an archive at all.
    let fake = t.path().join("not-really.zip");
    std::fs::write(&fake, b"PK\x03\x04 but nothing after").unwrap();
    let out = shoebox(&lib, &["import", "--json"])
        .arg(&fake)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a readable zip"),
        "{r}"
    );
}
