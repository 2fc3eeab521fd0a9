//! Encrypted targets (`target add … --encrypt`): the store holds nothing readable but its
//! public marker, the real `rclone` with a crypt remote and the printed config lines reads every
//! original byte for byte, a restore brings everything back, and a wrong password, an
//! unencrypted target on an encrypted store, an encrypted target on a plain one, and a flipped
//! byte are each refused or named.

use shoebox_tests::*;
use std::path::Path;
use std::process::Command;
mod computers;
mod password;

struct Setup {
    _t: tempfile::TempDir,
    home: std::path::PathBuf,
    lib: std::path::PathBuf,
    src: std::path::PathBuf,
}

fn setup() -> Setup {
    let t = tempfile::tempdir().unwrap();
    let s = Setup {
        home: t.path().join("home"),
        lib: t.path().join("lib"),
        src: t.path().join("src"),
        _t: t,
    };
    std::fs::create_dir_all(&s.home).unwrap();
    std::fs::create_dir_all(&s.src).unwrap();
    for i in 0..4u64 {
        Jpeg::new(320, 240)
            .seed(900 + i)
            .taken("2024:07:14 10:00:00", None)
            .write(&s.src.join(format!("Holiday_{i}.JPG")));
    }
    // More than one 64 KiB chunk, and not a whole number of them.
    let big = Jpeg::new(1200, 900)
        .pixels(textured_pixels(1200, 900, 5, 60))
        .write(&s.src.join("Big.JPG"));
    assert!(big.len() > 3 * 65536 && !big.len().is_multiple_of(65536));
    s
}

fn sb(s: &Setup, lib: &Path, args: &[&str]) -> Command {
    let mut c = shoebox(lib, args);
    c.env("HOME", &s.home)
        .env("SHOEBOX_SECRETS_FILE", s.home.join("secrets.json"));
    c
}

/// `target add vault --scheme fs --encrypt --opt root=STORE` for `lib`, to be run.
fn add_vault(s: &Setup, lib: &Path, store: &Path) -> Command {
    let mut c = sb(
        s,
        lib,
        &[
            "target",
            "add",
            "vault",
            "--scheme",
            "fs",
            "--encrypt",
            "--opt",
        ],
    );
    c.arg(format!("root={}", store.display()));
    c
}

/// Imports the setup's photos and adds an encrypted folder target `vault` at `store`: the
/// command's output.
fn import_and_add_vault(s: &Setup, store: &Path) -> std::process::Output {
    run_ok(sb(s, &s.lib, &["import"]).arg(&s.src), 0);
    run_ok(&mut add_vault(s, &s.lib, store), 0)
}

/// The recovery code and the obscured password from `target add --encrypt`'s output.
fn recovery(out: &str) -> (String, String) {
    let code = out
        .lines()
        .skip_while(|l| !l.starts_with("RECOVERY CODE"))
        .find(|l| l.starts_with("    "))
        .unwrap()
        .trim()
        .to_owned();
    let obscured = out
        .lines()
        .find_map(|l| l.strip_prefix("password = "))
        .unwrap()
        .to_owned();
    (code, obscured)
}

