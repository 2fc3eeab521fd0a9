//! A store under stress: kill -9 during backup and restore, and a proxy that injects 5xx, 429,
//! resets and stalls between Shoebox and a real S3 server.

use serde_json::Value;
use shoebox_tests::proxy::{self, Mode};
use shoebox_tests::servers::Server;
use shoebox_tests::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn sb(home: &Path, lib: &Path, args: &[&str]) -> Command {
    let mut c = shoebox(lib, args);
    c.env("HOME", home.join("home"))
        .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
    c
}

fn library(root: &Path, n: u64) -> PathBuf {
    let src = root.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..n {
        let px: Vec<u8> = {
            let mut r = fastrand::Rng::with_seed(i);
            (0..400 * 300 * 3).map(|_| r.u8(..)).collect()
        };
        Jpeg::new(400, 300)
            .pixels(px)
            .taken(&format!("2023:0{}:01 10:00:00", 1 + i % 9), None)
            .write(&src.join(format!("IMG_{i:04}.JPG")));
    }
    let lib = root.join("lib");
    json(sb(root, &lib, &["import", "--json"]).arg(&src), 0);
    run_ok(&mut sb(root, &lib, &["target", "remove", "local"]), 0);
    lib
}

fn add_target(root: &Path, lib: &Path, name: &str, s: &Server, bucket: Option<&str>) {
    let mut c = sb(root, lib, &["target", "add", name]);
    let mut args = s.cli_args();
    if let Some(b) = bucket {
        for a in args.iter_mut() {
            if a.starts_with("bucket=") {
                *a = format!("bucket={b}");
            }
        }
    }
    c.args(args);
    run_ok(&mut c, 0);
}

fn kill_after(mut cmd: Command, delay: Duration) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

/// Every object under `originals/` on the store is whole: it hashes to a photo we imported.
fn no_partial_objects(dir: &Path, hashes: &[String]) {
    if !dir.exists() {
        return;
    }
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            no_partial_objects(&p, hashes);
        } else if !p.file_name().unwrap().to_string_lossy().starts_with('.') {
            assert!(
                hashes.contains(&hash_of(&p)),
                "{} is not a whole original",
                p.display()
            );
        }
    }
}

fn kill_9_during_backup_and_restore(make: fn() -> Server, runs: usize) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let lib = library(root, 12);
    let assets = json(&mut sb(root, &lib, &["ls", "--json"]), 0);
    let hashes: Vec<String> = assets
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["hash"].as_str().unwrap().to_owned())
        .collect();
    let server = make();
    let is_s3 = server.scheme == "s3";

    // A full backup's length, to spread the kills over it.
    add_target(root, &lib, "probe", &server, None);
    let start = Instant::now();
    json(
        &mut sb(root, &lib, &["backup", "--json", "--target", "probe"]),
        0,
    );
    let full = start.elapsed();
    let mut rng = fastrand::Rng::with_seed(0xbac_c0de);
    for run in 0..runs {
        let name = format!("k{run}");
        let bucket = format!("k{run}");
        if is_s3 {
            std::fs::create_dir_all(server.backing.parent().unwrap().join(&bucket)).unwrap();
            std::thread::sleep(Duration::from_millis(700)); // past rclone's directory cache
        }
        let s = if is_s3 { None } else { Some(make()) };
        let srv = s.as_ref().unwrap_or(&server);
        add_target(root, &lib, &name, srv, is_s3.then_some(bucket.as_str()));
        let backing = if is_s3 {
            server.backing.parent().unwrap().join(&bucket)
        } else {
            srv.backing.clone()
        };
        let delay = Duration::from_micros(rng.u64(0..full.as_micros() as u64 + 1));
        kill_after(sb(root, &lib, &["backup", "--target", &name]), delay);
        no_partial_objects(&backing.join("originals"), &hashes);
        json(
            &mut sb(
                root,
                &lib,
                &["verify", "--deep", "--json", "--target", &name],
            ),
            0,
        );
        let b = json(
            &mut sb(root, &lib, &["backup", "--json", "--target", &name]),
            0,
        );
        assert_eq!(
            b["targets"][0]["failed"].as_array().unwrap().len(),
            0,
            "{b}"
        );
        json(
            &mut sb(
                root,
                &lib,
                &["verify", "--deep", "--json", "--target", &name],
            ),
            0,
        );
        no_partial_objects(&backing.join("originals"), &hashes);

        // Restore, killed part way, then resumed.
        let dest = root.join(format!("restored{run}"));
        let mut c = sb(root, &lib, &["restore", "--target", &name, "--to"]);
        c.arg(&dest);
        kill_after(
            c,
            Duration::from_micros(rng.u64(0..full.as_micros() as u64 + 1)),
        );
        let mut c = sb(
            root,
            &lib,
            &["restore", "--json", "--target", &name, "--to"],
        );
        c.arg(&dest);
        let r = json(&mut c, 0);
        assert!(r["failed"].as_array().unwrap().is_empty(), "{r}");
        assert_eq!(
            json(&mut sb(root, &dest, &["check", "--json"]), 0)["ok"],
            12,
            "run {run}"
        );
        run_ok(&mut sb(root, &lib, &["target", "remove", &name]), 0);
    }
}

