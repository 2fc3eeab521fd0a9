//! Every past schema version opens, upgrades in place and keeps its data.

use shoebox_tests::*;

#[test]
fn a_version_1_catalog_upgrades_with_its_data() {
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("lib");
    std::fs::create_dir_all(lib.join(".shoebox")).unwrap();
    let sql = std::fs::read_to_string(data_dir().join("catalog-v1.sql")).unwrap();
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    db.execute_batch(&sql).unwrap();
    drop(db);

    let st = json(&mut shoebox(&lib, &["status", "--json"]), 0);
    assert_eq!(st["schema_version"], shoebox_catalog::SCHEMA_VERSION);
    assert_eq!(st["assets"], 1);
    assert_eq!(
        st["settings"]["allowed_extensions"],
        serde_json::json!(["jpg", "png"])
    );
    assert_eq!(st["settings"]["max_file_size"], 1048576);
    assert_eq!(st["last_import"]["imported"], 1);
    let a = &json(&mut shoebox(&lib, &["ls", "--json"]), 0)[0];
    assert_eq!(a["path"], "originals/2023/07/IMG_0042.JPG");
    assert_eq!(a["taken_at"], "2023-07-01T12:34:56+02:00");
    assert_eq!(a["model"], "EOS R6");
    assert_eq!(a["gps"]["alt"], 35.0);
    assert_eq!(a["favourite"], false);
    let db = rusqlite::Connection::open(lib.join(".shoebox/catalog.db")).unwrap();
    let albums: i64 = db
        .query_row("SELECT COUNT(*) FROM albums", [], |r| r.get(0))
        .unwrap();
    assert_eq!(albums, 0, "v2 tables exist");
}
