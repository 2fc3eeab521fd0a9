//! Cancelling a backup (the app's Cancel button): what finished is recorded, nothing
//! half-written is at a final key, no snapshot is written, and the next backup completes.

use shoebox_engine::Library;
use shoebox_tests::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn a_cancelled_backup_keeps_what_finished_and_the_next_one_completes() {
    let t = tempfile::tempdir().unwrap();
    let (lib_dir, src, store) = (
        t.path().join("lib"),
        t.path().join("in"),
        t.path().join("store"),
    );
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..40u64 {
        Jpeg::new(200, 150)
            .seed(500 + i)
            .write(&src.join(format!("C{i:02}.JPG")));
    }
    // The test's own folder target; the default one (~/Shoebox Backup) is never backed up to.
    let mut lib = Library::open(&lib_dir).unwrap();
    lib.import(&[src], &|_| {}, &AtomicBool::new(false), &|| {})
        .unwrap();
    let opts = [("root".to_string(), store.display().to_string())]
        .into_iter()
        .collect();
    lib.target_add("t", "fs", opts, Default::default()).unwrap();

    let cancel = Arc::new(AtomicBool::new(false));
    let c = cancel.clone();
    // Cancel as soon as the uploads start (progress is throttled, so "after N files" is not
    // observable on a fast local target).
    let stop_after = |p: &shoebox_engine::Progress| {
        if p.total > 0 {
            c.store(true, Ordering::SeqCst);
        }
    };
    let r = lib
        .backup(Some("t"), &stop_after, &|| {}, Some(cancel.clone()))
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(r.cancelled);
    assert!(r.snapshot.is_none(), "no snapshot after a cancel");
    assert!(!store.join("catalogs").exists());
    let recorded = status_of(&lib);
    assert!(
        recorded.objects >= 1 && recorded.objects < 120,
        "{recorded:?}"
    );
    assert!(recorded.pending_uploads > 0);
    // Every recorded object is on the store, whole.
    let v = lib
        .verify(
            Some("t"),
            &shoebox_engine::VerifyOptions {
                deep: true,
                concurrency: 4,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(v.is_clean(), "{:?}", v.problems);

    let r2 = lib
        .backup(
            Some("t"),
            &|_| {},
            &|| {},
            Some(Arc::new(AtomicBool::new(false))),
        )
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(!r2.cancelled);
    assert!(r2.snapshot.is_some());
    let st = status_of(&lib);
    assert_eq!(st.pending_uploads, 0);
    assert_eq!(st.objects, 40 * 3);
    assert_eq!(walk_count(&store.join("originals")), 40);
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk_count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn status_of(lib: &Library) -> shoebox_engine::TargetStatus {
    lib.target_status()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "t")
        .unwrap()
}
