//! The review's findings (issue 12), each reproduced: paths from a catalog never leave the
//! library, decoder panics stay with their file, names never collide on case-insensitive disks,
//! Windows names are made safe, and debug logs hold no secret.

use serde_json::Value;
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn sb(home: &Path, lib: &Path, args: &[&str]) -> Command {
    let mut c = shoebox(lib, args);
    c.env("HOME", home)
        .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
    c
}

fn sources(r: &Value, key: &str) -> HashSet<String> {
    r[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x.get("source")
                .or(x.get("path"))
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Finding 1: a catalog row whose path climbs out of the library (as a restored snapshot could
/// hold) is never written by `verify --repair`, read by `check`, or served.
#[test]
fn a_catalog_path_outside_the_library_is_never_written() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..2 {
        Jpeg::new(64, 48)
            .seed(i)
            .taken("2023:07:01 12:00:00", None)
            .write(&src.join(format!("IMG_{i}.JPG")));
    }
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);
    json(&mut sb(&home, &lib, &["backup", "--json"]), 0);

    // Someone's file beside the library that a hostile row points at.
    let victim = t.path().join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    {
        let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
        db.execute(
            "UPDATE assets SET path = '../victim.txt' WHERE path LIKE '%IMG_0.JPG'",
            [],
        )
        .unwrap();
    }
    let out = run_bounded(
        {
            let mut c = sb(&home, &lib, &["verify", "--repair", "--json"]);
            c.stdin(Stdio::null());
            c
        },
        Duration::from_secs(120),
    );
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        b"precious",
        "verify --repair wrote outside the library: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("outside the library"), "{text}");
    let check = json(&mut sb(&home, &lib, &["check", "--json"]), 1);
    assert!(
        check["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "unsafe" && p["path"] == "../victim.txt"),
        "{check}"
    );
}

/// Finding 0: a tiled, planar TIFF made the `tiff` decoder panic and the whole import exit 101.
/// Now that file is rejected with a reason and the rest is imported.
#[test]
fn a_decoder_panic_rejects_one_file_and_the_import_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut odd = Vec::new();
    // Tiles that do not divide the image, in every planar/chunky and depth combination.
    for (i, (planar, bits, samples)) in [(2, 8, 3), (2, 16, 3), (2, 8, 4), (1, 8, 3), (2, 8, 1)]
        .into_iter()
        .enumerate()
    {
        let mut l = TiffLayout::rgb(20, 20);
        l.planar = planar;
        l.bits = bits;
        l.samples = samples;
        l.tile = Some((16, 16));
        let p = src.join(format!("tiled-{i}.tif"));
        std::fs::write(&p, tiff_with(l, i as u64)).unwrap();
        odd.push(p);
    }
    Jpeg::new(64, 48)
        .taken("2023:07:01 12:00:00", None)
        .write(&src.join("good.jpg"));
    let lib = t.path().join("lib");
    let mut c = shoebox(&lib, &["import", "--json"]);
    c.arg(&src);
    let out = run_bounded(c, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "the import crashed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let imported = sources(&r, "imported");
    let rejected = sources(&r, "rejected");
    assert!(
        imported.contains(&src.join("good.jpg").display().to_string()),
        "{r}"
    );
    for p in &odd {
        let p = p.display().to_string();
        assert!(
            imported.contains(&p) || rejected.contains(&p),
            "{p} not accounted for: {r}"
        );
    }
    // Every rejection says why; at least one of these layouts crashes the decoder (the
    // review's finding), and that is said as such.
    for x in r["rejected"].as_array().unwrap() {
        assert!(!x["reason"].as_str().unwrap().is_empty(), "{x}");
    }
    for x in r["rejected"].as_array().unwrap() {
        eprintln!("{}: {}", x["path"], x["reason"]);
    }
    assert!(
        r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["reason"].as_str().unwrap().contains("decoder crashed")),
        "no layout made a decoder panic; this test no longer covers the finding: {r}"
    );
}

/// Finding 0, continued: malformed variants of every supported still format (odd TIFF layouts,
/// declared compressions over raw data, huge tile counts, truncations and bit flips) go through
/// one import: every file accounted for, no crash, no hang, memory bounded.
#[test]
fn malformed_variants_of_every_format_go_through_import_within_bounds() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let mut rng = fastrand::Rng::with_seed(12);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut n = 0;
    for planar in [1u16, 2] {
        for bits in [1u16, 4, 8, 12, 16, 32] {
            for samples in [1u16, 3, 4] {
                for tile in [None, Some((16, 16)), Some((48, 32))] {
                    for compression in [1u16, 5, 7, 8, 32773] {
                        if rng.u8(..) > 60 {
                            continue;
                        }
                        let l = TiffLayout {
                            width: 37,
                            height: 21,
                            samples,
                            bits,
                            planar,
                            tile,
                            rows_per_strip: 7,
                            compression,
                        };
                        n += 1;
                        files.push((format!("layout-{n}.tif"), tiff_with(l, n)));
                    }
                }
            }
        }
    }
    // Huge declared sizes and tile counts over a few bytes.
    files.push(("huge-claims.tif".into(), {
        let mut v = tiff_with(TiffLayout::rgb(8, 8), 2);
        // ImageWidth and ImageLength are the first two entries: claim 60000 × 60000.
        let ifd = u32::from_le_bytes(v[4..8].try_into().unwrap()) as usize;
        v[ifd + 2 + 8..ifd + 2 + 12].copy_from_slice(&60000u32.to_le_bytes());
        v[ifd + 14 + 8..ifd + 14 + 12].copy_from_slice(&60000u32.to_le_bytes());
        v
    }));
    // Every other still format, made by the image crate, then cut and flipped.
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
    let mut encoded: Vec<(&str, Vec<u8>)> = vec![("jpg", Jpeg::new(40, 30).bytes())];
    for (ext, fmt) in [
        ("png", image::ImageFormat::Png),
        ("gif", image::ImageFormat::Gif),
        ("webp", image::ImageFormat::WebP),
        ("tif", image::ImageFormat::Tiff),
    ] {
        let mut c = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img.clone())
            .write_to(&mut c, fmt)
            .unwrap();
        encoded.push((ext, c.into_inner()));
    }
    encoded.push((
        "heic",
        std::fs::read(data_dir().join("sample.heic")).unwrap(),
    ));
    for (ext, good) in &encoded {
        for (i, cut) in [8usize, 30, 100, good.len() / 3, good.len() - 3]
            .into_iter()
            .enumerate()
        {
            files.push((
                format!("cut-{i}.{ext}"),
                good[..cut.min(good.len())].to_vec(),
            ));
        }
        for i in 0..12 {
            let mut v = good.clone();
            for _ in 0..1 + i % 4 {
                let at = rng.usize(..v.len());
                v[at] ^= 1 << rng.u8(..8);
            }
            files.push((format!("flip-{i}.{ext}"), v));
        }
    }
    for (name, bytes) in &files {
        std::fs::write(src.join(name), bytes).unwrap();
    }
    let lib = t.path().join("lib");
    let mut c = shoebox(&lib, &["import", "--json"]);
    c.arg(&src);
    let out = run_bounded(c, Duration::from_secs(600));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "import failed as a whole: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let all: HashSet<String> = ["imported", "duplicates", "skipped", "rejected"]
        .iter()
        .flat_map(|k| sources(&r, k))
        .collect();
    for (name, _) in &files {
        let p = src.join(name).display().to_string();
        assert!(all.contains(&p), "{name} not accounted for");
    }
    let rss = peak_rss_of_children_bytes();
    assert!(
        rss < 1536 << 20,
        "peak memory of the import was {} MiB",
        rss >> 20
    );
    eprintln!(
        "{} malformed files: {} imported, {} rejected; peak RSS {} MiB",
        files.len(),
        r["imported"].as_array().unwrap().len(),
        r["rejected"].as_array().unwrap().len(),
        rss >> 20
    );
}

