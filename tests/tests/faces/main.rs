//! People in the photos (issue 27), through the real `shoebox` binary with the real models:
//! faces found and grouped on openly licensed photos of a few people, names that reach
//! search and another device, hostile pictures skipped with a reason, and a model file that
//! is not the expected one refused.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `original_name` → person id, from `people faces` of every person.
fn grouping(d: &Device) -> BTreeMap<String, Vec<i64>> {
    let ls = json(&mut d.sb(&["ls", "--json"]), 0);
    let names: BTreeMap<String, String> = ls
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["hash"].as_str().unwrap().to_owned(),
                a["original_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for p in json(&mut d.sb(&["people", "--all", "--json"]), 0)
        .as_array()
        .unwrap()
    {
        let id = p["id"].as_i64().unwrap();
        for f in json(
            &mut d.sb(&["people", "faces", &id.to_string(), "--json"]),
            0,
        )
        .as_array()
        .unwrap()
        {
            out.entry(names[f["hash"].as_str().unwrap()].clone())
                .or_default()
                .push(id);
        }
    }
    out
}

/// Pairwise precision and recall of a grouping against who is in each photo (one face each).
fn precision_recall(
    found: &BTreeMap<String, Vec<i64>>,
    who: &BTreeMap<String, &str>,
) -> (f64, f64) {
    let faces: Vec<(&str, i64)> = found
        .iter()
        .filter_map(|(n, ids)| Some((*who.get(n.as_str())?, *ids.first()?)))
        .filter(|(p, _)| !p.is_empty())
        .collect();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for i in 0..faces.len() {
        for j in i + 1..faces.len() {
            match (faces[i].0 == faces[j].0, faces[i].1 == faces[j].1) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    (
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fn_).max(1) as f64,
    )
}

fn device(t: &Path, name: &str, store: &Server) -> Device {
    Device::new(t, name, store)
}

#[test]
fn faces_are_found_grouped_named_and_searched() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let d = device(t.path(), "a", &store);
    let src = t.path().join("people");
    let who = face_people(&src);
    let out = run_ok(with_faces(&mut d.sb(&["import", src.to_str().unwrap()])), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Looked at 13 photo(s)"), "{text}");

    let found = grouping(&d);
    // Every photo of a person has its face found; the photos without people have none.
    for (name, person) in &who {
        assert_eq!(
            found.contains_key(name),
            !person.is_empty(),
            "{name}: {found:?}"
        );
    }
    let (precision, recall) = precision_recall(&found, &who);
    println!("grouping: precision {precision:.2}, recall {recall:.2}");
    assert!(
        precision >= 0.9 && recall >= 0.8,
        "precision {precision}, recall {recall}: {found:?}"
    );

    // Name the person in obama.jpg; search finds their photos by the name.
    let obama = found["obama.jpg"][0];
    run_ok(
        &mut d.sb(&["people", "name", &obama.to_string(), "Barack Obama"]),
        0,
    );
    let hits = json(&mut d.sb(&["search", "obama", "--json"]), 0);
    let hit_names: BTreeSet<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["original_name"].as_str().unwrap())
        .collect();
    for (n, p) in &who {
        if *p == "obama" && found[n][0] == obama {
            assert!(
                hit_names.contains(n.as_str()),
                "{n} not found by the name: {hit_names:?}"
            );
        }
    }
    assert!(
        !hit_names.contains("biden.jpg") || hits.to_string().contains("Obama and Vice President")
    );
    let listed = json(&mut d.sb(&["people", "--json"]), 0);
    assert_eq!(
        listed[0]["name"], "Barack Obama",
        "named people come first: {listed}"
    );

    // Scanning again finds nothing new: what was done is kept.
    let again = json(with_faces(&mut d.sb(&["faces", "scan", "--json"])), 0);
    assert_eq!(again["photos"], 0, "{again}");
}

#[test]
fn names_merges_and_removals_reach_another_device() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = device(t.path(), "a", &store);
    let b = device(t.path(), "b", &store);
    let src = t.path().join("people");
    face_people(&src);
    run_ok(with_faces(&mut a.sb(&["import", src.to_str().unwrap()])), 0);
    let found = grouping(&a);
    let (obama, biden) = (found["obama.jpg"][0], found["biden.jpg"][0]);
    run_ok(
        &mut a.sb(&["people", "name", &obama.to_string(), "Barack"]),
        0,
    );
    run_ok(&mut a.sb(&["people", "name", &biden.to_string(), "Joe"]), 0);
    run_ok(&mut a.sb(&["backup"]), 0);
    run_ok(&mut a.sb(&["sync"]), 0);

    // B gets the photos and their previews from the store, finds the same faces itself, and
    // the names given on A land on them.
    run_ok(&mut b.sb(&["sync"]), 0);
    let scan = json(with_faces(&mut b.sb(&["faces", "scan", "--json"])), 0);
    assert_eq!(scan["photos"], 13, "{scan}");
    let names = |d: &Device| -> BTreeMap<String, u64> {
        json(&mut d.sb(&["people", "--json"]), 0)
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| Some((p["name"].as_str()?.to_owned(), p["faces"].as_u64().unwrap())))
            .collect()
    };
    let on_a = names(&a);
    assert_eq!(names(&b), on_a, "B holds A's people");

    // On B: a wrong merge of Joe into Barack, then Joe's face in biden.jpg taken out again.
    let people_b = json(&mut b.sb(&["people", "--json"]), 0);
    let id_of = |v: &Value, n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    run_ok(
        &mut b.sb(&[
            "people",
            "merge",
            &id_of(&people_b, "Joe").to_string(),
            &id_of(&people_b, "Barack").to_string(),
        ]),
        0,
    );
    let biden_hash = json(&mut b.sb(&["ls", "--json"]), 0)
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["original_name"] == "biden.jpg")
        .unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let face = json(&mut b.sb(&["faces", "of", &biden_hash, "--json"]), 0)[0]["id"]
        .as_i64()
        .unwrap();
    run_ok(&mut b.sb(&["people", "remove-face", &face.to_string()]), 0);
    run_ok(&mut b.sb(&["sync"]), 0);
    run_ok(&mut a.sb(&["sync"]), 0);
    let after = names(&a);
    assert!(!after.contains_key("Joe"), "the merge reached A: {after:?}");
    assert_eq!(
        after["Barack"],
        on_a["Barack"] + on_a["Joe"] - 1,
        "{after:?} from {on_a:?}"
    );
    assert_eq!(after, names(&b));
    let on_a_face = json(&mut a.sb(&["faces", "of", &biden_hash, "--json"]), 0);
    assert!(
        on_a_face[0]["person"].is_null(),
        "the face taken out on B is out on A: {on_a_face}"
    );
}

