//! Live Photos (issue 13): a photo and a short video with the same name become one asset with a
//! motion part, whichever arrives first; the video is kept, backed up and synced, but never
//! shown on its own; trash and restore take both. RAW+JPEG pairs are stacked the same way.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::path::Path;

fn video(path: &Path, seconds: &str) {
    let st = std::process::Command::new("ffmpeg")
        .args(["-y", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=64x48:rate=10")
        .args([
            "-t", seconds, "-pix_fmt", "yuv420p", "-c:v", "libx264", "-f", "mov",
        ])
        .arg(path)
        .status()
        .expect("ffmpeg (scripts/setup.sh installs it)");
    assert!(st.success());
}

fn by_name<'a>(ls: &'a Value, name: &str) -> &'a Value {
    ls.as_array()
        .unwrap()
        .iter()
        .find(|a| a["original_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {ls}"))
}

#[test]
fn a_photo_and_its_short_video_are_one_live_photo() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let phone = t.path().join("phone");
    std::fs::create_dir_all(&phone).unwrap();
    std::fs::copy(data_dir().join("sample.heic"), phone.join("IMG_0001.HEIC")).unwrap();
    video(&phone.join("IMG_0001.MOV"), "1.5");
    Jpeg::new(64, 48).seed(2).write(&phone.join("IMG_0002.JPG"));
    video(&phone.join("IMG_0002.MOV"), "12"); // a video of its own: too long for a Live Photo
    Jpeg::new(64, 48).seed(3).write(&phone.join("IMG_0003.JPG"));
    let r = json(a.sb(&["import", "--json"]).arg(&phone), 0);
    assert_eq!(r["counts"]["imported"], 5, "{r}");
    assert_eq!(r["live_photos"], 1, "{r}");

    // IMG_0003's video arrives later (a phone folder that syncs it after the photo).
    video(&phone.join("IMG_0003.mov"), "2");
    let r = json(
        a.sb(&["import", "--json"]).arg(phone.join("IMG_0003.mov")),
        0,
    );
    assert_eq!(r["live_photos"], 1, "the late half found its photo: {r}");

    let ls = json(&mut a.sb(&["ls", "--json"]), 0);
    assert_eq!(
        ls.as_array().unwrap().len(),
        4,
        "the motion parts are not listed: {ls}"
    );
    let live = by_name(&ls, "IMG_0001.HEIC");
    assert!(
        live["motion"]["path"]
            .as_str()
            .unwrap()
            .ends_with("IMG_0001.MOV"),
        "{live}"
    );
    assert_eq!(live["motion"]["duration_ms"], 1500);
    assert!(by_name(&ls, "IMG_0003.JPG")["motion"].is_object());
    assert!(by_name(&ls, "IMG_0002.JPG")["motion"].is_null());
    assert_eq!(by_name(&ls, "IMG_0002.MOV")["kind"], "video");
    let st = json(&mut a.sb(&["status", "--json"]), 0);
    assert_eq!(st["assets"], 6, "both halves are kept: {st}");

    // Trash takes both halves; restore brings both back.
    let h = live["hash"].as_str().unwrap().to_owned();
    run_ok(&mut a.sb(&["trash", &h]), 0);
    let trash = json(&mut a.sb(&["ls", "--trash", "--json"]), 0);
    assert_eq!(trash.as_array().unwrap().len(), 1, "{trash}");
    assert!(trash[0]["motion"].is_object());
    run_ok(&mut a.sb(&["trash", "--restore", &h]), 0);
    assert_eq!(
        json(&mut a.sb(&["ls", "--json"]), 0)
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Backed up (both files) and synced: another computer sees one Live Photo.
    json(&mut a.sb(&["sync", "--json"]), 0);
    let movs = files_below(&store.backing.join("originals"))
        .into_iter()
        .filter(|p| p.to_string_lossy().to_lowercase().ends_with(".mov"))
        .count();
    assert_eq!(movs, 3, "every video is on the store");
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);
    let lb = json(&mut b.sb(&["ls", "--json"]), 0);
    assert_eq!(lb.as_array().unwrap().len(), 4, "{lb}");
    assert!(by_name(&lb, "IMG_0001.HEIC")["motion"].is_object(), "{lb}");
}

