//! Every past schema version opens, upgrades in place and keeps its data.

use shoebox_tests::*;

fn open_fixture(version: u32) -> (tempfile::TempDir, std::path::PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("lib");
    std::fs::create_dir_all(lib.join(".shoebox")).unwrap();
    let sql = std::fs::read_to_string(data_dir().join(format!("catalog-v{version}.sql"))).unwrap();
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    db.execute_batch(&sql).unwrap();
    let v: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, version as i64, "the fixture is what it says");
    (t, lib)
}

#[test]
fn every_past_version_upgrades_with_its_data() {
    every_past_version_upgrades_on(Os::Linux);
}

/// The same, by the Windows build under Wine (issue 30): SQLite's Windows file layer, the
/// catalog's migrations and their backups taken before each upgrade.
#[test]
fn every_past_version_upgrades_with_its_data_on_windows() {
    every_past_version_upgrades_on(Os::Wine);
}

fn every_past_version_upgrades_on(os: Os) {
    for version in 1..shoebox_catalog::SCHEMA_VERSION as u32 {
        let (_t, lib) = open_fixture(version);
        let st = json(&mut shoebox_on(os, &lib, &["status", "--json"]), 0);
        assert_eq!(
            st["schema_version"],
            shoebox_catalog::SCHEMA_VERSION,
            "v{version}"
        );
        assert_eq!(st["assets"], 1);
        assert_eq!(
            st["settings"]["allowed_extensions"],
            serde_json::json!(["jpg", "png"])
        );
        assert_eq!(st["settings"]["max_file_size"], 1048576);
        assert_eq!(st["last_import"]["imported"], 1);
        let a = &json(&mut shoebox_on(os, &lib, &["ls", "--json"]), 0)[0];
        assert_eq!(a["path"], "originals/2023/07/IMG_0042.JPG");
        assert_eq!(a["taken_at"], "2023-07-01T12:34:56+02:00");
        assert_eq!(a["model"], "EOS R6");
        assert_eq!(a["gps"]["alt"], 35.0);
        assert_eq!(
            a["favourite"],
            version >= 2,
            "v{version}: favourites survive"
        );
        let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
        let albums: i64 = db
            .query_row("SELECT COUNT(*) FROM album_assets", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            albums,
            if version >= 2 { 1 } else { 0 },
            "v{version}: albums survive"
        );
        let seen: i64 = db
            .query_row("SELECT COUNT(*) FROM watch_seen", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            seen,
            if version >= 3 { 1 } else { 0 },
            "v{version}: watch memory survives"
        );
        let objs: i64 = db
            .query_row("SELECT COUNT(*) FROM store_objects", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            objs,
            if version >= 4 { 1 } else { 0 },
            "v{version}: what targets hold survives"
        );
        let (result, mark): (Option<String>, Option<String>) = db
            .query_row(
                "SELECT max(last_result), max(complete_mark) FROM store_state",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            result.is_some(),
            version >= 4,
            "v{version}: backup figures survive"
        );
        assert_eq!(
            mark, None,
            "v{version}: no backup is taken as complete by an upgrade"
        );
    }
}

#[test]
fn a_catalog_from_a_newer_shoebox_is_refused_untouched() {
    let (_t, lib) = open_fixture(1);
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    db.pragma_update(None, "user_version", 999).unwrap();
    drop(db);
    let out = run_ok(&mut shoebox(&lib, &["ls"]), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("newer than this Shoebox") && err.contains("update Shoebox"),
        "{err}"
    );
}
