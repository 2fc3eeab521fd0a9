//! Takeout, look-alikes, the timeline and search on large synthetic catalogs.

use super::*;
use anyhow::{Result, bail};
use shoebox_tests::{Jpeg, textured_pixels};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Import of a generated Google Takeout of `n` photos (each with its JSON sidecar, a tenth of
/// them also in an album folder with its metadata.json) beside the same files without any
/// JSON: what matching the sidecars costs. Fresh library each time, taking turns; medians.
pub(crate) fn bench_takeout(work: &Path, n: usize, rounds: usize) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    let with = work.join(format!("takeout-{n}"));
    let without = work.join(format!("plain-{n}"));
    if !with.join("done").exists() {
        eprintln!("making a Takeout of {n} photos (cached for later runs) …");
        let _ = std::fs::remove_dir_all(&with);
        let _ = std::fs::remove_dir_all(&without);
        let bases: Vec<Vec<u8>> = (0..16u64)
            .map(|s| {
                Jpeg::new(640, 480)
                    .pixels(textured_pixels(640, 480, 70 + s, 30))
                    .bytes()
            })
            .collect();
        let year = with.join("Takeout/Google Photos/Photos from 2020");
        let album = with.join("Takeout/Google Photos/Trip to Lisbon");
        let plain_year = without.join("Photos from 2020");
        let plain_album = without.join("Trip to Lisbon");
        for d in [&year, &album, &plain_year, &plain_album] {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(
            album.join("metadata.json"),
            r#"{"title":"Trip to Lisbon","description":"","access":"protected","date":{"timestamp":"1600000000","formatted":"Sep 13, 2020"}}"#,
        )?;
        for i in 0..n {
            let name = format!("PXL_2020{:04}_{:06}.jpg", 101 + i % 1200, i);
            let bytes = tiny_jpeg(&bases[i % bases.len()], i as u64);
            let ts = 1_577_836_800 + i as u64 * 3_600;
            let json = format!(
                r#"{{"title":"{name}","description":"photo {i}","imageViews":"3","creationTime":{{"timestamp":"{}","formatted":""}},"photoTakenTime":{{"timestamp":"{ts}","formatted":""}},"geoData":{{"latitude":38.7{:02},"longitude":-9.1{:02},"altitude":0.0,"latitudeSpan":0.0,"longitudeSpan":0.0}},"geoDataExif":{{"latitude":0.0,"longitude":0.0,"altitude":0.0,"latitudeSpan":0.0,"longitudeSpan":0.0}},"favorited":{},"url":"https://photos.google.com/photo/x"}}"#,
                ts + 60,
                i % 100,
                (i * 7) % 100,
                i % 9 == 0
            );
            std::fs::write(year.join(&name), &bytes)?;
            std::fs::write(
                year.join(format!("{name}.supplemental-metadata.json")),
                &json,
            )?;
            std::fs::write(plain_year.join(&name), &bytes)?;
            if i % 10 == 0 {
                std::fs::write(album.join(&name), &bytes)?;
                std::fs::write(
                    album.join(format!("{name}.supplemental-metadata.json")),
                    &json,
                )?;
                std::fs::write(plain_album.join(&name), &bytes)?;
            }
        }
        // The same export as Google hands it out: one zip (deflated, as Takeout's are).
        let zip_path = work.join(format!("takeout-{n}.zip"));
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path)?);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for f in shoebox_tests::files_below(&with) {
            let rel = f.strip_prefix(&with)?.to_string_lossy().into_owned();
            if rel == "done" {
                continue;
            }
            z.start_file(rel, opts)?;
            std::io::Write::write_all(&mut z, &std::fs::read(&f)?)?;
        }
        z.finish()?;
        std::fs::write(with.join("done"), "")?;
    }
    let zip_path = work.join(format!("takeout-{n}.zip"));
    let mut times: [Vec<f64>; 3] = Default::default();
    let mut report = String::new();
    for round in 0..rounds {
        for turn in 0..3 {
            let which = (round + turn) % 3;
            let lib = work.join("lib");
            let _ = std::fs::remove_dir_all(&lib);
            settle()?;
            let src = match which {
                0 => &with,
                1 => &without,
                _ => &zip_path,
            };
            let mut cmd = Command::new(&shoebox);
            cmd.arg("--library")
                .arg(&lib)
                .args(["import", "--json"])
                .arg(src)
                .env("HOME", work.join("home"));
            let start = Instant::now();
            let out = cmd.output()?;
            let t = start.elapsed().as_secs_f64();
            anyhow::ensure!(out.status.success(), "import failed");
            if which == 0 {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
                report = format!(
                    "{} imported, {} matched with a sidecar, albums {}",
                    v["counts"]["imported"], v["takeout"]["matched"], v["takeout"]["albums"]
                );
            }
            times[which].push(t);
            eprintln!("  round {} turn {} done", round + 1, turn + 1);
        }
    }
    let (a, b, c) = (
        median(times[0].clone()),
        median(times[1].clone()),
        median(times[2].clone()),
    );
    println!(
        "import of {n} photos (+{} in an album folder), release, median of {rounds}, fresh library each:",
        n.div_ceil(10)
    );
    println!("  as a Google Takeout with sidecars: {a:.2} s ({report})");
    println!("  the same files without sidecars: {b:.2} s");
    println!(
        "  the Takeout as one zip, as downloaded: {c:.2} s ({:.1} % more than the unpacked folder: the unpacking)",
        (c - a) / a * 100.0
    );
    println!(
        "  sidecar matching and reading cost {:.1} % of the import (goal < 10 %)",
        (a - b) / b * 100.0
    );
    Ok(())
}