/// Motion Photos (issue 13): a Pixel's `.MP.jpg` (or `.MP`) carries its video inside; it is one
/// photo with motion, kept whole, and another device learns where the video starts.
#[test]
fn a_motion_photo_is_one_photo_with_its_video_inside() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let clip = std::fs::read(data_dir().join("sample.mp4")).unwrap();
    let file = motion_photo(&clip);
    std::fs::write(src.join("PXL_20210601_093000123.MP.jpg"), &file).unwrap();
    // Older Pixels and Takeout exports: the same under `.MP`.
    let mut other = motion_photo(&clip);
    other[200] ^= 1; // another photo
    std::fs::write(src.join("PXL_20210601_093500456.MP"), &other).unwrap();
    // A plain JPEG is a plain photo.
    Jpeg::new(64, 48).seed(5).write(&src.join("plain.jpg"));
    // An older Samsung's: no XMP, the video in Samsung's own trailer.
    let samsung = samsung_motion_photo(&clip);
    std::fs::write(src.join("20190708_091011.jpg"), &samsung).unwrap();
    let r = json(a.sb(&["import", "--json"]).arg(&src), 0);
    assert_eq!(r["counts"]["imported"], 4, "{r}");
    let ls = json(&mut a.sb(&["ls", "--json"]), 0);
    for name in ["PXL_20210601_093000123.MP.jpg", "PXL_20210601_093500456.MP"] {
        let p = by_name(&ls, name);
        assert_eq!(p["kind"], "photo", "{p}");
        assert_eq!(p["motion_offset"], (file.len() - clip.len()) as u64, "{p}");
        assert_eq!(p["has_thumbnail"], true);
        assert_eq!(p["width"], 320);
        assert_eq!(
            p["taken_at_source"], "filename",
            "no EXIF here; the Pixel's name says when"
        );
    }
    assert!(by_name(&ls, "plain.jpg").get("motion_offset").is_none());
    let s = by_name(&ls, "20190708_091011.jpg");
    let at = s["motion_offset"].as_u64().expect("Samsung's trailer read") as usize;
    assert_eq!(&samsung[at..at + clip.len()], &clip[..], "{s}");
    assert_eq!(s["taken_at_source"], "exif");
    // Kept whole, byte for byte.
    let p = by_name(&ls, "PXL_20210601_093000123.MP.jpg");
    assert_eq!(
        std::fs::read(a.lib.join(p["path"].as_str().unwrap())).unwrap(),
        file
    );
    // Another device knows it is a Motion Photo before it has the original.
    json(&mut a.sb(&["sync", "--json"]), 0);
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);
    let lb = json(&mut b.sb(&["ls", "--json"]), 0);
    let pb = by_name(&lb, "PXL_20210601_093000123.MP.jpg");
    assert_eq!(pb["motion_offset"], p["motion_offset"]);
    assert_eq!(pb["local"], false);
}

