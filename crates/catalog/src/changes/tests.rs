use super::*;

#[test]
fn clock_readings_sort_as_text_and_move_forward() {
    let a = Hlc::tick(None, 1_000, "aaaa");
    let b = Hlc::tick(Some(&a), 999, "aaaa");
    assert!(
        b > a && b.encode() > a.encode(),
        "a slow wall clock still moves on"
    );
    let c = Hlc::tick(Some(&b), 5_000, "bbbb");
    assert_eq!(c.counter, 0);
    assert_eq!(Hlc::parse(&c.encode()), Some(c.clone()));
    // Same ms and counter: the device id breaks the tie, the same way everywhere.
    let x = Hlc {
        ms: 7,
        counter: 1,
        device: "aaaa".into(),
    };
    let y = Hlc {
        ms: 7,
        counter: 1,
        device: "bbbb".into(),
    };
    assert!(y > x && y.encode() > x.encode());
}

fn catalog() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
    crate::organise::tests::add_assets(&mut cat, 2);
    (dir, cat)
}

const THEM: &str = "bbbbbbbbbbbbbbbb";
const ME: &str = "aaaaaaaaaaaaaaaa";

fn set(hlc: &Hlc, hash: &str, field: &str, value: serde_json::Value) -> Change {
    Change {
        hlc: hlc.encode(),
        op: Op::Set {
            hash: hash.into(),
            field: field.into(),
            value,
        },
    }
}

/// Issue 25, defect 1: a device that never made an edit took in another's and stored the
/// clock it saw with no device, which then did not parse: its next edit was stamped by its
/// slow wall clock and lost to the edit it had already seen.
#[test]
fn an_edit_made_after_seeing_another_wins_whatever_the_wall_clock() {
    let (_d, mut cat) = catalog();
    let photo = format!("{:064x}", 1);
    let wall = 1_700_000_000_000u64;
    // The other device's clock is ten minutes ahead of this one's.
    let theirs = Hlc {
        ms: wall + 600_000,
        counter: 0,
        device: THEM.into(),
    };
    cat.apply_remote(
        THEM,
        None,
        &[set(&theirs, &photo, "caption", serde_json::json!("theirs"))],
        1,
        "t",
        &|_| false,
    )
    .unwrap();
    cat.record_edit(
        ME,
        wall,
        "caption",
        std::slice::from_ref(&photo),
        &serde_json::json!("mine"),
    )
    .unwrap();
    let (_, mine) = cat.changes_after(0).unwrap().pop().unwrap();
    let mine = Hlc::parse(&mine.hlc).unwrap();
    assert!(mine > theirs, "{mine:?} must come after {theirs:?}");
    assert_eq!(mine.device, ME);
}

/// Another device's announcement of `photo` (as the same bytes imported there), with the
/// store key it gives for the original.
fn announced(cat: &Catalog, photo: &str, key: &str, n: u64) -> Change {
    let a = cat
        .asset_by_hash(&shoebox_layout::Hash::parse(photo).unwrap())
        .unwrap()
        .unwrap();
    Change {
        hlc: Hlc {
            ms: 1_700_000_000_000 + n,
            counter: 0,
            device: THEM.into(),
        }
        .encode(),
        op: Op::Asset {
            hash: a.hash.clone().to_string(),
            path: a.path.clone(),
            original_name: a.original_name.clone(),
            size: a.size,
            meta: Box::new(a.meta.clone()),
            thumb_state: "ok".into(),
            key: key.into(),
        },
    }
}

fn tagged_key(cat: &Catalog, photo: &str) -> String {
    let a = cat
        .asset_by_hash(&shoebox_layout::Hash::parse(photo).unwrap())
        .unwrap()
        .unwrap();
    shoebox_layout::original_key(
        &shoebox_layout::RelPath::parse(&a.path).unwrap(),
        &shoebox_layout::Hash::parse(photo).unwrap(),
    )
}

