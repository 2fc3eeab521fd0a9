//! Two connections (the CLI and the app on one library) doing read-then-write transactions at
//! once. Under WAL a DEFERRED transaction that read first fails with SQLITE_BUSY(_SNAPSHOT)
//! when the other commits in between, and the busy timeout does not retry that; IMMEDIATE
//! transactions wait their turn instead.

use shoebox_catalog::Catalog;

#[test]
fn read_then_write_transactions_of_two_connections_both_succeed() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("catalog.db");
    let mut first = Catalog::open(&path).unwrap();
    let album = first.album_create("shared").unwrap();
    drop(first);
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut cat = Catalog::open(&path).unwrap();
                let mut failures = Vec::new();
                for i in 0..300 {
                    let h = shoebox_layout::Hash::of(format!("{w}-{i}").as_bytes());
                    if let Err(e) = cat.album_add(album, &[h]) {
                        failures.push(e.to_string());
                    }
                    if let Err(e) = cat.set_favourite(
                        &[shoebox_layout::Hash::of(format!("{i}").as_bytes())],
                        i % 2 == 0,
                    ) {
                        failures.push(e.to_string());
                    }
                }
                failures
            })
        })
        .collect();
    for w in workers {
        let failures = w.join().unwrap();
        assert!(
            failures.is_empty(),
            "{} failed: {:?}",
            failures.len(),
            &failures[..1]
        );
    }
}
