//! Finding and tidying (issue 14): search over a generated library with exact expected result
//! sets; ratings, keywords, rotations and corrected dates leave the originals byte-identical
//! and in place, show in `ls --json`, come back from a restore, and reach another device.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::BTreeSet;
use std::path::Path;

struct Shot {
    name: &'static str,
    when: &'static str,
    camera: Option<(&'static str, &'static str)>,
    gps: bool,
}

const SHOTS: &[Shot] = &[
    Shot {
        name: "IMG_1001.JPG",
        when: "2019:07:14 10:20:00",
        camera: Some(("Canon", "EOS R6")),
        gps: true,
    },
    Shot {
        name: "IMG_1002.JPG",
        when: "2019:07:14 18:05:00",
        camera: Some(("Canon", "EOS R6")),
        gps: false,
    },
    Shot {
        name: "IMG_1003.JPG",
        when: "2019:08:02 09:00:00",
        camera: Some(("FUJIFILM", "X100V")),
        gps: true,
    },
    Shot {
        name: "DSC_2001.JPG",
        when: "2020:07:01 12:00:00",
        camera: Some(("NIKON CORPORATION", "NIKON Z 6")),
        gps: false,
    },
    Shot {
        name: "PXL_20211224.JPG",
        when: "2021:12:24 20:00:00",
        camera: Some(("Google", "Pixel 6")),
        gps: false,
    },
    Shot {
        name: "scan.jpg",
        when: "1999:01:01 00:00:00",
        camera: None,
        gps: false,
    },
];

fn library(root: &Path) -> (std::path::PathBuf, Vec<String>) {
    let src = root.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut hashes = Vec::new();
    for (i, s) in SHOTS.iter().enumerate() {
        let mut j = Jpeg::new(64, 48)
            .seed(i as u64 + 7)
            .taken(s.when, Some("+02:00"));
        if let Some((make, model)) = s.camera {
            j = j.camera(make, model, "");
        }
        if s.gps {
            j = j.gps((41, 53, 2400), false, (12, 28, 5400), false, 20);
        }
        hashes.push(
            blake3::hash(&j.write(&src.join(s.name)))
                .to_hex()
                .to_string(),
        );
    }
    let lib = root.join("lib");
    json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    (lib, hashes)
}

fn found(lib: &Path, args: &[&str]) -> BTreeSet<String> {
    let mut a = vec!["search", "--json"];
    a.extend_from_slice(args);
    json(&mut shoebox(lib, &a), 0)
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["original_name"].as_str().unwrap().to_owned())
        .collect()
}

