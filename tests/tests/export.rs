//! Export (issue 14): originals byte for byte with an XMP sidecar for what the catalog knows
//! beyond the file; JPEGs at a size with the corrections written in; nothing in the folder
//! overwritten; originals only on the store fetched first; a damaged original not exported.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::path::Path;

fn exported(v: &Value) -> Vec<(String, String, Option<String>)> {
    v["exported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["hash"].as_str().unwrap().to_owned(),
                e["file"].as_str().unwrap().to_owned(),
                e["sidecar"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn exif_of(path: &Path) -> exif::Exif {
    let f = std::fs::File::open(path).unwrap();
    exif::Reader::new()
        .read_from_container(&mut std::io::BufReader::new(f))
        .unwrap()
}

#[test]
fn originals_and_sized_copies_carry_what_the_catalog_knows() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let bytes_a = Jpeg::new(400, 300)
        .seed(1)
        .camera("Canon", "EOS R6", "")
        .taken("2019:07:14 10:20:00", Some("+02:00"))
        .write(&src.join("Dinner.JPG"));
    let bytes_b = Jpeg::new(320, 240).seed(2).write(&src.join("Plain.JPG"));
    std::fs::copy(data_dir().join("sample.mp4"), src.join("Clip.mp4")).unwrap();
    a.import(&src);
    let (ha, hb, hv) = (
        a.hash_of_name("Dinner.JPG"),
        a.hash_of_name("Plain.JPG"),
        a.hash_of_name("Clip.mp4"),
    );
    run_ok(&mut a.sb(&["rate", &ha, "4"]), 0);
    run_ok(&mut a.sb(&["keyword", "add", "Zia Lucia", &ha]), 0);
    run_ok(&mut a.sb(&["set-date", &ha, "--shift", "-1h"]), 0);
    run_ok(&mut a.sb(&["set-place", &ha, "--city", "Canberra"]), 0);
    run_ok(&mut a.sb(&["rotate", &ha, "right"]), 0);
    run_ok(&mut a.sb(&["album", "add", "Trip", &ha, &hb]), 0);

    // Originals: byte for byte, a sidecar only where the catalog knows more than the file.
    let out = t.path().join("out");
    let r = json(
        &mut a.sb(&[
            "export",
            "--json",
            "--to",
            out.to_str().unwrap(),
            &ha,
            &hb,
            &hv,
        ]),
        0,
    );
    let e = exported(&r);
    assert_eq!(e.len(), 3, "{r}");
    assert_eq!(std::fs::read(out.join("Dinner.JPG")).unwrap(), bytes_a);
    assert_eq!(std::fs::read(out.join("Plain.JPG")).unwrap(), bytes_b);
    assert_eq!(hash_of(&out.join("Clip.mp4")), hv);
    let side = e.iter().find(|x| x.0 == ha).unwrap().2.clone().unwrap();
    assert!(side.ends_with("Dinner.JPG.xmp"), "{side}");
    let xmp = std::fs::read_to_string(&side).unwrap();
    for want in [
        "xmp:Rating=\"4\"",
        "<rdf:li>Zia Lucia</rdf:li>",
        "exif:DateTimeOriginal=\"2019-07-14T09:20:00+02:00\"",
        "exif:GPSLatitude=\"35,",
    ] {
        assert!(xmp.contains(want), "{want} in {xmp}");
    }
    assert!(e.iter().find(|x| x.0 == hb).unwrap().2.is_none());

    // Again into the same folder: new names, nothing overwritten.
    let r = json(
        &mut a.sb(&["export", "--json", "--to", out.to_str().unwrap(), &hb]),
        0,
    );
    assert!(exported(&r)[0].1.ends_with("Plain (2).JPG"), "{r}");
    assert_eq!(std::fs::read(out.join("Plain.JPG")).unwrap(), bytes_b);

    // An album as JPEGs of at most 200 pixels: turned as shown, the corrections written in.
    let small = t.path().join("small");
    let r = json(
        &mut a.sb(&[
            "export",
            "--json",
            "--album",
            "Trip",
            "--size",
            "200",
            "--to",
            small.to_str().unwrap(),
        ]),
        0,
    );
    assert_eq!(exported(&r).len(), 2, "{r}");
    let img = image::open(small.join("Dinner.jpg")).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (150, 200),
        "a landscape turned right"
    );
    let ex = exif_of(&small.join("Dinner.jpg"));
    let get = |t| {
        ex.get_field(t, exif::In::PRIMARY)
            .unwrap()
            .display_value()
            .to_string()
    };
    assert_eq!(get(exif::Tag::DateTimeOriginal), "2019-07-14 09:20:00");
    assert_eq!(get(exif::Tag::Model), "\"EOS R6\"");
    assert_eq!(get(exif::Tag::GPSLatitudeRef), "S");
    assert_eq!(
        get(exif::Tag::Orientation),
        "row 0 at top and column 0 at left"
    );
    let raw = std::fs::read(small.join("Dinner.jpg")).unwrap();
    assert!(
        String::from_utf8_lossy(&raw).contains("Zia Lucia"),
        "XMP inside"
    );

    // A second computer exports a photo whose original is only on the store: fetched first.
    json(&mut a.sb(&["sync", "--json"]), 0);
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);
    let far = t.path().join("far");
    let r = json(
        &mut b.sb(&["export", "--json", "--to", far.to_str().unwrap(), &hb]),
        0,
    );
    assert_eq!(exported(&r).len(), 1, "{r}");
    assert_eq!(std::fs::read(far.join("Plain.JPG")).unwrap(), bytes_b);

    // A damaged original is not exported, says why, and leaves nothing behind.
    let ls = json(&mut a.sb(&["ls", "--json"]), 0);
    let pb = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["hash"] == hb.as_str())
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut damaged = bytes_b.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x55;
    std::fs::write(a.lib.join(&pb), &damaged).unwrap();
    let bad = t.path().join("bad");
    let r = json(
        &mut a.sb(&["export", "--json", "--to", bad.to_str().unwrap(), &hb, &hv]),
        1,
    );
    assert_eq!(exported(&r).len(), 1);
    assert!(
        r["failed"][0][1]
            .as_str()
            .unwrap()
            .contains("does not match its hash"),
        "{r}"
    );
    assert!(!bad.join("Plain.JPG").exists(), "no half-made copy");

    // A folder that cannot be: a clear error, exit 2.
    let file = t.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let out = run_ok(
        &mut a.sb(&["export", "--to", file.to_str().unwrap(), &ha]),
        2,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a-file"),
        "{out:?}"
    );
}

