//! What import records: capture times and their sources, orientation, camera, GPS, HEIC, PNG
//! eXIf, video containers and names with dates. Real files, real catalog, the real binary.

use serde_json::Value;
use shoebox_tests::*;
use std::path::Path;
mod formats;

fn import_and_list(src: &Path, lib: &Path) -> Vec<Value> {
    let report = json(shoebox(lib, &["import", "--json"]).arg(src), 0);
    assert_eq!(report["rejected"].as_array().unwrap().len(), 0, "{report}");
    json(&mut shoebox(lib, &["ls", "--json"]), 0)
        .as_array()
        .unwrap()
        .clone()
}

fn by_name<'a>(assets: &'a [Value], name: &str) -> &'a Value {
    assets
        .iter()
        .find(|a| a["original_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {assets:?}"))
}

#[test]
fn capture_times_come_from_the_best_source_and_pick_the_folder() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    Jpeg::new(64, 48)
        .taken("2023:07:01 12:34:56", Some("+02:00"))
        .subsec("120")
        .write(&src.join("offset.jpg"));
    Jpeg::new(64, 48)
        .seed(2)
        .taken("2022:12:31 23:59:59", None)
        .write(&src.join("nooffset.jpg"));
    // Local 00:30 on 1 January east of UTC is still 31 December in UTC: the folder is January.
    Jpeg::new(64, 48)
        .seed(3)
        .taken("2024:01:01 00:30:00", Some("+09:00"))
        .write(&src.join("newyear.jpg"));
    Jpeg::new(64, 48)
        .seed(4)
        .modified_tag("2019:04:05 06:07:08")
        .write(&src.join("other.jpg"));
    Jpeg::new(64, 48)
        .seed(5)
        .write(&src.join("PXL_20230102_123456789.jpg"));
    Jpeg::new(64, 48)
        .seed(6)
        .write(&src.join("IMG-20200315-WA0001.jpg"));
    Jpeg::new(64, 48)
        .seed(7)
        .write(&src.join("Screenshot_2021-02-03-04-05-06.jpg"));
    Jpeg::new(64, 48).seed(8).write(&src.join("nothing.jpg"));
    let mtime = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000);
    std::fs::File::options()
        .write(true)
        .open(src.join("nothing.jpg"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();

    let lib = t.path().join("lib");
    let assets = import_and_list(&src, &lib);
    let expect = [
        (
            "offset.jpg",
            "2023-07-01T12:34:56.120+02:00",
            "exif",
            "originals/2023/07/offset.jpg",
        ),
        (
            "nooffset.jpg",
            "2022-12-31T23:59:59",
            "exif",
            "originals/2022/12/nooffset.jpg",
        ),
        (
            "newyear.jpg",
            "2024-01-01T00:30:00+09:00",
            "exif",
            "originals/2024/01/newyear.jpg",
        ),
        (
            "other.jpg",
            "2019-04-05T06:07:08",
            "exif_other",
            "originals/2019/04/other.jpg",
        ),
        (
            "PXL_20230102_123456789.jpg",
            "2023-01-02T12:34:56.789",
            "filename",
            "originals/2023/01/PXL_20230102_123456789.jpg",
        ),
        (
            "IMG-20200315-WA0001.jpg",
            "2020-03-15T00:00:00",
            "filename",
            "originals/2020/03/IMG-20200315-WA0001.jpg",
        ),
        (
            "Screenshot_2021-02-03-04-05-06.jpg",
            "2021-02-03T04:05:06",
            "filename",
            "originals/2021/02/Screenshot_2021-02-03-04-05-06.jpg",
        ),
        // The test runs shoebox with TZ=UTC.
        (
            "nothing.jpg",
            "2017-07-14T02:40:00+00:00",
            "mtime",
            "originals/2017/07/nothing.jpg",
        ),
    ];
    for (name, taken, source, path) in expect {
        let a = by_name(&assets, name);
        assert_eq!(a["taken_at"], taken, "{name}");
        assert_eq!(a["taken_at_source"], source, "{name}");
        assert_eq!(a["path"], path, "{name}");
        assert!(lib.join(path).is_file(), "{path} on disk");
    }
    // Newest first.
    let times: Vec<&str> = assets
        .iter()
        .map(|a| a["taken_at"].as_str().unwrap())
        .collect();
    assert_eq!(times[0], "2024-01-01T00:30:00+09:00");
}

#[test]
fn the_json_contract_has_every_field() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("IMG_0042.JPG");
    let bytes = Jpeg::new(120, 80)
        .taken("2023:07:01 12:34:56", Some("+02:00"))
        .camera("Canon", "EOS R6", "RF24-105mm F4 L IS USM")
        .exposure(400, 250, 40, 50)
        .gps((48, 51, 3024), false, (2, 17, 4020), false, 35)
        .description("Tour Eiffel")
        .write(&f);
    let lib = t.path().join("lib");
    let assets = import_and_list(&f, &lib);
    let a = &assets[0];
    for key in [
        "hash",
        "path",
        "original_name",
        "size",
        "kind",
        "mime",
        "taken_at",
        "taken_at_source",
        "width",
        "height",
        "orientation",
        "make",
        "model",
        "lens",
        "iso",
        "exposure_time",
        "f_number",
        "focal_length_mm",
        "gps",
        "imported_at",
        "has_thumbnail",
    ] {
        assert!(
            a.get(key).is_some(),
            "field {key} missing from ls --json: {a}"
        );
    }
    assert_eq!(a["hash"], blake3::hash(&bytes).to_hex().as_str());
    assert_eq!(a["size"], bytes.len());
    assert_eq!(a["kind"], "photo");
    assert_eq!(a["mime"], "image/jpeg");
    assert_eq!(
        (a["width"].as_u64(), a["height"].as_u64()),
        (Some(120), Some(80))
    );
    assert_eq!(a["make"], "Canon");
    assert_eq!(a["model"], "EOS R6");
    assert_eq!(a["lens"], "RF24-105mm F4 L IS USM");
    assert_eq!(a["iso"], 400);
    assert_eq!(a["exposure_time"], 0.004);
    assert_eq!(a["f_number"], 4.0);
    assert_eq!(a["focal_length_mm"], 50.0);
    let lat = a["gps"]["lat"].as_f64().unwrap();
    let lon = a["gps"]["lon"].as_f64().unwrap();
    assert!(
        (lat - (48.0 + 51.0 / 60.0 + 30.24 / 3600.0)).abs() < 1e-9,
        "{lat}"
    );
    assert!(
        (lon - (2.0 + 17.0 / 60.0 + 40.2 / 3600.0)).abs() < 1e-9,
        "{lon}"
    );
    assert_eq!(a["gps"]["alt"], 35.0);
    assert_eq!(a["has_thumbnail"], true);

    // inspect reads the same fields without importing.
    let inspected = json(
        shoebox(
            &t.path().join("other-lib"),
            &["inspect", "--json", "--hash"],
        )
        .arg(&f),
        0,
    );
    let i = &inspected[0];
    for key in [
        "taken_at",
        "taken_at_source",
        "width",
        "height",
        "make",
        "model",
        "gps",
        "iso",
        "hash",
        "path",
    ] {
        assert_eq!(i[key], a[key], "inspect and ls disagree on {key}");
    }
    // show finds it by hash prefix and by path.
    let hash = a["hash"].as_str().unwrap();
    let shown = json(&mut shoebox(&lib, &["show", "--json", &hash[..8]]), 0);
    assert_eq!(shown["path"], a["path"]);
    let shown = json(
        &mut shoebox(&lib, &["show", "--json", a["path"].as_str().unwrap()]),
        0,
    );
    assert_eq!(shown["hash"], hash);
    let out = run_ok(&mut shoebox(&lib, &["show", "ffffffffffff"]), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no asset matches"));
}

/// Raw pixels with four coloured quadrants: TL red, TR green, BL blue, BR white.
fn quadrants(w: usize, h: usize) -> Vec<u8> {
    let mut px = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let c = match (x < w / 2, y < h / 2) {
                (true, true) => [255, 0, 0],
                (false, true) => [0, 255, 0],
                (true, false) => [0, 0, 255],
                (false, false) => [255, 255, 255],
            };
            px.extend_from_slice(&c);
        }
    }
    px
}

