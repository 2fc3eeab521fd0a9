//! Formats: HEIC, PNG, videos with and without ffmpeg, WebM/MKV/AVI/MTS, RAW.

use super::*;

#[test]
pub(crate) fn heic_png_exif_and_video_are_read() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(data_dir().join("sample.heic"), src.join("IMG_1234.HEIC")).unwrap();
    std::fs::copy(data_dir().join("sample.mp4"), src.join("clip.MP4")).unwrap();
    let tiff = Jpeg::new(8, 8)
        .taken("2018:09:10 11:12:13", Some("-05:00"))
        .exif_block()
        .unwrap();
    std::fs::write(src.join("shot.png"), png_with_exif(40, 30, &tiff[6..])).unwrap();

    let lib = t.path().join("lib");
    let report = json(
        shoebox(&lib, &["import", "--json"])
            .arg(&src)
            .env("TZ", "Asia/Tokyo"),
        0,
    );
    assert_eq!(report["counts"]["imported"], 3, "{report}");
    let assets = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    let assets = assets.as_array().unwrap();

    let heic = by_name(assets, "IMG_1234.HEIC");
    assert_eq!(heic["mime"], "image/heic");
    assert_eq!(heic["taken_at"], "2022-05-06T07:08:09+02:00");
    assert_eq!(heic["model"], "iPhone 13");
    assert_eq!(
        (heic["width"].as_u64(), heic["height"].as_u64()),
        (Some(96), Some(64))
    );
    assert!((heic["gps"]["lat"].as_f64().unwrap() - 48.8584).abs() < 1e-6);
    // `shoebox-heif` is built beside `shoebox` (tests/heif.rs covers it missing): a preview.
    assert_eq!(heic["has_thumbnail"], true, "{heic}");

    let png = by_name(assets, "shot.png");
    assert_eq!(png["taken_at"], "2018-09-10T11:12:13-05:00");
    assert_eq!(png["taken_at_source"], "exif");

    let mp4 = by_name(assets, "clip.MP4");
    assert_eq!(mp4["kind"], "video");
    assert_eq!(mp4["taken_at_source"], "container");
    // The container says 05:06:07 UTC; the folder follows local time (here Tokyo, UTC+9).
    assert_eq!(mp4["taken_at"], "2021-03-04T14:06:07+09:00");
    assert_eq!(mp4["duration_ms"], 1500);
    assert_eq!(
        (mp4["width"].as_u64(), mp4["height"].as_u64()),
        (Some(64), Some(48))
    );
    let has_ffmpeg = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok();
    assert_eq!(
        mp4["has_thumbnail"], has_ffmpeg,
        "poster frame iff ffmpeg is on PATH"
    );
}

#[test]
pub(crate) fn a_video_without_ffmpeg_still_imports_with_a_placeholder() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("clip.mov");
    std::fs::copy(data_dir().join("sample.mp4"), &f).unwrap();
    let lib = t.path().join("lib");
    let report = json(
        shoebox(&lib, &["import", "--json"])
            .arg(&f)
            .env("PATH", "/nonexistent"),
        0,
    );
    assert_eq!(report["counts"]["imported"], 1, "{report}");
    assert_eq!(report["imported"][0]["has_thumbnail"], false);
    assert!(
        report["imported"][0]["thumbnail_note"]
            .as_str()
            .unwrap()
            .contains("ffmpeg")
    );
    let st = json(&mut shoebox(&lib, &["status", "--json"]), 0);
    assert_eq!(st["by_kind"]["video"], 1);
    assert_eq!(st["thumbnails_missing"], 1);
}

