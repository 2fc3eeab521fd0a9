//! What a store refuses: failures told apart, a newer format, hostile keys on restore; and where secrets go.

use super::*;
use serde_json::Value;
use shoebox_tests::servers::Server;
use std::path::Path;

#[test]
pub(crate) fn target_test_tells_failures_apart() {
    let e = Env::new();
    let lib = e.path("lib");
    let s3 = Server::rclone_s3();
    let endpoint = s3.opt("endpoint").unwrap().to_owned();
    let s3_args = |endpoint: &str, bucket: &str, key: &str, secret: &str| -> Vec<String> {
        vec![
            "--scheme".into(),
            "s3".into(),
            "--opt".into(),
            format!("endpoint={endpoint}"),
            "--opt".into(),
            format!("bucket={bucket}"),
            "--secret".into(),
            format!("access_key_id={key}"),
            "--secret".into(),
            format!("secret_access_key={secret}"),
        ]
    };
    let status = |name: &str, args: &[String]| -> Value {
        let mut c = e.sb(&lib, &["target", "add", name]);
        c.args(args);
        run_ok(&mut c, 0);
        let out = e
            .sb(&lib, &["target", "test", name, "--json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let ok = status("good", &s3_args(&endpoint, "photos", "AKTEST", "SKTEST"));
    assert_eq!(ok["status"], "ok", "{ok}");
    let bad = status("badkey", &s3_args(&endpoint, "photos", "AKTEST", "WRONG"));
    assert_eq!(bad["status"], "credentials", "{bad}");
    let missing = status("nobucket", &s3_args(&endpoint, "nope", "AKTEST", "SKTEST"));
    assert_eq!(missing["status"], "missing", "{missing}");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("bucket does not exist")
    );
    // Port 1: privileged, so no test server started in parallel can take it (a port picked by
    // binding port 0 and letting go could be, and made this flaky under load).
    let down = status("down", &s3_args("http://127.0.0.1:1", "photos", "A", "B"));
    assert_eq!(down["status"], "unreachable", "{down}");
    assert!(down["message"].as_str().unwrap().contains("cannot reach"));
    let ro = Server::rclone_webdav(true);
    let mut args = vec![
        "--scheme".to_owned(),
        "webdav".into(),
        "--opt".into(),
        format!("endpoint={}", ro.opt("endpoint").unwrap()),
    ];
    args.extend([
        "--secret".into(),
        "username=shoebox-user".into(),
        "--secret".into(),
        "password=s3cr3t-Pa55".into(),
    ]);
    let ro_status = status("ro", &args);
    assert_eq!(ro_status["status"], "read_only", "{ro_status}");
}

#[test]
pub(crate) fn a_store_of_a_newer_format_is_refused() {
    let e = Env::new();
    let lib = e.path("lib");
    let s = Server::fs();
    std::fs::create_dir_all(&s.backing).unwrap();
    std::fs::write(
        s.backing.join("shoebox.json"),
        r#"{"format": 99, "created_by": "shoebox 9"}"#,
    )
    .unwrap();
    fixtures(&e.path("src"));
    json(e.sb(&lib, &["import", "--json"]).arg(e.path("src")), 0);
    e.add_target(&lib, "t", &s);
    let out = run_ok(&mut e.sb(&lib, &["backup"]), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("newer than this Shoebox"), "{text}");
    assert!(
        !s.backing.join("originals").exists(),
        "nothing written to a store we do not understand"
    );
}

#[test]
pub(crate) fn hostile_keys_on_restore_write_nothing_outside() {
    let e = Env::new();
    let lib = e.path("lib");
    let s = Server::fs();
    fixtures(&e.path("src"));
    json(e.sb(&lib, &["import", "--json"]).arg(e.path("src")), 0);
    e.add_target(&lib, "t", &s);
    json(&mut e.sb(&lib, &["backup", "--json"]), 0);

    // Rewrite the snapshot as an attacker with write access to the store would.
    let cat_dir = std::fs::read_dir(s.backing.join("catalogs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pointer: Value =
        serde_json::from_slice(&std::fs::read(cat_dir.join("latest.json")).unwrap()).unwrap();
    let snap = s.backing.join(pointer["snapshot"].as_str().unwrap());
    let hostile = [
        "../x",
        "a/../../x",
        "/abs",
        "..\\x",
        "C:\\x",
        "%2e%2e/x",
        "a\0b",
    ];
    let last_path: String;
    {
        let db = rusqlite::Connection::open(&snap).unwrap();
        let ids: Vec<i64> = db
            .prepare("SELECT id FROM assets ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(ids.len(), 8);
        for (id, key) in ids.iter().zip(hostile.iter()) {
            db.execute(
                "UPDATE assets SET path = ?1 WHERE id = ?2",
                rusqlite::params![key, id],
            )
            .unwrap();
        }
        last_path = db
            .query_row("SELECT path FROM assets WHERE id = ?1", [ids[7]], |r| {
                r.get(0)
            })
            .unwrap();
    }
    let bytes = std::fs::read(&snap).unwrap();
    let mut p = pointer.clone();
    p["blake3"] = blake3::hash(&bytes).to_hex().to_string().into();
    p["size"] = bytes.len().into();
    std::fs::write(cat_dir.join("latest.json"), serde_json::to_vec(&p).unwrap()).unwrap();

    // And a symlink planted in the restore folder, pointing outside.
    let outside = e.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let dest = e.path("restored");
    let year = last_path.split('/').take(2).collect::<Vec<_>>().join("/");
    std::fs::create_dir_all(dest.join("originals")).unwrap();
    std::os::unix::fs::symlink(&outside, dest.join(&year)).unwrap();

    let mut c = e.sb(&lib, &["restore", "--json", "--to"]);
    c.arg(&dest).args(s.cli_args());
    let r = json(&mut c, 1);
    let bad: Vec<String> = r["bad_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap().to_owned())
        .collect();
    // Each hostile path is reported: given a safe name under originals/, or left out.
    let renamed: Vec<String> = r["renamed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["from"].as_str().unwrap().to_owned())
        .collect();
    for k in hostile {
        assert!(
            bad.contains(&k.to_owned()) || renamed.contains(&k.to_owned()),
            "{k:?} not reported: {r}"
        );
    }
    assert!(
        bad.contains(&last_path),
        "the symlinked folder {year} is refused: {r}"
    );
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing written through the symlink"
    );
    assert!(
        !e.path("x").exists()
            && !Path::new("/abs").exists()
            && !e.t.path().parent().unwrap().join("x").exists()
    );
    // The restored catalog holds no row whose path leads outside originals/ (so emptying the
    // trash, `verify --repair` or the viewer can never touch a file outside the library).
    let db = rusqlite::Connection::open(dest.join(".shoebox/catalog.db")).unwrap();
    let paths: Vec<String> = db
        .prepare("SELECT path FROM assets")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(!paths.is_empty());
    for p in paths {
        assert!(
            shoebox_layout::RelPath::parse(&p).is_ok(),
            "{p:?} in the restored catalog"
        );
    }
}

#[test]
pub(crate) fn secrets_go_to_the_keychain_or_a_private_file_and_the_cli_says_which() {
    use std::os::unix::fs::PermissionsExt;
    let e = Env::new();
    let lib = e.path("lib");
    let dav = Server::rclone_webdav(false);
    // No session bus here: no keychain, so the secrets go to the 0600 file, and the CLI says why.
    let mut c = shoebox(&lib, &["target", "add", "dav", "--scheme", "webdav"]);
    c.env("HOME", e.path("home"))
        .env("XDG_CONFIG_HOME", e.path("config"))
        .env_remove("SHOEBOX_SECRETS_FILE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .args([
            "--opt",
            &format!("endpoint={}", dav.opt("endpoint").unwrap()),
        ])
        .args([
            "--secret",
            "username=shoebox-user",
            "--secret",
            "password=s3cr3t-Pa55",
        ]);
    let out = run_ok(&mut c, 0);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("no OS keychain here") && said.contains("mode 0600"),
        "{said}"
    );
    let file = e.path("config/shoebox/secrets.json");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let test = |env: &[(&str, &str)]| {
        let mut c = shoebox(&lib, &["target", "test", "dav"]);
        c.env("HOME", e.path("home"))
            .env("XDG_CONFIG_HOME", e.path("config"))
            .env_remove("SHOEBOX_SECRETS_FILE");
        c.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = test(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("password from"),
        "the CLI says where the secret came from"
    );
    // The environment wins over the file: a wrong password there must fail the test.
    let out = test(&[("SHOEBOX_SECRET_DAV_PASSWORD", "wrong")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("$SHOEBOX_SECRET_DAV_PASSWORD"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
