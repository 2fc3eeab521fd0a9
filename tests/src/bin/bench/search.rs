//! Search on a large synthetic catalog, against SQLite FTS5 by hand.

use anyhow::Result;
use std::time::Instant;

pub(crate) fn bench_search(count: usize, rounds: usize) -> Result<()> {
    use shoebox_catalog::{Catalog, NewAsset, SearchFilter, ThumbState, View};
    use shoebox_types::{CaptureTime, Gps, Kind, Metadata, TimeSource};
    let dir = tempfile::tempdir()?;
    let mut cat = Catalog::open(&dir.path().join("catalog.db"))?;
    const CAMERAS: &[(&str, &str)] = &[
        ("Apple", "iPhone 12"),
        ("Apple", "iPhone 15 Pro"),
        ("Google", "Pixel 6"),
        ("Canon", "EOS R6"),
        ("FUJIFILM", "X100V"),
        ("NIKON CORPORATION", "NIKON Z 6"),
        ("samsung", "SM-G991B"),
    ];
    const WORDS: &[&str] = &[
        "beach",
        "Rome",
        "birthday",
        "Trastevere",
        "dinner",
        "sunset",
        "mountains",
        "Café",
        "garden",
        "snow",
        "wedding",
        "Montréal",
        "market",
        "river",
        "museum",
        "harbour",
    ];
    let start = chrono::NaiveDate::from_ymd_opt(2006, 1, 1).unwrap();
    let span = 20 * 365 * 86_400i64;
    let mut hashes = Vec::with_capacity(count);
    let mut batch = Vec::new();
    for i in 0..count {
        let hash = blake3::hash(format!("search {i}").as_bytes())
            .to_hex()
            .to_string();
        let local = start.and_hms_opt(8, 0, 0).unwrap()
            + chrono::Duration::seconds((i as i64 * span) / count as i64);
        let taken = CaptureTime {
            local,
            offset_minutes: Some(60),
        };
        let (make, model) = CAMERAS[i % CAMERAS.len()];
        let caption = (i % 7 == 0).then(|| {
            format!(
                "{} {}",
                WORDS[i % WORDS.len()],
                WORDS[(i / 7) % WORDS.len()]
            )
        });
        let video = i % 40 == 0;
        batch.push(NewAsset {
            path: format!("originals/{}/IMG_{i:06}.JPG", taken.folder()),
            original_name: format!("IMG_{i:06}.{}", if video { "MP4" } else { "JPG" }),
            size: 3_000_000,
            meta: Metadata {
                width: Some(4000),
                height: Some(3000),
                make: Some(make.into()),
                model: Some(model.into()),
                iso: Some(100),
                gps: (i % 3 == 0).then_some(Gps {
                    lat: 41.9,
                    lon: 12.5,
                    alt: None,
                }),
                description: caption,
                ..Metadata::bare(
                    if video { Kind::Video } else { Kind::Photo },
                    "image/jpeg",
                    taken,
                    TimeSource::Exif,
                )
            },
            thumb_state: ThumbState::Ok,
            source_path: None,
            hash: hash.clone(),
        });
        hashes.push(hash);
        if batch.len() == 5000 {
            cat.insert_assets(&batch)?;
            batch.clear();
        }
    }
    cat.insert_assets(&batch)?;
    let hashes = hashes
        .iter()
        .map(|h| shoebox_engine::Hash::parse(h))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    // An album per 500 photos in a row, a keyword on every 11th.
    for (n, chunk) in hashes.chunks(500).enumerate() {
        let id = cat.album_create(&format!("{} {}", WORDS[n % WORDS.len()], 2006 + n % 20))?;
        cat.album_add(id, chunk)?;
    }
    let tagged: Vec<_> = hashes.iter().step_by(11).cloned().collect();
    cat.set_tidy(&tagged, "keyword:family", &serde_json::json!(true))?;

    let t = Instant::now();
    let indexed = cat.refresh_search()?;
    let build = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(dir.path().join("catalog.db"))?.len();

    let queries: &[&str] = &[
        "rome",
        "beach 2019",
        "july 2019",
        "2019-07",
        "2012-03-04",
        "canon",
        "iphone 15",
        "pixel",
        "cafe",
        "montreal",
        "family",
        "family beach",
        "IMG_000421",
        "sunset mountains",
        "wedding 2010",
        "x100",
        "nikon z",
        "december",
        "harbour 2020",
        "zanzibar",
    ];
    let naive_where = |q: &str| -> String {
        q.split_whitespace()
            .map(|w| {
                format!(
                    "(original_name || ' ' || coalesce(make, '') || ' ' || coalesce(model, '') || ' ' \
                     || coalesce(description, '') || ' ' || taken_local) LIKE '%{}%'",
                    w.replace('\'', "''")
                )
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let naive = rusqlite::Connection::open(dir.path().join("catalog.db"))?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut hits = Vec::new();
    for round in 0..rounds {
        for q in queries {
            let view = View::Search((*q).to_owned(), SearchFilter::default());
            let t = Instant::now();
            let b = cat.buckets(&view)?;
            for m in b.iter().take(2) {
                cat.assets_in_month(&view, &m.month)?;
            }
            ours.push(t.elapsed().as_secs_f64() * 1000.0);
            if round == 0 {
                hits.push(b.iter().map(|x| x.count).sum::<u64>());
            }
            let t = Instant::now();
            let sql = format!(
                "SELECT substr(taken_local, 1, 7) AS m, count(*) FROM assets WHERE {} \
                 AND trashed_at IS NULL GROUP BY m ORDER BY m DESC",
                naive_where(q)
            );
            let n: i64 = naive
                .prepare(&sql)?
                .query_map([], |r| r.get::<_, i64>(1))?
                .map(|r| r.unwrap_or(0))
                .sum();
            std::hint::black_box(n);
            theirs.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    let (o50, o99) = (pct(&mut ours, 0.5), pct(&mut ours, 0.99));
    let (n50, n99) = (pct(&mut theirs, 0.5), pct(&mut theirs, 0.99));
    println!(
        "search at {count} photos: index built in {build:.2} s ({indexed} rows; catalog {:.0} MB)",
        size as f64 / 1e6
    );
    for (q, n) in queries.iter().zip(&hits) {
        println!("  {q:<18} {n:>6} found");
    }
    println!(
        "per keystroke (buckets + first two months), {} queries x {rounds}: p50 {o50:.2} ms, p99 {o99:.2} ms",
        queries.len()
    );
    println!(
        "naive LIKE (buckets only, same SQLite): p50 {n50:.2} ms, p99 {n99:.2} ms — ratio p50 {:.1}x, p99 {:.1}x",
        n50 / o50,
        n99 / o99
    );

    // Places: the gazetteer's tree built once, then random positions over the inhabited
    // latitudes named one by one.
    use shoebox_engine::places::place_at;
    let t = Instant::now();
    std::hint::black_box(place_at(41.9, 12.5));
    let init = t.elapsed().as_secs_f64();
    let mut rng = fastrand::Rng::with_seed(20261130);
    let points: Vec<(f64, f64)> = (0..200_000)
        .map(|_| (rng.f64() * 130.0 - 55.0, rng.f64() * 360.0 - 180.0))
        .collect();
    let t = Instant::now();
    let named = points
        .iter()
        .filter(|(lat, lon)| place_at(*lat, *lon).is_some())
        .count();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "reverse geocoding: gazetteer loaded in {init:.2} s; {:.0} points/s ({named} of {} random points within {} km of a town)",
        points.len() as f64 / secs,
        points.len(),
        shoebox_engine::places::MAX_KM
    );
    Ok(())
}