#[test]
fn all_eight_orientations_are_applied_to_size_and_thumbnail() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for o in 1..=8u16 {
        Jpeg::new(96, 48)
            .pixels(quadrants(96, 48))
            .orientation(o)
            .write(&src.join(format!("o{o}.jpg")));
    }
    let lib = t.path().join("lib");
    let assets = import_and_list(&src, &lib);
    // What the top-left corner of the displayed picture must be, per EXIF orientation.
    let top_left = [
        [255, 0, 0],
        [0, 255, 0],
        [255, 255, 255],
        [0, 0, 255],
        [255, 0, 0],
        [0, 0, 255],
        [255, 255, 255],
        [0, 255, 0],
    ];
    for o in 1..=8u8 {
        let a = by_name(&assets, &format!("o{o}.jpg"));
        assert_eq!(a["orientation"], o);
        let turned = o >= 5;
        let (w, h) = if turned { (48, 96) } else { (96, 48) };
        assert_eq!(
            (a["width"].as_u64(), a["height"].as_u64()),
            (Some(w), Some(h)),
            "o{o}"
        );
        let hash = a["hash"].as_str().unwrap();
        let thumb = lib
            .join(".shoebox/thumbs")
            .join(&hash[..2])
            .join(format!("{hash}-320.jpg"));
        let img = image::open(&thumb).unwrap().into_rgb8();
        assert_eq!(img.dimensions(), (w as u32, h as u32), "thumbnail of o{o}");
        let px = img.get_pixel(4, 4).0;
        let want = top_left[o as usize - 1];
        let close = px.iter().zip(want).all(|(&a, b)| (a as i32 - b).abs() < 60);
        assert!(close, "o{o}: top-left is {px:?}, want {want:?}");
    }
}