fn fold(s: &str) -> String {
    shoebox_layout::fold_key(s)
}

/// Finding 2: `IMG_1.JPG` and `img_1.jpg` (or NFC and NFD `é`) in one month looked free to each
/// other; on APFS or NTFS the second rename replaced the first original. Now no two names in a
/// folder fold to the same key, whatever the disk, and every original keeps its bytes.
#[test]
fn names_differing_only_in_case_or_normalisation_get_distinct_places() {
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
fn on_a_real_case_insensitive_disk_no_original_is_replaced() {
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
fn windows_reserved_names_are_renamed_on_import() {
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

/// Finding 4: with `SHOEBOX_LOG=trace` nothing logs a store secret (S3 signing, WebDAV
/// password, the services' "backend build" lines).
#[test]
fn trace_logs_hold_no_secret() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    Jpeg::new(32, 24)
        .taken("2023:07:01 12:00:00", None)
        .write(&src.join("a.jpg"));
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);
    for (name, server) in [
        ("s3", Server::rclone_s3()),
        ("dav", Server::rclone_webdav(false)),
        ("vault", Server::rclone_s3().encrypted()),
    ] {
        let mut secrets: Vec<String> = server.secrets.iter().map(|(_, v)| v.clone()).collect();
        // An encrypted store's password (the recovery code) is a secret too.
        secrets.extend(server.recovery_code.clone());
        assert!(!secrets.is_empty());
        let mut all_logs = String::new();
        let mut add = sb(&home, &lib, &["target", "add", name]);
        add.args(server.cli_args()).env("SHOEBOX_LOG", "trace");
        let o = add.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        all_logs += &String::from_utf8_lossy(&o.stderr);
        for args in [
            vec!["backup", "--target", name, "--json"],
            vec!["verify", "--target", name, "--deep", "--json"],
        ] {
            let o = sb(&home, &lib, &args)
                .env("SHOEBOX_LOG", "trace")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            all_logs += &String::from_utf8_lossy(&o.stderr);
        }
        assert!(
            all_logs.lines().count() > 5,
            "trace logging is on (got {} lines)",
            all_logs.lines().count()
        );
        for s in &secrets {
            assert!(
                !all_logs.contains(s.as_str()),
                "the {name} secret {s:?} is in the logs"
            );
        }
    }
}

/// Finding 8: another device's snapshot is opened as untrusted: one carrying a trigger Shoebox
/// never writes (a new one, or one of its own with another body) is refused and nothing is
/// restored from it.
#[test]
fn a_snapshot_with_a_planted_trigger_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    Jpeg::new(32, 24)
        .taken("2023:07:01 12:00:00", None)
        .write(&src.join("a.jpg"));
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);
    let s = Server::fs();
    let mut add = sb(&home, &lib, &["target", "add", "t"]);
    add.args(s.cli_args());
    run_ok(&mut add, 0);
    json(
        &mut sb(&home, &lib, &["backup", "--target", "t", "--json"]),
        0,
    );
    let cat_dir = std::fs::read_dir(s.backing.join("catalogs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut pointer: Value =
        serde_json::from_slice(&std::fs::read(cat_dir.join("latest.json")).unwrap()).unwrap();
    let snap = s.backing.join(pointer["snapshot"].as_str().unwrap());
    let clean = std::fs::read(&snap).unwrap();
    // A trigger of its own, and one of Shoebox's (the search index's) with another body.
    for (sql, named) in [
        (
            "CREATE TRIGGER evil AFTER UPDATE ON assets BEGIN DELETE FROM settings; END;",
            "trigger evil",
        ),
        (
            "DROP TRIGGER search_asset_new; CREATE TRIGGER search_asset_new AFTER INSERT ON assets \
             BEGIN DELETE FROM settings; END;",
            "trigger search_asset_new",
        ),
    ] {
        std::fs::write(&snap, &clean).unwrap();
        {
            let db = rusqlite::Connection::open(&snap).unwrap();
            db.execute_batch(sql).unwrap();
        }
        let bytes = std::fs::read(&snap).unwrap();
        pointer["blake3"] = blake3::hash(&bytes).to_hex().to_string().into();
        pointer["size"] = bytes.len().into();
        std::fs::write(
            cat_dir.join("latest.json"),
            serde_json::to_vec(&pointer).unwrap(),
        )
        .unwrap();
        let dest = t.path().join("restored");
        let mut c = sb(&home, &lib, &["restore", "--json", "--to"]);
        c.arg(&dest).args(s.cli_args());
        let o = c.output().unwrap();
        let text = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(text.contains(named), "{text}");
        assert!(
            !text.contains("search_asset_edit"),
            "Shoebox's own triggers pass: {text}"
        );
        assert!(!dest.join(".shoebox/catalog.db").exists());
    }
}

/// Runs `cmd` and returns its output with the peak RSS of that process alone (wait4), so the
/// store servers the test started do not count.
#[allow(unsafe_code)]
#[allow(clippy::zombie_processes)] // reaped by wait4, which clippy does not know
fn run_measured(mut cmd: Command) -> (std::process::Output, u64) {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut b = Vec::new();
        out.read_to_end(&mut b).unwrap();
        b
    });
    let e = std::thread::spawn(move || {
        let mut b = Vec::new();
        err.read_to_end(&mut b).unwrap();
        b
    });
    let mut status = 0;
    // SAFETY: wait4 writes only into the two out-parameters we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    use std::os::unix::process::ExitStatusExt;
    let output = std::process::Output {
        status: std::process::ExitStatus::from_raw(if code >= 0 { code << 8 } else { status }),
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    };
    (output, ru.ru_maxrss as u64 * 1024)
}

