//! HEIC decoding runs in `shoebox-heif`, a program of its own: its answers are read with
//! suspicion, its crash or a wrong answer costs one file with a reason, and without it HEIC
//! photos still import, with their metadata and no preview.

use serde_json::Value;
use shoebox_tests::*;
use std::path::{Path, PathBuf};

/// A stand-in decoder: a shell script that answers `--version` and then does `body`.
fn fake_decoder(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!("#!/bin/sh\n[ \"$1\" = --version ] && exit 0\ncat >/dev/null\n{body}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn import_heic(t: &Path, decoder: Option<&Path>) -> Value {
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(data_dir().join("sample.heic"), src.join("IMG_1234.HEIC")).unwrap();
    let lib = t.join("lib");
    let mut cmd = shoebox(&lib, &["import", "--json"]);
    cmd.arg(&src);
    if let Some(d) = decoder {
        cmd.env("SHOEBOX_HEIF", d);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

fn rejection(report: &Value) -> String {
    assert_eq!(report["counts"]["imported"], 0, "{report}");
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{report}");
    rejected[0]["reason"].as_str().unwrap().to_owned()
}

#[test]
fn heic_is_decoded_by_its_own_program() {
    let t = tempfile::tempdir().unwrap();
    let report = import_heic(t.path(), None);
    assert_eq!(report["counts"]["imported"], 1, "{report}");
    let lib = t.path().join("lib");
    let assets = json(&mut shoebox(&lib, &["ls", "--json"]), 0);
    let heic = &assets[0];
    assert_eq!(heic["has_thumbnail"], true, "{heic}");
    // The preview is the picture, at its size (96×64: smaller than every thumbnail size).
    let thumb = files_below(&lib.join(".shoebox/thumbs"))
        .into_iter()
        .find(|p| p.to_string_lossy().contains("-1440"))
        .expect("a 1440 preview");
    let img = image::open(&thumb).unwrap().into_rgb8();
    assert_eq!(img.dimensions(), (96, 64));
    // Asked for less, the decoder shrinks the picture before sending it (`--fit`).
    let out = t.path().join("out");
    let hash = heic["hash"].as_str().unwrap();
    let r = json(
        &mut shoebox(
            &lib,
            &[
                "export",
                "--json",
                "--size",
                "64",
                "--to",
                out.to_str().unwrap(),
                hash,
            ],
        ),
        0,
    );
    assert_eq!(r["exported"].as_array().map(Vec::len), Some(1), "{r}");
    let small = image::open(out.join("IMG_1234.jpg")).unwrap();
    assert_eq!((small.width(), small.height()), (64, 43));
    let status = run_ok(&mut shoebox(&lib, &["status"]), 0);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("HEIC yes"),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    // `shoebox` itself no longer links libheif or its codecs.
    let ldd = std::process::Command::new("ldd")
        .arg(shoebox_bin())
        .output()
        .unwrap();
    let libs = String::from_utf8_lossy(&ldd.stdout);
    assert!(!libs.contains("libde265"), "{libs}");
}

#[test]
fn a_crashing_decoder_costs_one_file_with_a_reason() {
    let t = tempfile::tempdir().unwrap();
    let d = fake_decoder(t.path(), "segv", "kill -SEGV $$");
    let reason = rejection(&import_heic(t.path(), Some(&d)));
    assert!(
        reason.contains("crashed") && reason.contains("signal"),
        "{reason}"
    );
}

#[test]
fn a_decoder_answer_that_lies_is_refused() {
    for (name, body, want) in [
        // Too short for the size it states.
        (
            "short",
            r"printf 'SBH1\140\0\0\0\100\0\0\0abc'",
            "cut short",
        ),
        // Not its answer at all.
        ("junk", "echo hello", "cut short"),
        // A size above the decoding limit, whatever follows.
        (
            "huge",
            r"printf 'SBH1\377\377\0\0\377\377\0\0'",
            "above the limit",
        ),
        // libheif's refusal is passed on.
        (
            "refused",
            "echo 'Invalid input: No ftyp box' >&2; exit 2",
            "No ftyp box",
        ),
        // The decoder's own size check.
        ("toolarge", "echo '60000 60000' >&2; exit 3", "3600 MP"),
    ] {
        let t = tempfile::tempdir().unwrap();
        let d = fake_decoder(t.path(), name, body);
        let reason = rejection(&import_heic(t.path(), Some(&d)));
        assert!(reason.contains(want), "{name}: {reason}");
    }
}

#[test]
fn without_its_decoder_heic_imports_without_a_preview() {
    let t = tempfile::tempdir().unwrap();
    // `shoebox` in a folder of its own, with no `shoebox-heif` beside it or on PATH.
    let bin = t.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let alone = bin.join("shoebox");
    if std::fs::hard_link(shoebox_bin(), &alone).is_err() {
        std::fs::copy(shoebox_bin(), &alone).unwrap();
    }
    let src = t.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(data_dir().join("sample.heic"), src.join("IMG_1234.HEIC")).unwrap();
    let lib = t.path().join("lib");
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(&alone);
        c.arg("--library")
            .arg(&lib)
            .args(args)
            .env_remove("SHOEBOX_HEIF")
            .env("PATH", "/usr/bin:/bin");
        c
    };
    let report = json(run(&["import", "--json"]).arg(&src), 0);
    assert_eq!(report["counts"]["imported"], 1, "{report}");
    let assets = json(&mut run(&["ls", "--json"]), 0);
    assert_eq!(assets[0]["has_thumbnail"], false, "{}", assets[0]);
    assert_eq!(
        assets[0]["model"], "iPhone 13",
        "metadata is read without it"
    );
    let status = run_ok(&mut run(&["status"]), 0);
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("shoebox-heif"), "{status}");
}
