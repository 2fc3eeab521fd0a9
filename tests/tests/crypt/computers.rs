//! Two computers on one encrypted store, and a kill -9 during an encrypted backup.

use super::*;
use std::path::Path;
use std::process::Command;

pub(crate) fn sb_home(home: &Path, lib: &Path, args: &[&str]) -> Command {
    let mut c = shoebox(lib, args);
    c.env("HOME", home)
        .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
    c
}

/// Two computers, A with three photos and B joined with A's recovery code, synced through an
/// encrypted folder store.
pub(crate) struct Vault {
    pub(crate) store: std::path::PathBuf,
    pub(crate) a_home: std::path::PathBuf,
    pub(crate) b_home: std::path::PathBuf,
    pub(crate) a: std::path::PathBuf,
    pub(crate) b: std::path::PathBuf,
    /// The recovery code, obscured as rclone.conf keeps it.
    pub(crate) obscured: String,
}

pub(crate) fn two_computers_on_a_vault(t: &Path) -> Vault {
    let store = t.join("vault");
    let (a_home, b_home) = (t.join("a-home"), t.join("b-home"));
    let (a, b) = (t.join("a-lib"), t.join("b-lib"));
    std::fs::create_dir_all(&a_home).unwrap();
    std::fs::create_dir_all(&b_home).unwrap();
    let root = format!("root={}", store.display());
    let out = run_ok(
        sb_home(
            &a_home,
            &a,
            &["target", "add", "shared", "--scheme", "fs", "--encrypt"],
        )
        .args(["--opt", &root]),
        0,
    );
    let (code, obscured) = recovery(&String::from_utf8_lossy(&out.stdout));
    let code_file = t.join("code.txt");
    std::fs::write(&code_file, &code).unwrap();
    run_ok(&mut sb_home(&a_home, &a, &["target", "remove", "local"]), 0);
    let src = t.join("a-src");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..3u64 {
        Jpeg::new(200, 150)
            .seed(40 + i)
            .write(&src.join(format!("A{i}.JPG")));
    }
    run_ok(sb_home(&a_home, &a, &["import"]).arg(&src), 0);
    run_ok(&mut sb_home(&a_home, &a, &["sync"]), 0);

    // The second computer joins with the recovery code.
    run_ok(
        sb_home(
            &b_home,
            &b,
            &["target", "add", "shared", "--scheme", "fs", "--encrypt"],
        )
        .arg("--passphrase-file")
        .arg(&code_file)
        .args(["--opt", &root]),
        0,
    );
    run_ok(&mut sb_home(&b_home, &b, &["target", "remove", "local"]), 0);
    run_ok(&mut sb_home(&b_home, &b, &["sync"]), 0);
    Vault {
        store,
        a_home,
        b_home,
        a,
        b,
        obscured,
    }
}

#[test]
pub(crate) fn two_computers_share_one_encrypted_store() {
    let t = tempfile::tempdir().unwrap();
    let Vault {
        store,
        a_home,
        b_home,
        a,
        b,
        ..
    } = two_computers_on_a_vault(t.path());
    // B has A's photos, originals on the store.
    let ls = json(&mut sb_home(&b_home, &b, &["ls", "--json"]), 0);
    let photos = ls.as_array().unwrap();
    assert_eq!(photos.len(), 3, "{ls}");
    assert!(photos.iter().all(|p| p["local"] == false));
    let hash = photos[0]["hash"].as_str().unwrap().to_owned();
    let got = json(&mut sb_home(&b_home, &b, &["fetch", "--json", &hash]), 0);
    let file = got["fetched"][0]["file"].as_str().unwrap().to_owned();
    let a_ls = json(&mut sb_home(&a_home, &a, &["ls", "--json"]), 0);
    let a_path = a_ls
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["hash"] == hash.as_str())
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        std::fs::read(file).unwrap(),
        std::fs::read(a.join(&a_path)).unwrap()
    );

    // Edits travel both ways through the encrypted change logs.
    run_ok(&mut sb_home(&b_home, &b, &["favourite", &hash]), 0);
    let bsrc = t.path().join("b-src");
    std::fs::create_dir_all(&bsrc).unwrap();
    Jpeg::new(200, 150).seed(77).write(&bsrc.join("B0.JPG"));
    run_ok(sb_home(&b_home, &b, &["import"]).arg(&bsrc), 0);
    run_ok(&mut sb_home(&b_home, &b, &["sync"]), 0);
    run_ok(&mut sb_home(&a_home, &a, &["sync"]), 0);
    let a_ls = json(&mut sb_home(&a_home, &a, &["ls", "--json"]), 0);
    let a_photos = a_ls.as_array().unwrap();
    assert_eq!(a_photos.len(), 4);
    assert!(
        a_photos
            .iter()
            .any(|p| p["hash"] == hash.as_str() && p["favourite"] == true)
    );
    let v = json(
        &mut sb_home(&a_home, &a, &["verify", "--deep", "--json"]),
        0,
    );
    assert_eq!(
        v["targets"][0]["problems"].as_array().unwrap().len(),
        0,
        "{v}"
    );
    scan_raw(&store, &["A0".into(), "B0".into()]);
}

#[test]
pub(crate) fn kill_9_during_an_encrypted_backup_loses_nothing() {
    let s = setup();
    let store = s.home.join("vault");
    for i in 0..40u64 {
        Jpeg::new(640, 480)
            .pixels(textured_pixels(640, 480, 300 + i, 40))
            .write(&s.src.join(format!("K{i:02}.JPG")));
    }
    run_ok(sb(&s, &s.lib, &["import"]).arg(&s.src), 0);
    run_ok(&mut add_vault(&s, &s.lib, &store), 0);
    run_ok(&mut sb(&s, &s.lib, &["target", "remove", "local"]), 0);
    let mut child = sb(&s, &s.lib, &["backup", "--target", "vault"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while files_below(&store).len() < 8 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the backup had ended before it could be killed: nothing was tested"
    );
    child.kill().unwrap();
    let _ = child.wait();
    run_ok(&mut sb(&s, &s.lib, &["backup", "--target", "vault"]), 0);
    let v = json(
        &mut sb(
            &s,
            &s.lib,
            &["verify", "--target", "vault", "--deep", "--json"],
        ),
        0,
    );
    assert_eq!(
        v["targets"][0]["problems"].as_array().unwrap().len(),
        0,
        "{v}"
    );
    assert_eq!(
        v["targets"][0]["objects_read_back"],
        v["targets"][0]["objects"]
    );
}
