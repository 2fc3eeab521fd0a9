//! One photo in several folders (issue 29): its year folder and two albums, each copy's sidecar saying something else; as a folder, as zip parts in both orders, an album part imported later, and an XMP sidecar beside a JSON one.

use super::*;
use serde_json::{Value, json};
use std::path::Path;

/// Issue 29: one photo in its year folder and in two albums, each copy's sidecar saying
/// something else: the year folder's has the place, one album's the caption, the other's the
/// favourite and a capture time an hour off (a conflict: the year folder wins).
const T: i64 = 1_590_000_000; // 2020-05-20T18:40:00Z

fn copies() -> (Vec<Entry>, Vec<Entry>) {
    let photo = Jpeg::new(64, 48).seed(303).bytes();
    let y = "Takeout/Google Photos/Photos from 2020";
    let rome = "Takeout/Google Photos/Holiday in Rome";
    let best = "Takeout/Google Photos/Best of 2020";
    let album = |dir: &str, title: &str| {
        (
            format!("{dir}/metadata.json"),
            serde_json::to_vec(&json!({"title": title, "description": ""})).unwrap(),
        )
    };
    let year = vec![
        (format!("{y}/IMG_0003.jpg"), photo.clone()),
        (
            format!("{y}/IMG_0003.jpg.json"),
            sidecar(
                "IMG_0003.jpg",
                T,
                json!({"geoData": {"latitude": 41.8902, "longitude": 12.4922, "altitude": 0.0}}),
            ),
        ),
    ];
    let albums = vec![
        album(rome, "Holiday in Rome"),
        (format!("{rome}/IMG_0003.jpg"), photo.clone()),
        (
            format!("{rome}/IMG_0003.jpg.json"),
            sidecar(
                "IMG_0003.jpg",
                T,
                json!({"description": "Colosseum at noon"}),
            ),
        ),
        album(best, "Best of 2020"),
        (format!("{best}/IMG_0003.jpg"), photo),
        (
            format!("{best}/IMG_0003.jpg.json"),
            sidecar("IMG_0003.jpg", T + 3600, json!({"favorited": true})),
        ),
    ];
    (year, albums)
}

/// The photo keeps the best of every copy; `conflicts` the conflicts the report must list.
pub(crate) fn check_merged(lib: &Path, report: &Value) {
    let all = photos(lib, false);
    assert_eq!(all.len(), 1, "one photo, however many copies: {all:?}");
    let p = &all["IMG_0003.jpg"];
    let gps = &p["gps"];
    assert!(
        gps.is_object() && (gps["lat"].as_f64().unwrap() - 41.8902).abs() < 1e-6,
        "the place from the year folder's sidecar, not the album's 0/0: {p}"
    );
    assert_eq!(p["description"], "Colosseum at noon", "{p}");
    assert_eq!(p["favourite"], true, "{p}");
    assert_eq!(
        p["taken_at"], "2020-05-20T18:40:00+00:00",
        "the year folder's time: {p}"
    );
    let albums = json_of(&mut shoebox(lib, &["album", "list", "--json"]));
    for name in ["Holiday in Rome", "Best of 2020"] {
        let a = albums
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {albums}"));
        assert_eq!(a["photos"].as_array().unwrap().len(), 1, "{a}");
    }
    let conflicts = report["takeout"]["sidecar_conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{report}");
    let c = &conflicts[0];
    assert_eq!(c["field"], "photoTakenTime", "{c}");
    assert!(
        c["sidecar"].as_str().unwrap().contains("Best of 2020"),
        "the losing copy is named: {c}"
    );
    assert!(
        c["kept"].as_str().unwrap().contains("2020-05-20T18:40:00"),
        "{c}"
    );
}

#[test]
pub(crate) fn a_photo_in_several_folders_keeps_the_best_of_all_its_sidecars() {
    let t = tempfile::tempdir().unwrap();
    let (year, albums) = copies();
    // As one folder.
    let src = t.path().join("export");
    write_tree(&src, &[year.clone(), albums.clone()].concat());
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 1, "{r}");
    check_merged(&lib, &r);

    // As zip parts, the year folder in the first or in the second.
    let p1 = t.path().join("takeout-001.zip");
    let p2 = t.path().join("takeout-002.zip");
    write_zip(&p1, &year);
    write_zip(&p2, &albums);
    for (n, parts) in [(1, [&p1, &p2]), (2, [&p2, &p1])] {
        let lib = t.path().join(format!("lib-zip-{n}"));
        let r = json(
            shoebox(&lib, &["import", "--json"])
                .arg(parts[0])
                .arg(parts[1]),
            0,
        );
        check_merged(&lib, &r);
    }
}

#[test]
pub(crate) fn a_later_import_of_an_album_part_fills_what_the_photo_lacks_and_lists_what_differs() {
    let t = tempfile::tempdir().unwrap();
    let (year, albums) = copies();
    let p1 = t.path().join("takeout-001.zip");
    let p2 = t.path().join("takeout-002.zip");
    write_zip(&p1, &year);
    write_zip(&p2, &albums);
    let lib = t.path().join("lib");
    let first = json(shoebox(&lib, &["import", "--json"]).arg(&p1), 0);
    assert_eq!(first["counts"]["imported"], 1, "{first}");
    let p = &photos(&lib, false)["IMG_0003.jpg"];
    assert!(p["description"].is_null() && p["favourite"] == false, "{p}");

    let later = json(shoebox(&lib, &["import", "--json"]).arg(&p2), 0);
    assert_eq!(later["counts"]["imported"], 0, "{later}");
    check_merged(&lib, &later);

    // Once more: nothing new to say, nothing listed.
    let again = json(shoebox(&lib, &["import", "--json"]).arg(&p2), 0);
    check_merged_quietly(&lib, &again);
}

pub(crate) fn check_merged_quietly(lib: &Path, report: &Value) {
    let p = &photos(lib, false)["IMG_0003.jpg"];
    assert_eq!(p["description"], "Colosseum at noon", "{p}");
    assert_eq!(p["favourite"], true, "{p}");
    let conflicts = report["takeout"]["sidecar_conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "the time still differs: {report}");
}

#[test]
pub(crate) fn an_xmp_sidecar_beside_a_takeout_one_fills_what_it_lacks_and_never_replaces_its_caption()
 {
    let t = tempfile::tempdir().unwrap();
    let y = "Takeout/Google Photos/Photos from 2021";
    let src = t.path().join("export");
    write_tree(
        &src,
        &[
            (
                format!("{y}/IMG_0004.jpg"),
                Jpeg::new(64, 48).seed(404).bytes(),
            ),
            (
                format!("{y}/IMG_0004.jpg.json"),
                sidecar(
                    "IMG_0004.jpg",
                    1_620_000_000,
                    json!({"description": "Lake Como"}),
                ),
            ),
            (
                format!("{y}/IMG_0004.jpg.xmp"),
                br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="4">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Como, the ferry</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta>"#
                    .to_vec(),
            ),
        ],
    );
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    let p = &photos(&lib, false)["IMG_0004.jpg"];
    assert_eq!(
        p["description"], "Lake Como",
        "the JSON's caption stays: {p}"
    );
    assert_eq!(p["rating"], 4, "the XMP gives what the JSON lacks: {p}");
    let conflicts = r["takeout"]["sidecar_conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{r}");
    assert_eq!(conflicts[0]["field"], "description");
    assert_eq!(conflicts[0]["dropped"], "Como, the ferry");
    assert!(
        conflicts[0]["sidecar"]
            .as_str()
            .unwrap()
            .ends_with("IMG_0004.jpg.xmp")
    );
}