fn names(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn search_finds_exactly_what_was_asked_for() {
    let t = tempfile::tempdir().unwrap();
    let (lib, h) = library(t.path());
    run_ok(
        &mut shoebox(&lib, &["caption", &h[0], "Café au lait à Montréal"]),
        0,
    );
    run_ok(
        &mut shoebox(&lib, &["caption", &h[2], "Trastevere at dusk"]),
        0,
    );
    run_ok(
        &mut shoebox(&lib, &["album", "add", "Rome 2019", &h[2], &h[1]]),
        0,
    );
    run_ok(&mut shoebox(&lib, &["keyword", "add", "beach", &h[3]]), 0);
    run_ok(&mut shoebox(&lib, &["favourite", &h[4]]), 0);
    run_ok(&mut shoebox(&lib, &["rate", &h[0], &h[3], "4"]), 0);
    run_ok(&mut shoebox(&lib, &["rate", &h[1], "2"]), 0);

    let cases: &[(&[&str], &[&str])] = &[
        // Cameras, any case, by prefix.
        (&["canon"], &["IMG_1001.JPG", "IMG_1002.JPG"]),
        (&["CANON eos"], &["IMG_1001.JPG", "IMG_1002.JPG"]),
        (&["fuji"], &["IMG_1003.JPG"]),
        (&["nikon z"], &["DSC_2001.JPG"]),
        // Captions, accents folded both ways.
        (&["cafe"], &["IMG_1001.JPG"]),
        (&["montreal"], &["IMG_1001.JPG"]),
        (&["Montréal café"], &["IMG_1001.JPG"]),
        (&["trastevere"], &["IMG_1003.JPG"]),
        // Albums and keywords.
        // Places: two photos were taken in Rome.
        (&["rome"], &["IMG_1001.JPG", "IMG_1002.JPG", "IMG_1003.JPG"]),
        (&["italy"], &["IMG_1001.JPG", "IMG_1003.JPG"]),
        (&["latium 2019-08"], &["IMG_1003.JPG"]),
        (&["beach"], &["DSC_2001.JPG"]),
        // Dates: a year, a month's name, a month, a day.
        (&["2019"], &["IMG_1001.JPG", "IMG_1002.JPG", "IMG_1003.JPG"]),
        (&["july 2019"], &["IMG_1001.JPG", "IMG_1002.JPG"]),
        (&["july"], &["IMG_1001.JPG", "IMG_1002.JPG", "DSC_2001.JPG"]),
        (&["2019-07"], &["IMG_1001.JPG", "IMG_1002.JPG"]),
        (&["2019-07-14"], &["IMG_1001.JPG", "IMG_1002.JPG"]),
        (&["2019-08-02"], &["IMG_1003.JPG"]),
        (&["december"], &["PXL_20211224.JPG"]),
        (&["1999"], &["scan.jpg"]),
        // File names, with their punctuation.
        (&["IMG_1003"], &["IMG_1003.JPG"]),
        (&["pxl"], &["PXL_20211224.JPG"]),
        (&["scan"], &["scan.jpg"]),
        // Words that match nothing, or nothing searchable.
        (&["zanzibar"], &[]),
        (&["canon fuji"], &[]),
        (&["?!"], &[]),
        (&["2019-13"], &[]),
        // Filters, with and without words.
        (&["--favourite"], &["PXL_20211224.JPG"]),
        (&["--rating", "3"], &["IMG_1001.JPG", "DSC_2001.JPG"]),
        (
            &["--rating", "1", "canon"],
            &["IMG_1001.JPG", "IMG_1002.JPG"],
        ),
        (&["--has-place"], &["IMG_1001.JPG", "IMG_1003.JPG"]),
        (&["--camera", "pixel"], &["PXL_20211224.JPG"]),
        (
            &["--camera", "canon", "2019-07-14"],
            &["IMG_1001.JPG", "IMG_1002.JPG"],
        ),
        (&["--kind", "video"], &[]),
        (&["--kind", "photo", "1999"], &["scan.jpg"]),
    ];
    for (args, want) in cases {
        assert_eq!(found(&lib, args), names(want), "search {args:?}");
    }

    // The index follows edits: a new caption, an album renamed, a keyword removed, the trash.
    run_ok(&mut shoebox(&lib, &["caption", &h[0], "Colosseum"]), 0);
    assert_eq!(found(&lib, &["cafe"]), names(&[]));
    assert_eq!(found(&lib, &["colosseum"]), names(&["IMG_1001.JPG"]));
    run_ok(
        &mut shoebox(&lib, &["keyword", "remove", "beach", &h[3]]),
        0,
    );
    assert_eq!(found(&lib, &["beach"]), names(&[]));
    run_ok(&mut shoebox(&lib, &["trash", &h[2]]), 0);
    assert_eq!(
        found(&lib, &["rome"]),
        names(&["IMG_1001.JPG", "IMG_1002.JPG"])
    );
    assert_eq!(
        found(&lib, &["--trash", "rome"]),
        names(&["IMG_1001.JPG", "IMG_1002.JPG", "IMG_1003.JPG"])
    );

    // Results are newest first, like the timeline.
    let order: Vec<String> = json(&mut shoebox(&lib, &["search", "--json", "2019"]), 0)
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["original_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, vec!["IMG_1002.JPG", "IMG_1001.JPG"]);
}

fn listed(lib: &Path) -> Vec<Value> {
    json(&mut shoebox(lib, &["ls", "--json"]), 0)
        .as_array()
        .unwrap()
        .clone()
}

fn by_hash<'a>(ls: &'a [Value], h: &str) -> &'a Value {
    ls.iter().find(|x| x["hash"] == h).unwrap()
}