/// WebM, MKV, AVI and MTS (made here with ffmpeg, which CI installs): imported as videos with
/// their container's date where it has one, size, length and a poster frame; without ffmpeg
/// they still import, with the file's date and a placeholder.
#[test]
pub(crate) fn webm_mkv_avi_and_mts_are_read() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (name, codec, meta) in [
        ("a.webm", "libvpx-vp9", "creation_time=2021-03-04T05:06:07Z"),
        ("b.MKV", "libx264", "creation_time=2022-01-02T03:04:05Z"),
        ("c.avi", "mpeg4", "date=2020-05-06"),
        ("d.MTS", "libx264", "title=camcorder"),
    ] {
        let st = std::process::Command::new("ffmpeg")
            .args(["-y", "-loglevel", "error", "-f", "lavfi", "-i"])
            .arg("testsrc=size=64x48:rate=10")
            .args([
                "-t",
                "1.5",
                "-pix_fmt",
                "yuv420p",
                "-c:v",
                codec,
                "-metadata",
                meta,
            ])
            .arg(src.join(name))
            .status()
            .expect("ffmpeg (scripts/setup.sh installs it)");
        assert!(st.success(), "{name}");
    }
    std::fs::write(src.join("broken.mkv"), b"\x1a\x45\xdf\xa3 not really").unwrap();
    let lib = t.path().join("lib");
    let report = json(shoebox(&lib, &["import", "--json"]).arg(&src), 0);
    assert_eq!(report["counts"]["imported"], 5, "{report}");
    let assets = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    let assets = assets.as_array().unwrap();
    let webm = by_name(assets, "a.webm");
    assert_eq!(webm["kind"], "video");
    assert_eq!(webm["mime"], "video/webm");
    assert_eq!(webm["taken_at_source"], "container");
    assert_eq!(webm["taken_at"], "2021-03-04T05:06:07+00:00");
    assert_eq!(webm["duration_ms"], 1500);
    assert_eq!(
        (webm["width"].as_u64(), webm["height"].as_u64()),
        (Some(64), Some(48))
    );
    assert_eq!(webm["has_thumbnail"], true, "{webm}");
    let mkv = by_name(assets, "b.MKV");
    assert_eq!(mkv["mime"], "video/x-matroska");
    assert_eq!(mkv["taken_at"], "2022-01-02T03:04:05+00:00");
    let avi = by_name(assets, "c.avi");
    assert_eq!(avi["mime"], "video/x-msvideo");
    assert_eq!(avi["taken_at_source"], "container");
    assert!(
        avi["taken_at"].as_str().unwrap().starts_with("2020-05-06"),
        "{avi}"
    );
    assert_eq!(avi["has_thumbnail"], true);
    let mts = by_name(assets, "d.MTS");
    assert_eq!(mts["mime"], "video/mp2t");
    assert_eq!(
        mts["taken_at_source"], "mtime",
        "an MTS file carries no date ffprobe reads"
    );
    assert_eq!(mts["has_thumbnail"], true);
    // Not a video at all: imported as a file without a preview, not a crash.
    let broken = by_name(assets, "broken.mkv");
    assert_eq!(broken["has_thumbnail"], false, "{broken}");

    // Without ffmpeg and ffprobe: imported all the same.
    let lib2 = t.path().join("lib2");
    let r = json(
        shoebox(&lib2, &["import", "--json"])
            .arg(src.join("a.webm"))
            .env("PATH", "/nonexistent"),
        0,
    );
    assert_eq!(r["counts"]["imported"], 1, "{r}");
    assert_eq!(r["imported"][0]["has_thumbnail"], false);
}

/// Camera RAW files, built here as cameras lay them out (no tool on this machine writes a real
/// one): a TIFF-based "DNG" with its EXIF in the file and two embedded JPEGs (a small thumbnail
/// and a larger preview), and a Fuji-style RAF whose EXIF is inside its preview JPEG. Imported
/// byte-identical, EXIF read, the thumbnail made from the largest preview.
#[test]
pub(crate) fn raw_files_import_with_exif_and_a_preview() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let dng = nef("2021:06:07 08:09:10", 0);
    std::fs::write(src.join("DSC_0001.NEF"), &dng).unwrap();
    let mut raf = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
    raf.extend(vec![0u8; 100]);
    raf.extend(
        Jpeg::new(480, 320)
            .taken("2020:02:03 04:05:06", None)
            .camera("FUJIFILM", "X-T3", "")
            .bytes(),
    );
    raf.extend(vec![0x11u8; 2048]);
    std::fs::write(src.join("DSCF0002.RAF"), &raf).unwrap();
    std::fs::write(src.join("empty.dng"), b"II*\0 nothing inside").unwrap();

    let lib = t.path().join("lib");
    let out = shoebox(&lib, &["import", "--json"])
        .arg(&src)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["counts"]["imported"], 2, "{report}");
    assert!(
        report["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("preview"),
        "{report}"
    );
    let assets = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    let assets = assets.as_array().unwrap();
    let nef = by_name(assets, "DSC_0001.NEF");
    assert_eq!(nef["kind"], "photo");
    assert_eq!(nef["mime"], "image/x-nikon-nef");
    assert_eq!(nef["taken_at"], "2021-06-07T08:09:10+01:00");
    assert_eq!(nef["model"], "NIKON Z 6");
    assert_eq!(
        (nef["width"].as_u64(), nef["height"].as_u64()),
        (Some(600), Some(400))
    );
    assert_eq!(nef["has_thumbnail"], true);
    assert_eq!(
        std::fs::read(lib.join(nef["path"].as_str().unwrap())).unwrap(),
        dng,
        "the RAW is kept byte for byte"
    );
    let thumb = image::open(
        lib.join(".shoebox/thumbs")
            .join(&nef["hash"].as_str().unwrap()[..2])
            .join(format!("{}-320.jpg", nef["hash"].as_str().unwrap())),
    )
    .unwrap();
    assert_eq!(
        (thumb.width(), thumb.height()),
        (320, 213),
        "made from the 600×400 preview"
    );
    let raf = by_name(assets, "DSCF0002.RAF");
    assert_eq!(raf["mime"], "image/x-fuji-raf");
    assert_eq!(raf["model"], "X-T3");
    assert_eq!(raf["taken_at_source"], "exif");
    assert_eq!(raf["has_thumbnail"], true);
}
