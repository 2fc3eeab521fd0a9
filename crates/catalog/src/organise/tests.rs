use super::views::next_month;
use super::*;

/// Adds `n` photos taken in May 2024, some sharing a second.
pub(crate) fn add_assets(cat: &mut Catalog, n: usize) {
    use crate::{NewAsset, ThumbState};
    use shoebox_types::{CaptureTime, Kind, Metadata, TimeSource};
    let rows: Vec<NewAsset> = (0..n)
        .map(|i| NewAsset {
            hash: format!("{i:064x}"),
            path: format!("originals/2024/05/P{i:02}.JPG"),
            original_name: format!("P{i:02}.JPG"),
            size: 1,
            meta: Metadata::bare(
                Kind::Photo,
                "image/jpeg",
                CaptureTime::parse(&format!("2024-05-01T10:00:{:02}", i / 3)).unwrap(),
                TimeSource::Exif,
            ),
            thumb_state: ThumbState::Ok,
            source_path: None,
        })
        .collect();
    cat.insert_assets(&rows).unwrap();
}

#[test]
fn a_month_comes_in_pages_that_add_up_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
    add_assets(&mut cat, 25);
    let whole = cat.assets_in_month(&View::All, "2024-05").unwrap();
    assert_eq!(whole.len(), 25);
    let mut paged = Vec::new();
    for offset in [0, 10, 20, 30] {
        paged.extend(
            cat.assets_in_month_page(&View::All, "2024-05", offset, 10)
                .unwrap(),
        );
    }
    let names = |v: &[Asset]| v.iter().map(|a| a.path.clone()).collect::<Vec<_>>();
    assert_eq!(names(&paged), names(&whole));
}