#[test]
fn kill_9_during_backup_and_restore_fs() {
    kill_9_during_backup_and_restore(Server::fs, 10);
}

#[test]
fn kill_9_during_backup_and_restore_s3() {
    kill_9_during_backup_and_restore(Server::rclone_s3, 10);
}

#[test]
fn backups_through_a_flaky_link_complete_and_report_only_what_arrived() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let lib = library(root, 10);
    let s3 = Server::rclone_s3();
    let upstream: u16 = s3
        .opt("endpoint")
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let p = proxy::start(upstream, Mode::Flaky(42));
    let mut c = sb(
        root,
        &lib,
        &[
            "target",
            "add",
            "flaky",
            "--scheme",
            "s3",
            "--opt",
            &format!("endpoint=http://127.0.0.1:{}", p.port),
            "--opt",
            "bucket=photos",
        ],
    );
    c.args([
        "--secret",
        "access_key_id=AKTEST",
        "--secret",
        "secret_access_key=SKTEST",
    ]);
    run_ok(&mut c, 0);
    let b = json(&mut sb(root, &lib, &["backup", "--json"]), 0);
    let r = &b["targets"][0];
    assert!(r["failed"].as_array().unwrap().is_empty(), "{b}");
    let faults = p.faults.load(Ordering::Relaxed);
    eprintln!(
        "{} requests through the proxy, {faults} faults injected",
        p.requests.load(Ordering::Relaxed)
    );
    assert!(faults > 3, "the proxy did inject faults");
    // Everything reported uploaded is on the store, whole.
    for k in r["uploaded"].as_array().unwrap() {
        let k = k.as_str().unwrap();
        assert!(
            s3.backing.join(k).is_file(),
            "{k} reported uploaded but not on the store"
        );
    }
    let a = json(&mut sb(root, &lib, &["ls", "--json"]), 0);
    for (asset, key) in a.as_array().unwrap().iter().zip(store_keys_of(&a)) {
        assert_eq!(
            hash_of(&s3.backing.join(key)),
            asset["hash"].as_str().unwrap()
        );
    }
}

#[test]
fn a_403_fails_fast_with_a_clear_message() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let lib = library(root, 2);
    let p = proxy::start(1, Mode::Forbidden);
    let mut c = sb(
        root,
        &lib,
        &[
            "target",
            "add",
            "denied",
            "--scheme",
            "s3",
            "--opt",
            &format!("endpoint=http://127.0.0.1:{}", p.port),
            "--opt",
            "bucket=photos",
        ],
    );
    c.args([
        "--secret",
        "access_key_id=AK",
        "--secret",
        "secret_access_key=SK",
    ]);
    run_ok(&mut c, 0);
    let start = Instant::now();
    let out = run_ok(&mut sb(root, &lib, &["backup"]), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("access denied"), "{text}");
    assert_eq!(
        p.requests.load(Ordering::Relaxed),
        1,
        "a 403 is not retried"
    );
    eprintln!("failed in {:?}", start.elapsed());
    let st = json(&mut sb(root, &lib, &["status", "--json"]), 0);
    let v: &Value = &st["targets"][0];
    assert!(
        v["last_error"].as_str().unwrap().contains("access denied"),
        "{v}"
    );
    assert_eq!(v["pending_uploads"], 2);
}

#[test]
fn a_big_video_goes_up_in_parts_and_is_verified() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    // 70 MB: above the 64 MB from which S3 uploads are multipart.
    let mut bytes = std::fs::read(data_dir().join("sample.mp4")).unwrap();
    let pad = 70 << 20;
    bytes.extend_from_slice(&((pad + 8) as u32).to_be_bytes());
    bytes.extend_from_slice(b"free");
    let mut r = fastrand::Rng::with_seed(9);
    bytes.extend((0..pad).map(|_| r.u8(..)));
    let src = root.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("VID_20230102_123456.mp4"), &bytes).unwrap();
    let lib = root.join("lib");
    json(sb(root, &lib, &["import", "--json"]).arg(&src), 0);
    run_ok(&mut sb(root, &lib, &["target", "remove", "local"]), 0);
    let s3 = Server::rclone_s3();
    add_target(root, &lib, "s3", &s3, None);
    let b = json(&mut sb(root, &lib, &["backup", "--json"]), 0);
    assert!(
        b["targets"][0]["failed"].as_array().unwrap().is_empty(),
        "{b}"
    );
    let a = json(&mut sb(root, &lib, &["ls", "--json"]), 0);
    let key = &store_keys_of(&a)[0];
    assert_eq!(
        hash_of(&s3.backing.join(key)),
        blake3::hash(&bytes).to_hex().to_string()
    );
    json(&mut sb(root, &lib, &["verify", "--deep", "--json"]), 0);
}
