//! Names and paths on the disk the tests run on: Linux here, and Windows' rules under Wine
//! (`scripts/test-windows.sh` runs this file as a Windows program). Every name a photo can bring
//! is made safe, and the safe name is then a file the disk keeps exactly as named.

use shoebox_layout::{
    MAX_NAME_BYTES, RelPath, fold_key, is_reserved_on_windows, name_problem, place_no_replace,
    safe_name,
};
use std::fs;
use std::io::ErrorKind;
use std::path::Path;

const HOSTILE: &[&str] = &[
    "CON",
    "con.jpg",
    "aux.jpg",
    "AUX",
    "NUL.txt",
    "COM1.jpg",
    "lpt9.png",
    "CONIN$",
    "photo.",
    "photo. ",
    "trailing ",
    "a:b.jpg",
    "what?.jpg",
    "<>|\"*.jpg",
    "back\\slash.jpg",
    "tab\there.jpg",
    "...",
    "",
];

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn every_safe_name_is_kept_by_the_disk_as_it_is() {
    let t = tempfile::tempdir().unwrap();
    let long = format!("{}.jpg", "é".repeat(200));
    let mut names: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    names.push(long);
    for (i, raw) in names.iter().enumerate() {
        let dir = t.path().join(format!("case{i}"));
        fs::create_dir(&dir).unwrap();
        let safe = safe_name(raw);
        assert_eq!(name_problem(&safe), None, "{raw:?} → {safe:?}");
        assert!(safe.len() <= MAX_NAME_BYTES, "{safe:?}");
        RelPath::join("2023/07", &safe).unwrap_or_else(|e| panic!("{raw:?} → {safe:?}: {e}"));
        let tmp = dir.join("photo.part");
        fs::write(&tmp, raw.as_bytes()).unwrap();
        place_no_replace(&tmp, &dir.join(&safe)).unwrap_or_else(|e| panic!("{safe:?}: {e}"));
        assert_eq!(
            names_in(&dir),
            vec![safe.clone()],
            "the disk renamed {safe:?}"
        );
        assert_eq!(fs::read(dir.join(&safe)).unwrap(), raw.as_bytes());
    }
}

#[test]
fn reserved_names_are_recognised_with_any_extension_and_case() {
    for n in [
        "CON",
        "con.jpg",
        "Aux.tar.gz",
        "nul ",
        "COM1.jpg",
        "lpt9",
        "COM¹.png",
    ] {
        assert!(is_reserved_on_windows(n), "{n:?}");
        assert!(!is_reserved_on_windows(&safe_name(n)), "{n:?}");
    }
    for n in ["CONS.jpg", "aux_1.jpg", "COM10.jpg", "LPT.jpg", "console"] {
        assert!(!is_reserved_on_windows(n), "{n:?}");
    }
}

/// Two names one letter-case apart are one file on NTFS and APFS: the second never replaces
/// the first. (On a case-sensitive disk both are files; the library itself never gives both
/// names in one folder, by `fold_key`.)
#[test]
fn a_case_only_clash_never_replaces_the_first_file() {
    let t = tempfile::tempdir().unwrap();
    let first = t.path().join("IMG_1.JPG");
    let tmp = t.path().join("a.part");
    fs::write(&tmp, b"first").unwrap();
    place_no_replace(&tmp, &first).unwrap();
    fs::write(&tmp, b"second").unwrap();
    let second = t.path().join("img_1.jpg");
    assert_eq!(fold_key("IMG_1.JPG"), fold_key("img_1.jpg"));
    match place_no_replace(&tmp, &second) {
        // A case-insensitive disk (Windows, and Wine over a Linux disk; most Macs): the other
        // case finds the first file, which stays as it was.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            assert_eq!(fs::read(&second).unwrap(), b"first", "{e}");
            assert_eq!(fs::read(&first).unwrap(), b"first");
            assert_eq!(names_in(t.path()), vec!["IMG_1.JPG", "a.part"]);
        }
        Err(e) => panic!("{e}"),
        // A case-sensitive disk (Linux): two files.
        Ok(()) => {
            assert_eq!(names_in(t.path()), vec!["IMG_1.JPG", "img_1.jpg"]);
            assert_eq!(fs::read(&first).unwrap(), b"first");
            assert_eq!(fs::read(&second).unwrap(), b"second");
        }
    }
}

/// A library a few folders deep with the longest names Shoebox gives is past Windows' classic
/// 260-character limit; the standard library's `\\?\` paths must still reach it.
#[test]
fn paths_past_260_characters_work() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("a".repeat(60)).join("b".repeat(60));
    let name = safe_name(&format!("{}.JPG", "x".repeat(400)));
    assert_eq!(name.len(), MAX_NAME_BYTES);
    let rel = RelPath::join("2023/07", &name).unwrap();
    let path = rel.under(&root);
    assert!(path.as_os_str().len() > 260, "{}", path.display());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, b"long").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"long");
    assert_eq!(names_in(path.parent().unwrap()), vec![name]);
}

/// Paths a store or another device can send that would leave the library or read differently
/// on Windows are refused before they reach the disk.
#[test]
fn windows_readings_of_a_path_are_refused() {
    for p in [
        "originals/2023/07/a\\..\\..\\x.jpg",
        "originals/2023/07/C:x.jpg",
        "C:/originals/x.jpg",
        "originals/2023/07/aux.jpg",
        "originals/2023/07/photo.",
        "originals/2023/07/photo ",
        "originals/2023/07/x.jpg:stream",
        "originals/2023/CON/x.jpg",
    ] {
        assert!(RelPath::parse(p).is_err(), "{p:?}");
    }
}

/// A path another device announces with a name only some disks hold is made portable one
/// component at a time; one that could lead elsewhere stays refused.
#[test]
fn an_announced_path_is_made_portable_or_refused() {
    for (p, want) in [
        ("originals/2023/07/IMG_1.JPG", "originals/2023/07/IMG_1.JPG"),
        ("originals/2023/07/aux.jpg", "originals/2023/07/_aux.jpg"),
        ("originals/2023/07./x.jpg.", "originals/2023/07/x.jpg"),
        ("originals/2023/CON/a?.jpg", "originals/2023/_CON/a_.jpg"),
    ] {
        let (got, why) = RelPath::portable(p).unwrap();
        assert_eq!(got.as_str(), want);
        assert_eq!(why.is_some(), p != want, "{p}");
    }
    for p in [
        "originals/../shoebox.json",
        "originals/2023/07/a\\b.jpg",
        "/originals/x.jpg",
        "thumbs/aux.jpg",
        "originals/2023//x.jpg",
    ] {
        assert!(RelPath::portable(p).is_err(), "{p}");
    }
}