/// Search at `count` photos (issue 14): a catalog with varied cameras, captions, albums and
/// keywords; the index built from scratch (timed); then 20 typical queries, each `rounds`
/// times, timed as one keystroke costs the app — the month buckets of the results and the
/// photos of the first two months — beside a naive `LIKE` over the same text columns (buckets
/// only, no albums or keywords: less work), on the same SQLite, in the same process.
/// Perceptual hashing of a library: Shoebox works out each photo's look from its grid
/// thumbnail (made at import); findimagedupes (if installed) fingerprints the originals.
pub(crate) fn bench_looks(count: usize) -> Result<()> {
    use std::sync::atomic::AtomicBool;
    let work = tempfile::tempdir()?;
    let src = work.path().join("src");
    std::fs::create_dir_all(&src)?;
    for i in 0..count {
        let kind = shoebox_tests::SCENE_KINDS[i % 4];
        let img = shoebox_tests::scene(kind, 7000 + i as u64, 1600, 1200);
        std::fs::write(
            src.join(format!("P{i:05}.jpg")),
            shoebox_tests::jpeg_of(&img, 90),
        )?;
    }
    let root = work.path().join("lib");
    let mut lib = shoebox_engine::Library::open(&root)?;
    lib.import(
        std::slice::from_ref(&src),
        &|_| {},
        &AtomicBool::new(false),
        &|| {},
    )?;
    // Forget the looks the import worked out, and time working them out again.
    drop(lib);
    rusqlite::Connection::open(root.join(".shoebox/catalog.db"))?
        .execute("DELETE FROM looks", [])?;
    let mut lib = shoebox_engine::Library::open(&root)?;
    let t = Instant::now();
    let n = lib.fill_looks(&|_| {}, &AtomicBool::new(false))?;
    let ours = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let groups = lib.similar()?;
    let grouping = t.elapsed().as_secs_f64();
    println!(
        "looks of {n} photos (1600x1200) from their 320 px thumbnails: {:.0} photos/s; grouping {:.1} ms ({} groups)",
        n as f64 / ours,
        grouping * 1000.0,
        groups.len()
    );
    let on_path = |cmd: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
    };
    if on_path("findimagedupes") {
        let db = work.path().join("fid.db");
        let t = Instant::now();
        let out = Command::new("findimagedupes")
            .arg("-f")
            .arg(&db)
            .arg("-R")
            .arg("--")
            .arg(&src)
            .output()?;
        let theirs = t.elapsed().as_secs_f64();
        println!(
            "findimagedupes -R on the originals: {:.0} photos/s (exit {}) — it decodes each original; Shoebox reads the thumbnail import made: {:.1}x",
            count as f64 / theirs,
            out.status.code().unwrap_or(-1),
            theirs / ours
        );
    } else {
        println!("findimagedupes not installed: no peer figure (apt-get install findimagedupes)");
    }
    Ok(())
}