#[test]
fn kept_month_counts_equal_counting_through_every_kind_of_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
    add_assets(&mut cat, 40);
    let h = |i: usize| Hash::parse(&format!("{i:064x}")).unwrap();
    let albums = [
        cat.album_create("a").unwrap(),
        cat.album_create("b").unwrap(),
    ];
    // A member that has not arrived yet (another device's photo, before its sync).
    let member = |cat: &Catalog, album: i64, hash: &str| {
        cat.conn
            .execute(
                "INSERT OR IGNORE INTO album_assets (album_id, hash, added_at) VALUES (?1, ?2, 'now')",
                params![album, hash],
            )
            .unwrap();
    };
    member(&cat, albums[0], h(41).as_str());
    let check = |cat: &Catalog, when: &str| {
        let mut views = vec![View::All, View::Favourites, View::Trash];
        views.extend(cat.albums().unwrap().iter().map(|a| View::Album(a.id)));
        views.push(View::Album(albums[0]));
        views.push(View::Album(albums[1]));
        for v in views {
            assert_eq!(
                cat.buckets(&v).unwrap(),
                cat.buckets_counted(&v).unwrap(),
                "{v:?} after {when}"
            );
        }
    };
    check(&cat, "import");
    let mut rng = fastrand::Rng::with_seed(11);
    for round in 0..300 {
        let a = h(rng.usize(..42));
        let what = rng.usize(..10);
        match what {
            0 | 1 => {
                cat.set_favourite(&[a], rng.bool()).unwrap();
            }
            2 => {
                cat.set_trashed(&[a], rng.bool()).unwrap();
            }
            3 => {
                // Moved to another month (a corrected date), or back.
                let v = if rng.bool() {
                    serde_json::Value::Null
                } else {
                    serde_json::json!(format!("2024-{:02}-03T10:00:00", rng.u8(1..=12)))
                };
                cat.set_tidy(&[a], "taken", &v).unwrap();
            }
            4 => {
                // Becoming a Live Photo's motion part takes it off the timeline.
                cat.conn
                    .execute(
                        "UPDATE assets SET motion_of = CASE WHEN motion_of IS NULL THEN 'x' \
                         END WHERE hash = ?1",
                        [&a],
                    )
                    .unwrap();
            }
            5 => {
                cat.drop_asset_rows(&[a.to_string()]).unwrap();
            }
            7 => {
                // Also photos not here (yet): sync adds memberships as they come.
                member(&cat, albums[rng.usize(..2)], a.as_str());
            }
            8 => {
                cat.album_remove(albums[rng.usize(..2)], &[a]).unwrap();
            }
            _ => {
                if cat
                    .asset_by_hash(&shoebox_layout::Hash::parse(a.as_str()).unwrap())
                    .unwrap()
                    .is_none()
                {
                    // Back, with whatever marks it had.
                    let n = u64::from_str_radix(a.as_str(), 16).unwrap_or(0) as usize;
                    let mut tmp = Catalog::open(&dir.path().join("one.db")).unwrap();
                    drop(tmp.conn.execute("DELETE FROM assets", []));
                    add_assets(&mut tmp, n + 1);
                    let row = tmp
                        .asset_by_hash(&shoebox_layout::Hash::parse(a.as_str()).unwrap())
                        .unwrap()
                        .unwrap();
                    cat.insert_asset(&crate::NewAsset {
                        hash: row.hash.to_string(),
                        path: row.path,
                        original_name: row.original_name,
                        size: row.size,
                        meta: row.meta,
                        thumb_state: crate::ThumbState::Ok,
                        source_path: None,
                    })
                    .unwrap();
                }
            }
        }
        check(&cat, &format!("round {round}, change {what}"));
    }
    // Counts planted by someone else are forgotten when a store's catalog is opened.
    cat.conn
        .execute_batch(
            "UPDATE month_counts SET n = n + 7; UPDATE album_month_counts SET n = n + 7;",
        )
        .unwrap();
    assert_ne!(
        cat.buckets(&View::All).unwrap(),
        cat.buckets_counted(&View::All).unwrap()
    );
    cat.rebuild_derived().unwrap();
    check(&cat, "a recount");
    // A deleted album leaves no counts behind.
    cat.album_delete(albums[1]).unwrap();
    let left: i64 = cat
        .conn
        .query_row(
            "SELECT count(*) FROM album_month_counts WHERE album_id = ?1",
            [albums[1]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn places_cluster_in_cells_and_an_area_is_a_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
    add_assets(&mut cat, 6);
    // Rome, Rome, Paris, Sydney (south and east), Lima (south and west); one without.
    let at = [
        Some((41.90, 12.50)),
        Some((41.89, 12.48)),
        Some((48.85, 2.35)),
        Some((-33.87, 151.21)),
        Some((-12.05, -77.04)),
        None,
    ];
    for (i, p) in at.iter().enumerate() {
        if let Some((lat, lon)) = p {
            cat.conn
                .execute(
                    "UPDATE assets SET gps_lat = ?2, gps_lon = ?3 WHERE hash = ?1",
                    params![format!("{i:064x}"), lat, lon],
                )
                .unwrap();
        }
    }
    let world = [-90.0, -180.0, 90.0, 180.0];
    let mut cells = cat.place_cells(10.0, world).unwrap();
    cells.sort_by(|a, b| a.lat.total_cmp(&b.lat));
    let counts: Vec<u64> = cells.iter().map(|c| c.count).collect();
    assert_eq!(counts, vec![1, 1, 2, 1], "{cells:?}");
    assert_eq!(cells[0].bounds, [-40.0, 150.0, -30.0, 160.0]);
    assert_eq!(cells[1].bounds, [-20.0, -80.0, -10.0, -70.0]);
    assert!((cells[2].lat - 41.895).abs() < 1e-9);
    // 40° cells: Rome and Paris together.
    let big = cat.place_cells(40.0, world).unwrap();
    assert!(big.iter().any(|c| c.count == 3), "{big:?}");
    // Only what is in view.
    let europe = cat.place_cells(10.0, [35.0, -10.0, 60.0, 30.0]).unwrap();
    assert_eq!(europe.iter().map(|c| c.count).sum::<u64>(), 3);
    // A cell's photos as a timeline.
    let b = cells[2].bounds.map(|d| (d * 1e6) as i64);
    let v = View::Area(b);
    assert_eq!(cat.buckets(&v).unwrap()[0].count, 2);
    assert_eq!(cat.assets_in_month(&v, "2024-05").unwrap().len(), 2);
}

#[test]
fn months_roll_over() {
    assert_eq!(next_month("2023-07").as_deref(), Some("2023-08"));
    assert_eq!(next_month("2023-12").as_deref(), Some("2024-01"));
    assert_eq!(next_month("2023-13"), None);
    assert_eq!(next_month("garbage"), None);
}
