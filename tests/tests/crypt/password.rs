//! Changing an encrypted store's password: everything re-encrypted, resumable, other computers held back.

use super::computers::{Vault, sb_home, two_computers_on_a_vault};
use super::*;
use std::process::Command;

/// Changing the password (`target passphrase`): everything is re-encrypted under a new recovery
/// code. A damaged object stops the change before anything is deleted or switched (the old
/// password still opens everything); once it is mended, running it again goes on from where it
/// stopped. Afterwards rclone reads every original with the new password and not the old one,
/// another computer with the old code is refused, and this one backs up and verifies as before.
#[test]
pub(crate) fn changing_the_password_re_encrypts_everything_and_can_be_resumed() {
    let s = setup();
    let store = s.home.join("vault");
    let out = import_and_add_vault(&s, &store);
    let (old_code, old_obscured) = recovery(&String::from_utf8_lossy(&out.stdout));
    run_ok(&mut sb(&s, &s.lib, &["backup", "--target", "vault"]), 0);
    let before: Vec<std::path::PathBuf> = files_below(&store)
        .into_iter()
        .filter(|f| !f.ends_with("SHOEBOX-ENCRYPTED.json"))
        .collect();
    let marker_before = std::fs::read(store.join("SHOEBOX-ENCRYPTED.json")).unwrap();

    // An unencrypted target has no password to change.
    run_ok(
        sb(
            &s,
            &s.lib,
            &["target", "add", "plain", "--scheme", "fs", "--opt"],
        )
        .arg(format!("root={}", s.home.join("plain").display())),
        0,
    );
    let out = run_ok(&mut sb(&s, &s.lib, &["target", "passphrase", "plain"]), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not encrypted"));

    // A flipped byte in the biggest object: its authentication fails, the change stops.
    let victim = before
        .iter()
        .max_by_key(|f| std::fs::metadata(f).unwrap().len())
        .unwrap()
        .clone();
    let good = std::fs::read(&victim).unwrap();
    let mut bad = good.clone();
    bad[100_000] ^= 0x40;
    std::fs::write(&victim, &bad).unwrap();
    let new_file = s.home.join("new.txt");
    std::fs::write(&new_file, "a new long passphrase for the vault, 2026\n").unwrap();
    let out = run_ok(
        sb(
            &s,
            &s.lib,
            &["target", "passphrase", "vault", "--passphrase-file"],
        )
        .arg(&new_file),
        2,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing was deleted"), "{err}");
    let marker = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    let stopped = marker(&std::fs::read(store.join("SHOEBOX-ENCRYPTED.json")).unwrap());
    assert_eq!(
        stopped["check"],
        marker(&marker_before)["check"],
        "not switched"
    );
    assert!(
        stopped["rekeying"]["device"].is_string(),
        "a change under way: {stopped}"
    );
    for f in &before {
        assert!(f.exists(), "{} deleted", f.display());
    }
    std::fs::write(&victim, &good).unwrap();
    // The old password is still the one in force here.
    run_ok(&mut sb(&s, &s.lib, &["verify", "--target", "vault"]), 0);

    // Another new password now would leave the first one's copies behind: refused.
    let other = s.home.join("other.txt");
    std::fs::write(&other, "yet another passphrase, never mind\n").unwrap();
    let out = run_ok(
        sb(
            &s,
            &s.lib,
            &["target", "passphrase", "vault", "--passphrase-file"],
        )
        .arg(&other),
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("was begun and not finished"));

    // Again, with the same new password: it goes on and finishes.
    let r = json(
        sb(
            &s,
            &s.lib,
            &[
                "target",
                "passphrase",
                "vault",
                "--json",
                "--passphrase-file",
            ],
        )
        .arg(&new_file),
        0,
    );
    assert_eq!(r["switched"], true, "{r}");
    assert_eq!(r["cancelled"], false, "{r}");
    let (copied, already) = (
        r["copied"].as_u64().unwrap(),
        r["already"].as_u64().unwrap(),
    );
    assert!(already > 0, "the first run's copies were kept: {r}");
    assert_eq!(copied + already, before.len() as u64, "{r}");
    assert_eq!(r["deleted"].as_u64().unwrap(), before.len() as u64, "{r}");
    for f in &before {
        assert!(!f.exists(), "{} of the old password is left", f.display());
    }
    assert_eq!(files_below(&store).len(), before.len() + 1);
    assert_ne!(
        std::fs::read(store.join("SHOEBOX-ENCRYPTED.json")).unwrap(),
        marker_before
    );
    let ls = json(&mut sb(&s, &s.lib, &["ls", "--json"]), 0);
    let names: Vec<String> = ls
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["original_name"].as_str().unwrap().to_owned())
        .collect();
    scan_raw(&store, &names);

    // rclone reads every original with the new password, nothing with the old one.
    let new_obscured = shoebox_engine::rclone_obscure("a new long passphrase for the vault, 2026");
    let remote = format!(
        ":crypt,remote='{}',password={new_obscured}:",
        store.display()
    );
    for a in ls.as_array().unwrap() {
        let key = store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap());
        let want = std::fs::read(s.lib.join(a["path"].as_str().unwrap())).unwrap();
        assert_eq!(rclone_cat(&remote, &key), want, "{key}");
    }
    let old_remote = format!(
        ":crypt,remote='{}',password={old_obscured}:",
        store.display()
    );
    let listed = Command::new("rclone")
        .args(["lsf", "-R", &old_remote])
        .env("RCLONE_CONFIG", "/dev/null")
        .output()
        .unwrap();
    // A name made under the new password can, by chance, pass the old key's padding check and
    // be listed as noise (about 1 in 256 names); what must not be listed is any real name.
    let listed = String::from_utf8_lossy(&listed.stdout);
    for a in ls.as_array().unwrap() {
        let key = store_key(a["path"].as_str().unwrap(), a["hash"].as_str().unwrap());
        assert!(
            !listed.lines().any(|l| {
                let dir = format!("{}/", l.trim_end_matches('/'));
                l == key || (dir.len() > 1 && key.starts_with(&dir))
            }),
            "the old password finds {key}: {listed}"
        );
    }

    // This computer goes on as before; another one with the old code is refused.
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
    let old_file = s.home.join("old.txt");
    std::fs::write(&old_file, format!("{old_code}\n")).unwrap();
    let out = run_ok(
        add_vault(&s, &s.home.join("other"), &store)
            .arg("--passphrase-file")
            .arg(&old_file),
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong"));

    // A change with a made-up code: shown once, in force, and the store still reads.
    let out = run_ok(&mut sb(&s, &s.lib, &["target", "passphrase", "vault"]), 0);
    let (code, _) = recovery(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(code.len(), 29);
    let secrets = std::fs::read_to_string(s.home.join("secrets.json")).unwrap();
    assert!(!secrets.contains("crypt_password_next") && !secrets.contains("crypt_password_old"));
    run_ok(&mut sb(&s, &s.lib, &["verify", "--target", "vault"]), 0);
}

pub(crate) fn rclone_rcat(remote: &str, key: &str, bytes: &[u8]) {
    use std::io::Write;
    let mut child = Command::new("rclone")
        .args(["rcat", &format!("{remote}{key}")])
        .env("RCLONE_CONFIG", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    assert!(child.wait().unwrap().success(), "rclone rcat {key}");
}

/// Issue 25, defect 2: a password change took no lock and told no one, so another computer
/// went on writing under the old password during it; and a copy already under the new password
/// was taken as done when its size matched, whatever it held. Now the change marks the store
/// (other computers write nothing until it is done, and say why) and compares copies by content.
#[test]
pub(crate) fn a_password_change_holds_other_computers_back_and_compares_copies_by_content() {
    let t = tempfile::tempdir().unwrap();
    let Vault {
        store,
        a_home,
        b_home,
        a,
        b,
        obscured: old_obscured,
    } = two_computers_on_a_vault(t.path());

    // A copy under the new password that is not what it stands for, of the same size.
    let new_pass = "the family vault's next passphrase, 2027";
    let new_file = t.path().join("new.txt");
    std::fs::write(&new_file, format!("{new_pass}\n")).unwrap();
    let dev = json(&mut sb_home(&a_home, &a, &["devices", "--json"]), 0)["this_device"]
        .as_str()
        .unwrap()
        .to_owned();
    let pointer = format!("catalogs/{dev}/latest.json");
    let old_remote = format!(
        ":crypt,remote='{}',password={old_obscured}:",
        store.display()
    );
    let new_remote = format!(
        ":crypt,remote='{}',password={}:",
        store.display(),
        shoebox_engine::rclone_obscure(new_pass)
    );
    let truth = rclone_cat(&old_remote, &pointer);
    let before: Vec<std::path::PathBuf> = files_below(&store)
        .into_iter()
        .filter(|f| !f.ends_with("SHOEBOX-ENCRYPTED.json"))
        .collect();
    rclone_rcat(&new_remote, &pointer, &vec![b' '; truth.len()]);

    // The change stops half-way (a damaged object); the store says a change is under way.
    let victim = before
        .iter()
        .max_by_key(|f| std::fs::metadata(f).unwrap().len())
        .unwrap()
        .clone();
    let good = std::fs::read(&victim).unwrap();
    let mut bad = good.clone();
    bad[70_000.min(good.len() - 1)] ^= 0x40;
    std::fs::write(&victim, &bad).unwrap();
    run_ok(
        sb_home(
            &a_home,
            &a,
            &["target", "passphrase", "shared", "--passphrase-file"],
        )
        .arg(&new_file),
        2,
    );
    // The other computer writes nothing meanwhile (it has a new photo to send), and is told
    // why.
    let b_src = t.path().join("b-src");
    Jpeg::new(300, 200).seed(70).write(&{
        std::fs::create_dir_all(&b_src).unwrap();
        b_src.join("B0.JPG")
    });
    run_ok(sb_home(&b_home, &b, &["import"]).arg(&b_src), 0);
    let files_then = files_below(&store).len();
    let out = sb_home(&b_home, &b, &["backup"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "B backed up during the change");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("password is being changed"), "{said}");
    assert_eq!(files_below(&store).len(), files_then);

    std::fs::write(&victim, &good).unwrap();
    let r = json(
        sb_home(
            &a_home,
            &a,
            &[
                "target",
                "passphrase",
                "shared",
                "--json",
                "--passphrase-file",
            ],
        )
        .arg(&new_file),
        0,
    );
    assert_eq!(r["switched"], true, "{r}");
    assert_eq!(
        rclone_cat(&new_remote, &pointer),
        truth,
        "the stale copy was taken for the object"
    );
    // Done: the marker no longer holds anyone back (B is told its password is wrong instead).
    let out = sb_home(&b_home, &b, &["backup"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("being changed"), "{said}");
    run_ok(&mut sb_home(&a_home, &a, &["sync"]), 0);
}