/// Issue 25, defect 7: after this device emptied its trash, another device's checkpoint
/// (which names the photo again) put it back in the trash here, and its store bytes back
/// among what this catalog relies on.
#[test]
fn a_photo_deleted_for_good_stays_deleted_when_a_checkpoint_names_it_again() {
    let (_d, mut cat) = catalog();
    let photo = format!("{:064x}", 1);
    let key = tagged_key(&cat, &photo);
    let again = announced(&cat, &photo, &key, 1);
    let at = now();
    cat.set_trashed_at(
        std::slice::from_ref(&shoebox_layout::Hash::parse(&photo).unwrap()),
        Some(&at),
    )
    .unwrap();
    cat.record_edit(
        ME,
        1_700_000_000_000,
        "trashed",
        std::slice::from_ref(&photo),
        &serde_json::json!(at),
    )
    .unwrap();
    assert_eq!(cat.take_trash(ME, 1_700_000_000_001).unwrap().len(), 1);
    let a = cat
        .apply_remote(THEM, None, &[again], 5, "t", &|_| false)
        .unwrap();
    assert!(a.new_assets.is_empty(), "{a:?}");
    assert!(
        cat.asset_by_hash(&shoebox_layout::Hash::parse(&photo).unwrap())
            .unwrap()
            .is_none(),
        "back again"
    );
    assert_eq!(
        cat.store_key_on("t", &shoebox_layout::Hash::parse(&photo).unwrap())
            .unwrap(),
        None
    );
    // A photo restored from the trash on another device after the delete is another story:
    // the restore was not seen by the delete, so it comes back.
    let restored = set(
        &Hlc {
            ms: 1_800_000_000_000,
            counter: 0,
            device: THEM.into(),
        },
        &photo,
        "trashed",
        serde_json::Value::Null,
    );
    let back = announced_again(&photo);
    let a = cat
        .apply_remote(THEM, None, &[restored, back], 6, "t", &|_| false)
        .unwrap();
    assert_eq!(a.new_assets, vec![photo.clone()]);
    assert!(
        cat.asset_by_hash(&shoebox_layout::Hash::parse(&photo).unwrap())
            .unwrap()
            .unwrap()
            .trashed_at
            .is_none()
    );
}

/// The announcement of a photo this catalog no longer has a row for.
fn announced_again(photo: &str) -> Change {
    let (_d, cat) = catalog();
    let key = tagged_key(&cat, photo);
    announced(&cat, photo, &key, 7)
}

/// Issue 25, defect 8: a change log could name any key as a photo's original (the store's
/// marker, another device's head, a catalog snapshot), and prune deleted it once the photo
/// was gone. Only that photo's original keys are taken in; the rest is reported.
#[test]
fn a_log_naming_a_key_that_is_not_that_photos_original_is_refused() {
    let (_d, mut cat) = catalog();
    let photo = format!("{:064x}", 1);
    let other = format!("{:064x}", 0);
    // Another photo's original (add_assets' hashes share their first 16 hex digits).
    let others_key = shoebox_layout::original_key(
        &shoebox_layout::RelPath::parse("originals/2024/05/P00.JPG").unwrap(),
        &shoebox_layout::Hash::of(b"another photo"),
    );
    let forged = [
        "shoebox.json".to_owned(),
        format!("devices/{ME}/head.json"),
        format!("catalogs/{ME}/latest.json"),
        format!("thumbs/00/{photo}-320.jpg"),
        others_key.clone(),
        "originals/../shoebox.json".to_owned(),
    ];
    for (i, key) in forged.iter().enumerate() {
        let c = announced(&cat, &photo, key, i as u64);
        let a = cat
            .apply_remote(THEM, None, &[c], i as i64 + 1, "t", &|_| false)
            .unwrap();
        assert_eq!(a.rejected.len(), 1, "{key}: {a:?}");
        assert!(a.rejected[0].contains(key.as_str()), "{a:?}");
        assert_eq!(
            cat.store_key_on("t", &shoebox_layout::Hash::parse(&photo).unwrap())
                .unwrap(),
            None,
            "{key}"
        );
        // Nor as the key a prune deleted.
        let gone = set(
            &Hlc {
                ms: 1_700_000_000_100 + i as u64,
                counter: 0,
                device: THEM.into(),
            },
            &photo,
            &format!("gone:{key}"),
            serde_json::json!(true),
        );
        let a = cat
            .apply_remote(THEM, None, &[gone], 50 + i as i64, "t", &|_| false)
            .unwrap();
        assert_eq!(a.rejected.len(), 1, "gone:{key}: {a:?}");
    }
    // The photo's own key, tagged with its hash, and the untagged key of a store written
    // before keys were tagged (its library path), are taken.
    let own = tagged_key(&cat, &photo);
    let a = cat
        .apply_remote(
            THEM,
            None,
            &[announced(&cat, &photo, &own, 9)],
            90,
            "t",
            &|_| false,
        )
        .unwrap();
    assert!(a.rejected.is_empty(), "{a:?}");
    assert_eq!(
        cat.store_key_on("t", &shoebox_layout::Hash::parse(&photo).unwrap())
            .unwrap(),
        Some(own)
    );
    let path = cat
        .asset_by_hash(&shoebox_layout::Hash::parse(&other).unwrap())
        .unwrap()
        .unwrap()
        .path;
    let a = cat
        .apply_remote(
            THEM,
            None,
            &[announced(&cat, &other, &path, 10)],
            91,
            "t",
            &|_| false,
        )
        .unwrap();
    assert!(a.rejected.is_empty(), "{a:?}");
}