/// The timeline at `count` photos: month buckets of every view and the first screenful of the
/// newest month, beside the naive queries (a GROUP BY over every photo; a month read by its
/// prefix and sorted).
pub(crate) fn bench_timeline(count: usize, rounds: usize) -> Result<()> {
    use shoebox_catalog::{Catalog, NewAsset, SearchFilter, ThumbState, View};
    use shoebox_types::{CaptureTime, Kind, Metadata, TimeSource};
    let dir = tempfile::tempdir()?;
    let mut cat = Catalog::open(&dir.path().join("catalog.db"))?;
    let start = chrono::NaiveDate::from_ymd_opt(2006, 1, 1).unwrap();
    let span = 20 * 365 * 86_400i64;
    let t = Instant::now();
    let mut hashes = Vec::with_capacity(count);
    let mut batch = Vec::new();
    for i in 0..count {
        let hash = blake3::hash(format!("timeline {i}").as_bytes())
            .to_hex()
            .to_string();
        let local = start.and_hms_opt(8, 0, 0).unwrap()
            + chrono::Duration::seconds((i as i64 * span) / count as i64);
        let taken = CaptureTime {
            local,
            offset_minutes: Some(60),
        };
        batch.push(NewAsset {
            path: format!("originals/{}/IMG_{i:07}.JPG", taken.folder()),
            original_name: format!("IMG_{i:07}.JPG"),
            size: 3_000_000,
            meta: Metadata {
                width: Some(4000),
                height: Some(3000),
                make: Some(if i % 5 == 0 { "Canon" } else { "Apple" }.into()),
                model: Some(if i % 5 == 0 { "EOS R6" } else { "iPhone 12" }.into()),
                ..Metadata::bare(Kind::Photo, "image/jpeg", taken, TimeSource::Exif)
            },
            thumb_state: ThumbState::Ok,
            source_path: None,
            hash: hash.clone(),
        });
        hashes.push(hash);
        if batch.len() == 10_000 {
            cat.insert_assets(&batch)?;
            batch.clear();
        }
    }
    cat.insert_assets(&batch)?;
    let hashes = hashes
        .iter()
        .map(|h| shoebox_engine::Hash::parse(h))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    // A favourite in ten, one in a hundred in the trash, an album of 10,000 spread over the
    // years.
    let favs: Vec<_> = hashes.iter().step_by(10).cloned().collect();
    cat.set_favourite(&favs, true)?;
    let trash: Vec<_> = hashes.iter().skip(3).step_by(100).cloned().collect();
    cat.set_trashed(&trash, true)?;
    let album = cat.album_create("Best of")?;
    let members: Vec<_> = hashes.iter().step_by(count / 10_000).cloned().collect();
    cat.album_add(album, &members)?;
    cat.refresh_search()?;
    let made = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(dir.path().join("catalog.db"))?.len();
    println!(
        "timeline at {count} photos (catalog {:.0} MB, made in {made:.0} s)",
        size as f64 / 1e6
    );
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let time = |f: &mut dyn FnMut() -> Result<()>| -> Result<f64> {
        let mut v = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            f()?;
            v.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(median(v))
    };
    let views = [
        ("all", View::All),
        ("favourites", View::Favourites),
        ("trash", View::Trash),
        ("album of 10,000", View::Album(album)),
        (
            "search \"canon\"",
            View::Search("canon".into(), SearchFilter::default()),
        ),
        (
            "search \"img_00012\"",
            View::Search("img_00012".into(), SearchFilter::default()),
        ),
    ];
    println!("month buckets, median of {rounds}:");
    for (name, view) in &views {
        let kept = cat.buckets(view)?;
        let counted = cat.buckets_counted(view)?;
        if kept != counted {
            bail!("{name}: the kept counts differ from counting");
        }
        let photos: u64 = kept.iter().map(|b| b.count).sum();
        let ours = time(&mut || {
            std::hint::black_box(cat.buckets(view)?);
            Ok(())
        })?;
        let naive = time(&mut || {
            std::hint::black_box(cat.buckets_counted(view)?);
            Ok(())
        })?;
        println!(
            "  {name:<18} {:>4} months {photos:>8} photos: {ours:>8.2} ms  naive GROUP BY {naive:>8.2} ms  ({:.0}x)",
            kept.len(),
            naive / ours
        );
    }
    let newest = cat.buckets(&View::All)?[0].month.clone();
    let ours = time(&mut || {
        std::hint::black_box(cat.assets_in_month_page(&View::All, &newest, 0, 60)?);
        Ok(())
    })?;
    let naive_conn = rusqlite::Connection::open(dir.path().join("catalog.db"))?;
    let naive = time(&mut || {
        let mut stmt = naive_conn.prepare_cached(
            "SELECT * FROM assets NOT INDEXED WHERE substr(taken_local, 1, 7) = ?1 \
             AND trashed_at IS NULL AND motion_of IS NULL ORDER BY taken_local DESC, path LIMIT 60",
        )?;
        let n = stmt
            .query_map([&newest], |r| r.get::<_, String>(0))?
            .count();
        std::hint::black_box(n);
        Ok(())
    })?;
    println!(
        "first screenful (60) of the newest month: {ours:.2} ms  naive (month by prefix, no index) {naive:.2} ms  ({:.0}x)",
        naive / ours
    );
    Ok(())
}