/// Every original's path and bytes.
fn originals(lib: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = files_below(&lib.join("originals"))
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn corrections_touch_no_original_and_travel_with_the_catalog() {
    let t = tempfile::tempdir().unwrap();
    let (lib, h) = library(t.path());
    let before = originals(&lib);

    run_ok(&mut shoebox(&lib, &["rate", &h[0], "5"]), 0);
    run_ok(
        &mut shoebox(&lib, &["keyword", "add", "family", &h[0], &h[1]]),
        0,
    );
    run_ok(
        &mut shoebox(&lib, &["keyword", "add", "Zia Lucia", &h[0]]),
        0,
    );
    run_ok(&mut shoebox(&lib, &["rotate", &h[1], "right"]), 0);
    run_ok(&mut shoebox(&lib, &["rotate", &h[2], "left"]), 0);
    run_ok(&mut shoebox(&lib, &["rotate", &h[2], "left"]), 0);
    // A camera an hour ahead, and one whose date was plain wrong.
    run_ok(
        &mut shoebox(&lib, &["set-date", &h[3], "--shift", "-1h"]),
        0,
    );
    run_ok(
        &mut shoebox(&lib, &["set-date", &h[5], "--to", "1998-06-30T15:00:00"]),
        0,
    );
    // A place for a photo without one, by a town's name; another by coordinates over the
    // file's own position.
    let out = run_ok(
        &mut shoebox(&lib, &["set-place", &h[4], "--city", "Canberra"]),
        0,
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Canberra, Australian Capital Territory, Australia"),
        "{out:?}"
    );
    run_ok(
        &mut shoebox(&lib, &["set-place", &h[0], "--gps", "48.8534,2.3488"]),
        0,
    );

    assert_eq!(originals(&lib), before, "no original changed or moved");
    let ls = listed(&lib);
    let a0 = by_hash(&ls, &h[0]);
    assert_eq!(a0["rating"], 5);
    assert_eq!(
        a0["place"]["name"], "Paris, Ile-de-France, France",
        "named from the position set by hand"
    );
    assert_eq!(
        a0["gps"],
        serde_json::json!({"lat": 48.8534, "lon": 2.3488, "alt": null})
    );
    let file_gps = &a0["gps_original"];
    assert!(
        (file_gps["lat"].as_f64().unwrap() - 41.89).abs() < 0.01
            && (file_gps["lon"].as_f64().unwrap() - 12.48).abs() < 0.01,
        "the file's own position is kept: {file_gps}"
    );
    let a4 = by_hash(&ls, &h[4]);
    assert_eq!(a4["place"]["city"], "Canberra");
    assert!(
        a4["gps_original"].is_null() && a4.as_object().unwrap().contains_key("gps_original"),
        "the file had no position: {a4}"
    );
    assert!(
        !by_hash(&ls, &h[1])
            .as_object()
            .unwrap()
            .contains_key("gps_original")
    );
    assert!(
        by_hash(&ls, &h[1])["place"].is_null(),
        "no position, no place"
    );
    assert_eq!(a0["keywords"], serde_json::json!(["Zia Lucia", "family"]));
    assert_eq!(by_hash(&ls, &h[1])["rotation"], 90);
    assert_eq!(by_hash(&ls, &h[2])["rotation"], 180);
    let a3 = by_hash(&ls, &h[3]);
    assert_eq!(a3["taken_at"], "2020-07-01T11:00:00+02:00");
    assert_eq!(a3["taken_at_original"], "2020-07-01T12:00:00+02:00");
    let a5 = by_hash(&ls, &h[5]);
    assert_eq!(
        a5["taken_at"], "1998-06-30T15:00:00+02:00",
        "the photo's offset is kept"
    );
    assert_eq!(a5["taken_at_original"], "1999-01-01T00:00:00+02:00");
    assert!(by_hash(&ls, &h[4])["taken_at_original"].is_null());
    // The corrected date is the one searched and sorted by.
    assert_eq!(found(&lib, &["1998-06-30"]), names(&["scan.jpg"]));
    assert_eq!(found(&lib, &["canberra"]), names(&["PXL_20211224.JPG"]));
    assert_eq!(found(&lib, &["paris"]), names(&["IMG_1001.JPG"]));
    assert_eq!(
        found(&lib, &["rome"]),
        names(&["IMG_1003.JPG"]),
        "the position in use is searched"
    );
    assert_eq!(found(&lib, &["1999"]), names(&[]));
    assert_eq!(
        found(&lib, &["family"]),
        names(&["IMG_1001.JPG", "IMG_1002.JPG"])
    );

    // Bad values are refused with a reason, and change nothing.
    for (args, why) in [
        (vec!["rate", &h[0], "6"], "0 to 5"),
        (vec!["rotate", &h[0], "upside"], "left or right"),
        (vec!["set-date", &h[0], "--to", "yesterday"], "not a date"),
        (vec!["set-date", &h[0], "--shift", "+2x"], "not an amount"),
        (
            vec!["set-place", &h[0], "--city", "Paris"],
            "add the region or country",
        ),
        (
            vec!["set-place", &h[0], "--city", "Xqzzyville"],
            "no town called",
        ),
        (vec!["set-place", &h[0], "--gps", "91,0"], "not a position"),
        (vec!["set-place", &h[0], "--gps", "north"], "not a position"),
    ] {
        let out = run_ok(&mut shoebox(&lib, &args), 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(listed(&lib), ls, "nothing changed");

    // Backed up and restored from the store alone: every correction is there.
    let store = Server::fs();
    let mut c = shoebox(&lib, &["target", "add", "nas"]);
    c.args(store.cli_args());
    run_ok(&mut c, 0);
    run_ok(&mut shoebox(&lib, &["backup", "--target", "nas"]), 0);
    let restored = t.path().join("restored");
    let mut c = shoebox(&lib, &["restore", "--json", "--to"]);
    c.arg(&restored).args(store.cli_args());
    json(&mut c, 0);
    assert_eq!(
        listed(&restored),
        ls,
        "the restored catalog has every correction"
    );

    // Undo goes back to the file's date, and to its position and place.
    run_ok(&mut shoebox(&lib, &["set-date", &h[3], "--undo"]), 0);
    let a3 = by_hash(&listed(&lib), &h[3]).clone();
    assert_eq!(a3["taken_at"], "2020-07-01T12:00:00+02:00");
    assert!(a3["taken_at_original"].is_null());
    run_ok(
        &mut shoebox(&lib, &["set-place", &h[0], &h[4], "--undo"]),
        0,
    );
    let ls = listed(&lib);
    assert_eq!(by_hash(&ls, &h[0])["place"]["city"], "Rome");
    assert!(by_hash(&ls, &h[4])["place"].is_null() && by_hash(&ls, &h[4])["gps"].is_null());
    assert!(
        !by_hash(&ls, &h[0])
            .as_object()
            .unwrap()
            .contains_key("gps_original")
    );
    assert_eq!(
        found(&lib, &["rome"]),
        names(&["IMG_1001.JPG", "IMG_1003.JPG"])
    );
    assert_eq!(originals(&lib), before);
}

#[test]
fn ratings_keywords_rotations_and_dates_reach_the_other_device() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let h: Vec<String> = (0..3)
        .map(|i| {
            let b = Jpeg::new(64, 48)
                .seed(100 + i)
                .taken("2022:05:01 08:00:00", Some("+01:00"))
                .write(&src.join(format!("P{i}.JPG")));
            blake3::hash(&b).to_hex().to_string()
        })
        .collect();
    a.import(&src);
    // One correction before the photo first travels: it goes as an edit, the photo as it is.
    run_ok(&mut a.sb(&["set-date", &h[0], "--shift", "+1d"]), 0);
    // Likewise a place set before the photo first travels: the file had none.
    run_ok(&mut a.sb(&["set-place", &h[0], "--gps", "10,10"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);

    run_ok(&mut a.sb(&["rate", &h[1], "3"]), 0);
    run_ok(&mut a.sb(&["keyword", "add", "garden", &h[1]]), 0);
    run_ok(&mut b.sb(&["keyword", "add", "spring", &h[1]]), 0);
    run_ok(&mut b.sb(&["rotate", &h[2], "right"]), 0);
    run_ok(&mut b.sb(&["set-place", &h[2], "--city", "Canberra"]), 0);
    for d in [&a, &b, &a] {
        json(&mut d.sb(&["sync", "--json"]), 0);
    }
    let fields = |d: &Device| -> Vec<Value> {
        let mut v: Vec<Value> = json(&mut d.sb(&["ls", "--json"]), 0)
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                serde_json::json!([
                    x["hash"],
                    x["rating"],
                    x["keywords"],
                    x["rotation"],
                    x["taken_at"],
                    x["taken_at_original"],
                    x["gps"],
                    x["place"],
                    x.get("gps_original")
                        .cloned()
                        .unwrap_or(Value::String("absent".into()))
                ])
            })
            .collect();
        v.sort_by_key(|x| x[0].as_str().unwrap().to_owned());
        v
    };
    let fa = fields(&a);
    assert_eq!(fa, fields(&b), "both devices agree");
    let row = |h: &str| fa.iter().find(|x| x[0] == h).unwrap().clone();
    assert_eq!(row(&h[1])[1], 3);
    assert_eq!(
        row(&h[1])[2],
        serde_json::json!(["garden", "spring"]),
        "keywords from both"
    );
    assert_eq!(row(&h[2])[3], 90);
    assert_eq!(
        row(&h[2])[7]["city"],
        "Canberra",
        "a place set on b is named on a"
    );
    assert_eq!(row(&h[0])[4], "2022-05-02T08:00:00+01:00");
    assert_eq!(
        row(&h[0])[5],
        "2022-05-01T08:00:00+01:00",
        "the file's own date travelled"
    );
}