/// Issue 30: another device (an older Shoebox, another program writing the format) announces a
/// photo at a path a Windows disk cannot hold: a device name, a trailing dot, a folder ending in
/// a space. It is taken in under a safe name, with its original's key as announced, and the
/// rename is reported; it is never refused (the photo would be missing here for good) nor an
/// error that stops the sync.
#[test]
fn a_path_windows_cannot_hold_is_placed_under_a_safe_name_and_reported() {
    let (_d, mut cat) = catalog();
    let base = cat
        .asset_by_hash(&shoebox_layout::Hash::parse(&format!("{:064x}", 1)).unwrap())
        .unwrap()
        .unwrap();
    let cases = [
        ("originals/2024/05/aux.jpg", "originals/2024/05/_aux.jpg"),
        (
            "originals/2024/05/IMG_9.JPG.",
            "originals/2024/05/IMG_9.JPG",
        ),
        ("originals/2024/05 /CON", "originals/2024/05/_CON"),
        ("originals/2024/05/a:b.jpg", "originals/2024/05/a_b.jpg"),
    ];
    for (i, (path, want)) in cases.iter().enumerate() {
        let h = shoebox_layout::Hash::of(path.as_bytes());
        let (dir, name) = path.rsplit_once('/').unwrap();
        let (stem, ext) = shoebox_layout::split_ext(name);
        let key = format!("{dir}/{stem}~{}{ext}", h.short(16));
        let c = Change {
            hlc: Hlc {
                ms: 1_700_000_000_000 + i as u64,
                counter: 0,
                device: THEM.into(),
            }
            .encode(),
            op: Op::Asset {
                hash: h.to_string(),
                path: path.to_string(),
                original_name: name.into(),
                size: 10,
                meta: Box::new(base.meta.clone()),
                thumb_state: "ok".into(),
                key: key.clone(),
            },
        };
        let a = cat
            .apply_remote(THEM, None, &[c], i as i64 + 1, "t", &|_| false)
            .unwrap();
        assert!(a.rejected.is_empty(), "{path}: {a:?}");
        assert_eq!(a.new_assets, vec![h.to_string()], "{path}");
        assert_eq!(a.renamed.len(), 1, "{path}: {a:?}");
        assert!(
            a.renamed[0].contains(path) && a.renamed[0].contains(want),
            "{a:?}"
        );
        assert_eq!(cat.asset_by_hash(&h).unwrap().unwrap().path, *want);
        assert_eq!(cat.store_key_on("t", &h).unwrap(), Some(key));
    }
}