#[test]
fn xmp_sidecars_are_read_at_import_and_an_export_comes_back_whole() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    Jpeg::new(64, 48).seed(1).write(&src.join("IMG_1.JPG"));
    Jpeg::new(64, 48).seed(2).write(&src.join("DSC.2.JPG"));
    Jpeg::new(64, 48).seed(3).write(&src.join("plain.jpg"));
    // darktable and digiKam: IMG_1.JPG.xmp, attributes; Lightroom: DSC.2.xmp, elements.
    std::fs::write(
        src.join("IMG_1.JPG.xmp"),
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="4">
<dc:subject><rdf:Bag><rdf:li>pier</rdf:li><rdf:li>Zia &amp; Lucia</rdf:li></rdf:Bag></dc:subject>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Sunset</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta>"#,
    )
    .unwrap();
    std::fs::write(
        src.join("DSC.2.xmp"),
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xap="http://ns.adobe.com/xap/1.0/"><xap:Rating>2</xap:Rating></rdf:Description>
</rdf:RDF></x:xmpmeta>"#,
    )
    .unwrap();
    // A sidecar that is not text: the photo comes without it, and the report says why.
    Jpeg::new(64, 48).seed(4).write(&src.join("bad.jpg"));
    std::fs::write(src.join("bad.jpg.xmp"), [0xff, 0xfe, 0x00, 0xc3, 0x28]).unwrap();
    let lib = t.path().join("lib");
    let r = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(r["xmp_sidecars"], 2, "{r}");
    let bad = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["path"].as_str().unwrap().ends_with("bad.jpg.xmp"))
        .collect::<Vec<_>>();
    assert_eq!(bad.len(), 1, "{r}");
    assert!(
        bad[0]["reason"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{r}"
    );
    assert_eq!(
        r["counts"]["imported"], 4,
        "the sidecars are not photos: {r}"
    );
    let ls = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    let by = |name: &str| {
        ls.as_array()
            .unwrap()
            .iter()
            .find(|a| a["original_name"] == name)
            .unwrap()
            .clone()
    };
    let a = by("IMG_1.JPG");
    assert_eq!(a["rating"], 4);
    assert_eq!(a["keywords"], serde_json::json!(["Zia & Lucia", "pier"]));
    assert_eq!(a["description"], "Sunset");
    assert_eq!(by("DSC.2.JPG")["rating"], 2);
    assert_eq!(by("plain.jpg")["rating"], 0);

    // Exported with its sidecar and imported into another library: the same stars, words
    // and caption.
    let out = t.path().join("out");
    run_ok(
        &mut shoebox(
            &lib,
            &[
                "export",
                "--to",
                out.to_str().unwrap(),
                a["hash"].as_str().unwrap(),
            ],
        ),
        0,
    );
    let other = t.path().join("other");
    let r = json(shoebox(&other, &["import", "--json"]).arg(&out), 0);
    assert_eq!(r["xmp_sidecars"], 1, "{r}");
    let b = &json(&mut shoebox(&other, &["ls", "--json"]), 0)[0];
    for f in ["rating", "keywords", "description", "hash"] {
        assert_eq!(b[f], a[f], "{f}");
    }
}