#[test]
fn hostile_pictures_are_skipped_with_a_reason_and_nothing_breaks() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let d = device(t.path(), "a", &store);
    let src = t.path().join("hostile");
    std::fs::create_dir_all(&src).unwrap();
    let photos = face_photos_dir();
    let face = image::open(photos.join("obama.jpg")).unwrap();
    // Tiny: too small to hold a face.
    Jpeg::new(40, 30).seed(1).write(&src.join("tiny.jpg"));
    // Huge: 9000×7000, the face in the middle.
    let mut huge = image::RgbImage::from_pixel(9000, 7000, image::Rgb([90, 110, 130]));
    image::imageops::overlay(
        &mut huge,
        &image::imageops::resize(
            &face.to_rgb8(),
            2730,
            3411,
            image::imageops::FilterType::Triangle,
        ),
        3000,
        1500,
    );
    huge.save(src.join("huge.jpg")).unwrap();
    // Greyscale, 16-bit, and CMYK versions of a face.
    face.to_luma8().save(src.join("grey.png")).unwrap();
    face.to_rgb16().save(src.join("deep.png")).unwrap();
    let rgb = face.to_rgb8();
    let cmyk: Vec<u8> = rgb
        .pixels()
        .flat_map(|p| {
            let [r, g, b] = p.0.map(|v| 255 - v);
            let k = r.min(g).min(b);
            [r - k, g - k, b - k, k]
        })
        .collect();
    jpeg_encoder::Encoder::new_file(src.join("cmyk.jpg"), 90)
        .unwrap()
        .encode(
            &cmyk,
            rgb.width() as u16,
            rgb.height() as u16,
            jpeg_encoder::ColorType::Cmyk,
        )
        .unwrap();
    run_ok(
        with_faces(&mut d.sb(&["import", "--no-faces", src.to_str().unwrap()])),
        0,
    );
    let report = json(with_faces(&mut d.sb(&["faces", "scan", "--json"])), 0);
    let skipped: Vec<&Value> = report["skipped"].as_array().unwrap().iter().collect();
    assert_eq!(skipped.len(), 1, "only the tiny one is skipped: {report}");
    assert!(
        skipped[0][0].as_str().unwrap().ends_with("tiny.jpg")
            && skipped[0][1].as_str().unwrap().contains("too small"),
        "{report}"
    );
    // Each photo was looked at and says what it holds; the face is found in each version.
    for a in json(&mut d.sb(&["ls", "--json"]), 0).as_array().unwrap() {
        let name = a["original_name"].as_str().unwrap();
        let faces = json(
            &mut d.sb(&["faces", "of", a["hash"].as_str().unwrap(), "--json"]),
            0,
        );
        let n = faces.as_array().unwrap().len();
        match name {
            "tiny.jpg" => assert_eq!(n, 0),
            _ => assert_eq!(n, 1, "{name}: {faces}"),
        }
    }
    let tiny = skipped[0][0].as_str().unwrap();
    let out = run_ok(&mut d.sb(&["faces", "of", tiny]), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("was skipped: 40×30 is too small to find faces in"),
        "{text}"
    );
}

#[test]
fn a_model_file_that_is_not_the_expected_one_turns_faces_off_and_says_why() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let d = device(t.path(), "a", &store);
    let models = t.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let real = face_models_dir();
    for f in [
        "face_detection_back_256x256_barracuda.onnx",
        "dlib_face_recognition_resnet_model_v1.dat",
    ] {
        std::fs::copy(real.join(f), models.join(f)).unwrap();
    }
    let dat = models.join("dlib_face_recognition_resnet_model_v1.dat");
    let mut bytes = std::fs::read(&dat).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&dat, bytes).unwrap();
    let src = t.path().join("p");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(face_photos_dir().join("obama.jpg"), src.join("obama.jpg")).unwrap();
    // The import works and tells faces are off; the scan fails and says why and what to do.
    let out = run_ok(
        d.sb(&["import", src.to_str().unwrap()])
            .env("SHOEBOX_MODELS", &models),
        0,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("faces are off") && err.contains("not the expected file"),
        "{err}"
    );
    let out = run_ok(d.sb(&["faces", "scan"]).env("SHOEBOX_MODELS", &models), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SHA-256") && err.contains("scripts/fetch-models.sh"),
        "{err}"
    );
    // A folder without the models says where it looked.
    let out = run_ok(
        d.sb(&["faces", "scan"])
            .env("SHOEBOX_MODELS", t.path().join("none")),
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be read"));
    assert!(
        json(&mut d.sb(&["people", "--all", "--json"]), 0)
            .as_array()
            .unwrap()
            .is_empty()
    );
}