fn rclone_cat(remote: &str, key: &str) -> Vec<u8> {
    let out = Command::new("rclone")
        .args(["cat", &format!("{remote}{key}")])
        .env("RCLONE_CONFIG", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rclone cat {key}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn scan_raw(store: &Path, names: &[String]) {
    let files = files_below(store);
    assert!(files.len() > 10, "{files:?}");
    for f in &files {
        let rel = f
            .strip_prefix(store)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == "SHOEBOX-ENCRYPTED.json" {
            let marker = std::fs::read_to_string(f).unwrap();
            assert!(marker.contains("rclone crypt") && !marker.contains("password\""));
            continue;
        }
        // Encrypted names are lowercase base32hex (0-9, a-v), so "2024" turns up inside one by
        // chance (it did, once in CI). The layout's own words are looked for as whole segments,
        // as they would be in a plain path; the rest cannot occur inside an encrypted name
        // (upper case, '_', '.', 'x'), so they are looked for anywhere.
        for n in ["originals", "thumbs", "catalogs", "2024"] {
            assert!(!rel.split('/').any(|seg| seg == n), "{rel} shows {n}");
        }
        for n in names.iter().map(String::as_str).chain(["shoebox", ".JPG"]) {
            assert!(!rel.contains(n), "{rel} shows {n}");
        }
        let raw = std::fs::read(f).unwrap();
        assert_eq!(&raw[..8], b"RCLONE\0\0", "{rel} is not encrypted");
        // Needles long enough not to turn up in random bytes (a 3-byte JPEG start would, about
        // once in 80 files of 200 KB): the formats' own longer signatures.
        for magic in [
            &b"JFIF\0"[..],
            b"Exif\0\0",
            b"SQLite format 3\0",
            b"ftypheic",
            b"\"format\":",
            b"\"device\"",
        ] {
            assert!(
                !raw.windows(magic.len()).any(|w| w == magic),
                "{rel} holds {magic:?} in the clear"
            );
        }
    }
}

#[test]
fn an_encrypted_folder_store_shows_nothing_and_rclone_reads_everything() {
    let s = setup();
    let store = s.home.join("vault");
    let out = import_and_add_vault(&s, &store);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let (code, obscured) = recovery(&said);
    assert_eq!(code.len(), 29, "six groups of four: {code}");
    assert!(said.contains("type = crypt") && said.contains("directory_name_encryption = true"));
    // The password is a secret: never in the catalog, the target list or settings.
    let listed = run_ok(&mut sb(&s, &s.lib, &["target", "list", "--json"]), 0);
    assert!(!String::from_utf8_lossy(&listed.stdout).contains(&code));
    let catalog = std::fs::read(s.lib.join(".shoebox/catalog.db")).unwrap();
    assert!(!catalog.windows(code.len()).any(|w| w == code.as_bytes()));

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

    let ls = json(&mut sb(&s, &s.lib, &["ls", "--json"]), 0);
    let assets = ls.as_array().unwrap();
    assert_eq!(assets.len(), 5);
    let names: Vec<String> = assets
        .iter()
        .map(|a| a["original_name"].as_str().unwrap().to_owned())
        .collect();
    scan_raw(&store, &names);

    // rclone, with the lines Shoebox printed, reads every original byte for byte.
    let remote = format!(":crypt,remote='{}',password={obscured}:", store.display());
    for a in assets {
        let key = store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap());
        let want = std::fs::read(s.lib.join(a["path"].as_str().unwrap())).unwrap();
        assert_eq!(rclone_cat(&remote, &key), want, "{key}");
    }
    assert!(String::from_utf8_lossy(&rclone_cat(&remote, "shoebox.json")).contains("\"format\""));

    // A new computer with the recovery code restores everything.
    let code_file = s.home.join("code.txt");
    std::fs::write(&code_file, format!("{code}\n")).unwrap();
    let restored = s.home.join("restored");
    let other = s.home.join("other-lib");
    run_ok(
        sb(
            &s,
            &other,
            &["target", "add", "vault", "--scheme", "fs", "--encrypt"],
        )
        .arg("--passphrase-file")
        .arg(&code_file)
        .arg("--opt")
        .arg(format!("root={}", store.display())),
        0,
    );
    run_ok(
        sb(&s, &other, &["restore", "--target", "vault", "--to"]).arg(&restored),
        0,
    );
    let back = json(&mut sb(&s, &restored, &["ls", "--json"]), 0);
    assert_eq!(back.as_array().unwrap().len(), 5);
    for a in assets {
        let p = a["path"].as_str().unwrap();
        assert_eq!(
            std::fs::read(restored.join(p)).unwrap(),
            std::fs::read(s.lib.join(p)).unwrap()
        );
    }

    // The code can come on standard input too (a password manager piped in).
    let mut piped = sb(
        &s,
        &s.home.join("piped"),
        &["target", "add", "vault", "--scheme", "fs"],
    )
    .args(["--encrypt", "--passphrase-file", "-", "--opt"])
    .arg(format!("root={}", store.display()))
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    std::io::Write::write_all(
        &mut piped.stdin.take().unwrap(),
        format!("{code}\n").as_bytes(),
    )
    .unwrap();
    let out = piped.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("RECOVERY CODE"));

    // At a terminal (a pty made by `script`) the code is asked for and not shown as typed.
    let cmd = format!(
        "{} --library {} target add vault --scheme fs --encrypt --passphrase-file - --opt root={}",
        shoebox_bin().display(),
        s.home.join("typed").display(),
        store.display()
    );
    let mut typed = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("HOME", &s.home)
        .env("SHOEBOX_SECRETS_FILE", s.home.join("secrets.json"))
        .env_remove("SHOEBOX_LIBRARY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = typed.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    // Typed only once the prompt is there.
    while !String::from_utf8_lossy(&seen).contains("Recovery code or passphrase:") {
        let n = std::io::Read::read(&mut out, &mut buf).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    // rpassword prints the prompt and then turns the echo off: a person types after that, and
    // so does the test (half a second later; typed earlier, the terminal would still echo).
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut input = typed.stdin.take().unwrap();
    std::io::Write::write_all(&mut input, format!("{code}\r").as_bytes()).unwrap();
    std::io::Read::read_to_end(&mut out, &mut seen).unwrap();
    drop(input);
    assert!(typed.wait().unwrap().success());
    let said = String::from_utf8_lossy(&seen);
    assert!(said.contains("added target vault"), "{said}");
    assert!(
        !said.contains(&code),
        "the code was shown as it was typed: {said}"
    );

    // Or with no library at all: the store described on the command line.
    let adhoc = s.home.join("restored-adhoc");
    run_ok(
        sb(
            &s,
            &s.home.join("none"),
            &["restore", "--scheme", "fs", "--opt"],
        )
        .arg(format!("root={}", store.display()))
        .arg("--passphrase-file")
        .arg(&code_file)
        .arg("--to")
        .arg(&adhoc),
        0,
    );
    assert_eq!(
        json(&mut sb(&s, &adhoc, &["ls", "--json"]), 0)
            .as_array()
            .unwrap()
            .len(),
        5
    );

    // A wrong password is said at once and nothing is saved or written.
    let before = files_below(&store);
    let wrong = s.home.join("wrong.txt");
    std::fs::write(&wrong, "aaaa-bbbb-cccc-dddd-eeee-ffff\n").unwrap();
    let third = s.home.join("third-lib");
    let out = run_ok(
        sb(
            &s,
            &third,
            &["target", "add", "vault", "--scheme", "fs", "--encrypt"],
        )
        .arg("--passphrase-file")
        .arg(&wrong)
        .arg("--opt")
        .arg(format!("root={}", store.display())),
        2,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is wrong"),
        "{out:?}"
    );
    let t = json(&mut sb(&s, &third, &["target", "list", "--json"]), 0);
    assert!(!t.to_string().contains("vault"), "{t}");
    // An unencrypted target pointed at the encrypted store: refused, nothing written.
    run_ok(
        sb(
            &s,
            &third,
            &["target", "add", "plain", "--scheme", "fs", "--opt"],
        )
        .arg(format!("root={}", store.display())),
        0,
    );
    run_ok(sb(&s, &third, &["import"]).arg(&s.src), 0);
    let out = run_ok(&mut sb(&s, &third, &["backup", "--target", "plain"]), 1);
    let text = format!("{out:?}");
    assert!(text.contains("encrypted store"), "{text}");
    assert_eq!(files_below(&store), before, "nothing was written");

    // A flipped byte in an original on the store: the deep verify names it.
    let victim = assets
        .iter()
        .find(|a| a["original_name"] == "Big.JPG")
        .unwrap();
    let key = store_key(
        victim["path"].as_str().unwrap(),
        victim["hash"].as_str().unwrap(),
    );
    let plain_len = std::fs::metadata(s.lib.join(victim["path"].as_str().unwrap()))
        .unwrap()
        .len();
    let enc_len = 32 + plain_len + 16 * plain_len.div_ceil(65536);
    let keys_file = files_below(&store)
        .into_iter()
        .find(|f| std::fs::metadata(f).unwrap().len() == enc_len)
        .unwrap();
    let mut raw = std::fs::read(&keys_file).unwrap();
    let mid = raw.len() / 2;
    raw[mid] ^= 1;
    std::fs::write(&keys_file, raw).unwrap();
    let v = json(
        &mut sb(
            &s,
            &s.lib,
            &["verify", "--target", "vault", "--deep", "--json"],
        ),
        1,
    );
    let problems = v["targets"][0]["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["key"] == key.as_str()),
        "{key} not named: {v}"
    );
    // Two objects swapped whole (each still authentic under the key): the hash under the
    // encryption names both.
    let keys = shoebox_crypt::Keys::derive(&code, None);
    let pair: Vec<(String, std::path::PathBuf)> = assets
        .iter()
        .filter(|a| a["original_name"] != "Big.JPG")
        .take(2)
        .map(|a| {
            let k = store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap());
            let raw = store.join(keys.encrypt_path(&k).unwrap());
            (k, raw)
        })
        .collect();
    let (a_bytes, b_bytes) = (
        std::fs::read(&pair[0].1).unwrap(),
        std::fs::read(&pair[1].1).unwrap(),
    );
    std::fs::write(&pair[0].1, &b_bytes).unwrap();
    std::fs::write(&pair[1].1, &a_bytes).unwrap();
    let v = json(
        &mut sb(
            &s,
            &s.lib,
            &["verify", "--target", "vault", "--deep", "--json"],
        ),
        1,
    );
    for (k, _) in &pair {
        assert!(
            v["targets"][0]["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["key"] == k.as_str()),
            "{k} not named after the swap: {v}"
        );
    }
}

#[test]
fn an_encrypted_target_refuses_a_place_that_holds_other_files() {
    let s = setup();
    let store = s.home.join("plain-store");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("holiday.jpg"), b"not ours").unwrap();
    let out = run_ok(&mut add_vault(&s, &s.lib, &store), 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs its own empty folder"),
        "{out:?}"
    );
    assert_eq!(files_below(&store).len(), 1);
}

#[test]
fn an_encrypted_s3_store_is_read_by_rclone_through_the_bucket() {
    let s = setup();
    let server = servers::Server::rclone_s3();
    run_ok(sb(&s, &s.lib, &["import"]).arg(&s.src), 0);
    let out = run_ok(
        sb(&s, &s.lib, &["target", "add", "vault", "--encrypt"]).args(server.cli_args()),
        0,
    );
    let (_, obscured) = recovery(&String::from_utf8_lossy(&out.stdout));
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
    let ls = json(&mut sb(&s, &s.lib, &["ls", "--json"]), 0);
    let names: Vec<String> = ls
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["original_name"].as_str().unwrap().to_owned())
        .collect();
    scan_raw(&server.backing, &names);
    let remote = format!(
        ":crypt,remote='{}',password={obscured}:",
        server.backing.display()
    );
    for a in ls.as_array().unwrap() {
        let key = store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap());
        assert_eq!(
            rclone_cat(&remote, &key),
            std::fs::read(s.lib.join(a["path"].as_str().unwrap())).unwrap()
        );
    }
}