/// The `.xmp` files on a folder store, and what each says.
fn sidecars_on(store: &Server) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = files_below(&store.backing)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xmp"))
        .map(|p| {
            (
                p.strip_prefix(&store.backing)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn sidecars_on_the_store_follow_the_catalog_and_go_with_their_original() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    Jpeg::new(64, 48).seed(1).write(&src.join("P1.JPG"));
    Jpeg::new(64, 48).seed(2).write(&src.join("P2.JPG"));
    a.import(&src);
    let (p1, p2) = (a.hash_of_name("P1.JPG"), a.hash_of_name("P2.JPG"));
    run_ok(&mut a.sb(&["rate", &p1, "4"]), 0);
    run_ok(&mut a.sb(&["keyword", "add", "pier", &p1]), 0);
    run_ok(&mut a.sb(&["settings", "set", "prune_grace_days", "0"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);

    // One sidecar, beside P1's original, named as digiKam and darktable look for it; P2 has
    // nothing to say.
    let ls = json(&mut a.sb(&["ls", "--json"]), 0);
    let path1 = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["hash"] == p1.as_str())
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let side = sidecars_on(&store);
    assert_eq!(side.len(), 1, "{side:?}");
    assert_eq!(side[0].0, format!("{}.xmp", store_key(&path1, &p1)));
    assert!(side[0].1.contains("xmp:Rating=\"4\"") && side[0].1.contains("<rdf:li>pier</rdf:li>"));
    assert!(!side.iter().any(|(k, _)| k.contains(&p2[..16])));

    // Another computer rates a's photo: only a writes its sidecar (one writer per object), at
    // its next sync after hearing of it.
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);
    run_ok(&mut b.sb(&["rate", &p1, "5"]), 0);
    json(&mut b.sb(&["sync", "--json"]), 0);
    assert!(
        sidecars_on(&store)[0].1.contains("xmp:Rating=\"4\""),
        "b wrote nothing"
    );
    json(&mut a.sb(&["sync", "--json"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    assert!(sidecars_on(&store)[0].1.contains("xmp:Rating=\"5\""));
    // Nothing new: nothing written.
    let r = json(&mut a.sb(&["backup", "--json"]), 0);
    assert_eq!(r["targets"][0]["xmp_sidecars"], 0, "{r}");

    // A sidecar that cannot be written (a folder in its place) is reported, and written at the
    // next backup once it can be, though the catalog did not change in between.
    run_ok(&mut a.sb(&["keyword", "add", "dock", &p1]), 0);
    let side_path = store.backing.join(&sidecars_on(&store)[0].0);
    std::fs::remove_file(&side_path).unwrap();
    std::fs::create_dir(&side_path).unwrap();
    let r = json(&mut a.sb(&["backup", "--json"]), 1);
    assert!(
        r["targets"][0]["failed"][0]["key"]
            .as_str()
            .unwrap()
            .ends_with(".xmp"),
        "{r}"
    );
    std::fs::remove_dir(&side_path).unwrap();
    let r = json(&mut a.sb(&["backup", "--json"]), 0);
    assert_eq!(r["targets"][0]["xmp_sidecars"], 1, "{r}");
    assert!(
        std::fs::read_to_string(&side_path)
            .unwrap()
            .contains("dock")
    );
    run_ok(&mut a.sb(&["keyword", "remove", "dock", &p1]), 0);

    // Stars and words taken back: the sidecar stays and says so.
    run_ok(&mut a.sb(&["rate", &p1, "0"]), 0);
    run_ok(&mut a.sb(&["keyword", "remove", "pier", &p1]), 0);
    let r = json(&mut a.sb(&["backup", "--json"]), 0);
    assert_eq!(r["targets"][0]["xmp_sidecars"], 1, "{r}");
    let side = sidecars_on(&store);
    assert!(
        !side[0].1.contains("Rating") && !side[0].1.contains("pier"),
        "{side:?}"
    );

    // Deleted for good and pruned: the sidecar goes with its original.
    a.delete(&p1);
    json(&mut a.sb(&["sync", "--json"]), 0);
    json(&mut b.sb(&["sync", "--json"]), 0);
    // b lets go of it too (its trash emptied), so no device relies on the original.
    b.delete(&p1);
    json(&mut b.sb(&["sync", "--json"]), 0);
    json(&mut a.sb(&["sync", "--json"]), 0);
    let r = json(
        &mut a.sb(&[
            "prune",
            "--target",
            "shared",
            "--yes",
            "--max-share",
            "100",
            "--json",
        ]),
        0,
    );
    let deleted: Vec<&str> = r["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(deleted.iter().any(|k| k.ends_with(".xmp")), "{r}");
    assert!(sidecars_on(&store).is_empty());
}
