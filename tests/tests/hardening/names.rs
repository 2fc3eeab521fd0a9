//! Names: case and Unicode normalisation, a case-insensitive disk, Windows' reserved names.

use super::*;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

pub(crate) fn fold(s: &str) -> String {
    shoebox_layout::fold_key(s)
}

/// Finding 2: `IMG_1.JPG` and `img_1.jpg` (or NFC and NFD `é`) in one month looked free to each
/// other; on APFS or NTFS the second rename replaced the first original. Now no two names in a
/// folder fold to the same key, whatever the disk, and every original keeps its bytes.
#[test]
pub(crate) fn names_differing_only_in_case_or_normalisation_get_distinct_places() {
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("lib");
    let names = [
        "IMG_1.JPG",
        "img_1.jpg",
        "Img_1.Jpg",
        "\u{e9}t\u{e9}.jpg",
        "e\u{301}te\u{301}.jpg",
    ];
    let mut expect = Vec::new();
    for (i, name) in names.iter().enumerate() {
        // Separate folders: the names really are different files on this disk.
        let d = t.path().join(format!("src{i}"));
        std::fs::create_dir_all(&d).unwrap();
        let bytes = Jpeg::new(32, 24)
            .seed(i as u64 + 1)
            .taken("2023:07:01 12:00:00", None)
            .write(&d.join(name));
        expect.push(blake3::hash(&bytes).to_hex().to_string());
    }
    let mut c = shoebox(&lib, &["import", "--json"]);
    for i in 0..names.len() {
        c.arg(t.path().join(format!("src{i}")));
    }
    let r = json(&mut c, 0);
    assert_eq!(r["imported"].as_array().unwrap().len(), names.len(), "{r}");
    let month = lib.join("originals/2023/07");
    let placed: Vec<String> = std::fs::read_dir(&month)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let keys: HashSet<String> = placed.iter().map(|n| fold(n)).collect();
    assert_eq!(
        keys.len(),
        names.len(),
        "names that one disk would merge: {placed:?}"
    );
    let got: HashSet<String> = placed.iter().map(|n| hash_of(&month.join(n))).collect();
    assert_eq!(
        got,
        expect.into_iter().collect(),
        "every original kept its bytes"
    );
}

/// Finding 2 on a real case-insensitive file system: NTFS through ntfs-3g with `ignore_case`
/// (FIELD-NOTES: vfat and ext4 casefold cannot be mounted on these machines). The library lives
/// on it; two imports of same-named photos differing in case keep both originals.
#[test]
pub(crate) fn on_a_real_case_insensitive_disk_no_original_is_replaced() {
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("nt.img");
    let mnt = t.path().join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let ok = |c: &mut Command| c.status().map(|s| s.success()).unwrap_or(false);
    assert!(
        ok(Command::new("truncate").args(["-s", "64M"]).arg(&img)),
        "truncate"
    );
    assert!(
        ok(Command::new("mkntfs").args(["-q", "-F", "-f"]).arg(&img)),
        "mkntfs (Debian package ntfs-3g, installed by scripts/setup.sh) is needed"
    );
    assert!(
        ok(Command::new("lowntfs-3g")
            .arg("-o")
            .arg("ignore_case,windows_names")
            .arg(&img)
            .arg(&mnt)),
        "mounting NTFS with lowntfs-3g needs root and /dev/fuse"
    );
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("fusermount").arg("-u").arg(&self.0).status();
        }
    }
    let _u = Unmount(mnt.clone());
    // It really is case-insensitive.
    std::fs::write(mnt.join("probe.JPG"), b"x").unwrap();
    assert!(mnt.join("PROBE.jpg").exists());
    std::fs::remove_file(mnt.join("probe.JPG")).unwrap();

    let lib = mnt.join("lib");
    let mut expect = HashSet::new();
    for (i, name) in ["IMG_1.JPG", "img_1.jpg", "CON.jpg"].iter().enumerate() {
        let d = t.path().join(format!("src{i}"));
        std::fs::create_dir_all(&d).unwrap();
        let bytes = Jpeg::new(32, 24)
            .seed(40 + i as u64)
            .taken("2023:07:01 12:00:00", None)
            .write(&d.join(name));
        expect.insert(blake3::hash(&bytes).to_hex().to_string());
        // One import each, then both in one batch below: both paths of the code.
        if i == 0 {
            json(shoebox(&lib, &["import", "--json"]).arg(&d), 0);
        }
    }
    json(
        shoebox(&lib, &["import", "--json"])
            .arg(t.path().join("src1"))
            .arg(t.path().join("src2")),
        0,
    );
    let month = lib.join("originals/2023/07");
    let got: HashSet<String> = std::fs::read_dir(&month)
        .unwrap()
        .map(|e| hash_of(&e.unwrap().path()))
        .collect();
    assert_eq!(
        got, expect,
        "an original was replaced on a case-insensitive disk"
    );
}

/// Finding 3: names Windows cannot hold are made safe on import (and refused as store keys).
#[test]
pub(crate) fn windows_reserved_names_are_renamed_on_import() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for (i, n) in ["CON.jpg", "nul", "a:b.jpg", "com1.JPG", "trail. .jpg."]
        .iter()
        .enumerate()
    {
        Jpeg::new(32, 24)
            .seed(70 + i as u64)
            .taken("2023:07:01 12:00:00", None)
            .write(&src.join(n));
    }
    let lib = t.path().join("lib");
    let mut c = shoebox(&lib, &["import", "--json"]);
    c.arg(&src);
    // `nul` has no extension and `trail. .jpg.` ends in a dot: whatever the rules skip is
    // accounted for; what is placed has a portable name.
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let month = lib.join("originals/2023/07");
    for e in std::fs::read_dir(&month).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        assert_eq!(
            shoebox_layout::name_problem(&n),
            None,
            "{n:?} is not a portable name"
        );
    }
    assert!(month.join("_CON.jpg").exists());
    assert!(month.join("a_b.jpg").exists());
    assert!(month.join("_com1.JPG").exists());
}