/// Finding 5: backup, verify --deep, repair and restore stream big originals: a 256 MB video
/// goes to a folder and to S3 and back with each process staying well below its size.
#[test]
fn big_originals_move_through_stores_with_bounded_memory() {
    const SIZE: usize = 256 << 20;
    const BOUND: u64 = 128 << 20;
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    // A real MP4 followed by a big `free` box: a valid file that is mostly padding. Written a
    // chunk at a time: a child's peak RSS starts at its parent's (fork copies the high-water
    // mark), so this process must stay small for the figures to mean anything.
    let want = {
        use std::io::Write;
        let head = std::fs::read(data_dir().join("sample.mp4")).unwrap();
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(src.join("VID_BIG.mp4")).unwrap());
        let mut h = blake3::Hasher::new();
        let mut put = |b: &[u8]| {
            h.update(b);
            f.write_all(b).unwrap();
        };
        put(&head);
        put(&((SIZE + 8) as u32).to_be_bytes());
        put(b"free");
        let mut rng = fastrand::Rng::with_seed(5);
        let mut chunk = vec![0u8; 1 << 20];
        for _ in 0..SIZE >> 20 {
            rng.fill(&mut chunk);
            put(&chunk);
        }
        f.flush().unwrap();
        h.finalize().to_hex().to_string()
    };
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);

    for (name, server) in [("disk", Server::fs()), ("s3", Server::rclone_s3())] {
        let mut add = sb(&home, &lib, &["target", "add", name]);
        add.args(server.cli_args());
        run_ok(&mut add, 0);
        let mut figures = Vec::new();
        // What each run said, shown if its peak is over the bound (seen once in CI, 2026-11-30:
        // an S3 backup at 259 MB, never again in 11 runs).
        let mut said = Vec::new();
        for args in [
            vec!["backup", "--target", name, "--json"],
            vec!["verify", "--target", name, "--deep", "--json"],
        ] {
            let (o, rss) = run_measured(sb(&home, &lib, &args));
            assert!(
                o.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            figures.push((args[0], rss));
            said.push(o);
        }
        let stored = std::fs::read_dir(server.backing.join("originals"))
            .unwrap()
            .count();
        assert!(stored > 0);

        // The library loses the original; repair fetches it back from this store.
        let placed = files_below(&lib.join("originals"));
        assert_eq!(placed.len(), 1);
        std::fs::remove_file(&placed[0]).unwrap();
        let (o, rss) = run_measured(sb(
            &home,
            &lib,
            &["verify", "--target", name, "--repair", "--json"],
        ));
        assert!(
            o.status.code().is_some(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Hashed as a stream: reading it whole would raise this process's RSS, which the
        // next child would inherit.
        let streamed = |p: &Path| shoebox_layout::hash_file(p).unwrap().into_string();
        assert_eq!(streamed(&placed[0]), want, "repaired byte for byte");
        figures.push(("repair", rss));
        said.push(o);

        let dest = t.path().join(format!("restored-{name}"));
        let mut c = sb(&home, &lib, &["restore", "--json", "--to"]);
        c.arg(&dest).args(server.cli_args());
        let (o, rss) = run_measured(c);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        figures.push(("restore", rss));
        said.push(o);
        let restored = files_below(&dest.join("originals"));
        assert_eq!(restored.len(), 1);
        assert_eq!(streamed(&restored[0]), want, "restored byte for byte");
        eprintln!(
            "{name}: peak RSS per process for a {} MB original: {}",
            SIZE >> 20,
            figures
                .iter()
                .map(|(k, v)| format!("{k} {} MB", v >> 20))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for ((k, v), o) in figures.into_iter().zip(&said) {
            assert!(
                v < BOUND,
                "{name} {k} peaked at {} MB; it said: {} {}",
                v >> 20,
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}