/// RAW+JPEG (issue 13): a camera that writes both gives one tile showing the JPEG, with the RAW
/// kept byte for byte as its part, whichever half is imported first; a RAW alone is a photo
/// of its own; trash takes both; another device learns the pair.
#[test]
fn a_raw_and_its_jpeg_are_one_tile() {
    let t = tempfile::tempdir().unwrap();
    let store = Server::fs();
    let a = Device::new(t.path(), "a", &store);
    let card = t.path().join("DCIM").join("100NIKON");
    std::fs::create_dir_all(&card).unwrap();
    let raw1 = nef("2021:06:07 08:09:10", 1);
    std::fs::write(card.join("DSC_0001.NEF"), &raw1).unwrap();
    Jpeg::new(600, 400)
        .seed(11)
        .taken("2021:06:07 08:09:10", Some("+01:00"))
        .write(&card.join("DSC_0001.JPG"));
    std::fs::write(card.join("DSC_0003.NEF"), nef("2021:06:07 08:12:00", 3)).unwrap();
    Jpeg::new(600, 400)
        .seed(12)
        .taken("2021:06:07 08:10:00", Some("+01:00"))
        .write(&card.join("DSC_0002.JPG"));
    let r = json(a.sb(&["import", "--json"]).arg(&card), 0);
    assert_eq!(r["counts"]["imported"], 4, "{r}");
    assert_eq!(r["raw_pairs"], 1, "{r}");
    assert_eq!(r["live_photos"], 0, "{r}");

    // DSC_0002's RAW comes in a second import (the card read again): it finds its JPEG.
    std::fs::write(card.join("DSC_0002.NEF"), nef("2021:06:07 08:10:00", 2)).unwrap();
    let r = json(
        a.sb(&["import", "--json"]).arg(card.join("DSC_0002.NEF")),
        0,
    );
    assert_eq!(r["raw_pairs"], 1, "the late RAW found its JPEG: {r}");

    let ls = json(&mut a.sb(&["ls", "--json"]), 0);
    let names: Vec<&str> = ls
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["original_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["DSC_0003.NEF", "DSC_0002.JPG", "DSC_0001.JPG"],
        "one tile per pair, the JPEG shown; a RAW alone is a photo of its own"
    );
    let pair = by_name(&ls, "DSC_0001.JPG");
    assert_eq!(pair["raw"]["original_name"], "DSC_0001.NEF", "{pair}");
    assert_eq!(pair["raw"]["size"], raw1.len() as u64);
    assert!(pair["motion"].is_null(), "a RAW is no motion part: {pair}");
    let kept = a.lib.join(pair["raw"]["path"].as_str().unwrap());
    assert_eq!(
        std::fs::read(kept).unwrap(),
        raw1,
        "the RAW is kept byte for byte"
    );
    assert!(by_name(&ls, "DSC_0002.JPG")["raw"].is_object());
    assert!(by_name(&ls, "DSC_0003.NEF")["raw"].is_null());
    let st = json(&mut a.sb(&["status", "--json"]), 0);
    assert_eq!(st["assets"], 5, "every file is kept: {st}");
    let plain = String::from_utf8(a.sb(&["ls"]).output().unwrap().stdout).unwrap();
    assert!(plain.contains("(+ RAW DSC_0001.NEF)"), "{plain}");

    // Exporting the pair's originals gives both files; a JPEG export one picture.
    let h = pair["hash"].as_str().unwrap().to_owned();
    let out = t.path().join("out");
    run_ok(a.sb(&["export", &h, "--to"]).arg(&out), 0);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["DSC_0001.JPG", "DSC_0001.NEF"]);
    assert_eq!(std::fs::read(out.join("DSC_0001.NEF")).unwrap(), raw1);
    let small = t.path().join("small");
    run_ok(
        a.sb(&["export", &h, "--size", "300", "--to"]).arg(&small),
        0,
    );
    assert_eq!(std::fs::read_dir(&small).unwrap().count(), 1);

    // Trash takes the pair; restore brings both back.
    run_ok(&mut a.sb(&["trash", &h]), 0);
    let trash = json(&mut a.sb(&["ls", "--trash", "--json"]), 0);
    assert_eq!(trash.as_array().unwrap().len(), 1, "{trash}");
    assert_eq!(trash[0]["raw"]["original_name"], "DSC_0001.NEF");
    run_ok(&mut a.sb(&["trash", "--restore", &h]), 0);
    assert_eq!(json(&mut a.sb(&["ls", "--json"]), 0), ls);

    // Backed up and synced: another computer sees the same three tiles.
    json(&mut a.sb(&["sync", "--json"]), 0);
    let nefs = files_below(&store.backing.join("originals"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".NEF"))
        .count();
    assert_eq!(nefs, 3, "every RAW is on the store");
    let b = Device::new(t.path(), "b", &store);
    json(&mut b.sb(&["sync", "--json"]), 0);
    let lb = json(&mut b.sb(&["ls", "--json"]), 0);
    assert_eq!(lb.as_array().unwrap().len(), 3, "{lb}");
    assert_eq!(
        by_name(&lb, "DSC_0001.JPG")["raw"]["original_name"],
        "DSC_0001.NEF",
        "{lb}"
    );
    // Keeping an album on this computer keeps the RAW of its pair too.
    let jpeg_b = by_name(&lb, "DSC_0001.JPG")["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw_b = by_name(&lb, "DSC_0001.JPG")["raw"]["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    run_ok(&mut b.sb(&["album", "add", "Card", &jpeg_b]), 0);
    run_ok(&mut b.sb(&["pin", "Card"]), 0);
    let kept = json(&mut b.sb(&["ls", "--json"]), 0);
    assert_eq!(by_name(&kept, "DSC_0001.JPG")["local"], true, "{kept}");
    let cached: Vec<_> = files_below(&b.lib.join(".shoebox/cache"))
        .into_iter()
        .filter(|p| p.to_string_lossy().to_lowercase().ends_with(".nef"))
        .collect();
    assert_eq!(cached.len(), 1, "the RAW came too: {cached:?}");
    assert_eq!(shoebox_tests::hash_of(&cached[0]), raw_b);
}
