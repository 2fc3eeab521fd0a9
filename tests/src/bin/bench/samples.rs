//! Sample folders and catalogs the benches and the README's first command use.

use super::*;
use anyhow::{Result, bail};
use shoebox_tests::{Jpeg, near_copies, scene, textured_pixels};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A dozen photos with real EXIF across three years, plus the HEIC and video fixtures.
pub(crate) fn sample(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let places = [(48, 51, 3024), (40, 41, 2100), (35, 39, 3100)];
    for i in 0..12u64 {
        let (y, m, d) = (2022 + i / 5, 1 + (i * 5) % 12, 1 + (i * 7) % 28);
        let name = format!("IMG_{:04}.JPG", 100 + i);
        Jpeg::new(1600, 1200)
            .seed(i)
            .taken(
                &format!("{y}:{m:02}:{d:02} 1{}:2{}:00", i % 10, i % 6),
                Some("+01:00"),
            )
            .camera("Shoebox", "Sample Cam", "Sample 35mm")
            .exposure(100 * (1 + i as u16 % 8), 125 << (i % 4), 28 + i as u32, 35)
            .gps(places[i as usize % 3], false, (2, 17, 4020), false, 35)
            .orientation(if i % 4 == 3 { 6 } else { 1 })
            .write(&dir.join(name));
    }
    std::fs::write(dir.join("IMG_2001.HEIC"), shoebox_tests::SAMPLE_HEIC)?;
    std::fs::write(
        dir.join("VID_20210304_050607.mp4"),
        shoebox_tests::SAMPLE_MP4,
    )?;
    println!("wrote a 14-file sample to {}", dir.display());
    Ok(())
}

/// A beach photo from a camera and four copies of it (resized, re-encoded at quality 60,
/// cropped, brightened), for the app's duplicates test.
pub(crate) fn near_copies_sample(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let img = scene("beach", 4242, 1200, 900);
    Jpeg::new(1200, 900)
        .pixels(img.as_raw().clone())
        .camera("Shoebox", "Sample Cam", "Sample 35mm")
        .taken("2018:08:14 16:20:00", Some("+02:00"))
        .write(&dir.join("Beach.jpg"));
    for (n, (_, bytes)) in near_copies(&img).into_iter().enumerate() {
        std::fs::write(dir.join(format!("Beach copy {}.jpg", n + 1)), bytes)?;
    }
    println!("wrote a photo and 4 copies to {}", dir.display());
    Ok(())
}

/// A camera's RAW+JPEG pair (`DSC_0001.NEF` and `DSC_0001.JPG`), for the app's RAW test.
pub(crate) fn raw_pair_sample(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("DSC_0001.NEF"),
        shoebox_tests::nef("2017:05:06 07:08:09", 1),
    )?;
    Jpeg::new(600, 400)
        .pixels(scene("forest", 7, 600, 400).as_raw().clone())
        .camera("NIKON CORPORATION", "NIKON Z 6", "24-70mm f/4")
        .taken("2017:05:06 07:08:09", Some("+01:00"))
        .write(&dir.join("DSC_0001.JPG"));
    println!("wrote a RAW+JPEG pair to {}", dir.display());
    Ok(())
}

/// A photo whose file name and EXIF caption are markup, for the app's injection test.
pub(crate) fn hostile_sample(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    Jpeg::new(640, 480)
        .seed(99)
        .taken("2019:05:06 07:08:09", None)
        .description(r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"#)
        .write(&dir.join("<img src=x onerror=window.__pwned=3>.jpg"));
    println!("wrote a hostile sample to {}", dir.display());
    Ok(())
}

/// A library whose catalog holds `count` assets over 20 years (for the app's benchmark). Only
/// the catalog and thumbnails are real: every asset's thumbnails are hard links to one JPEG, and
/// there are no originals.
pub(crate) fn synthetic_catalog(dir: &Path, count: usize) -> Result<()> {
    use shoebox_catalog::{Catalog, NewAsset, ThumbState};
    use shoebox_types::{CaptureTime, Kind, Metadata, TimeSource};
    if dir.join(".shoebox/catalog.db").exists() {
        bail!("{} already holds a library", dir.display());
    }
    drop(shoebox_engine::Library::open(dir)?);
    let mut cat = Catalog::open(&dir.join(".shoebox/catalog.db"))?;
    let thumbs = dir.join(".shoebox/thumbs");
    let proto_jpeg = Jpeg::new(320, 213).seed(7);
    let start = chrono::NaiveDate::from_ymd_opt(2006, 1, 1).unwrap();
    let span_secs = 20 * 365 * 86_400i64;
    let mut batch = Vec::new();
    for i in 0..count {
        let hash = blake3::hash(format!("synthetic {i}").as_bytes())
            .to_hex()
            .to_string();
        let secs = (i as i64 * span_secs) / count as i64;
        let local = start.and_hms_opt(8, 0, 0).unwrap() + chrono::Duration::seconds(secs);
        let taken = CaptureTime {
            local,
            offset_minutes: Some(60),
        };
        let (w, h) = match i % 5 {
            0 => (3000, 4000),
            1 => (4000, 2250),
            _ => (4000, 3000),
        };
        let video = i % 40 == 0;
        batch.push(NewAsset {
            path: format!(
                "originals/{}/IMG_{i:06}.{}",
                taken.folder(),
                if video { "MP4" } else { "JPG" }
            ),
            original_name: format!("IMG_{i:06}.{}", if video { "MP4" } else { "JPG" }),
            size: 3_000_000,
            meta: Metadata {
                width: Some(w),
                height: Some(h),
                make: Some("Synthetic".into()),
                model: Some("Bench".into()),
                iso: Some(100),
                exposure_time: Some(0.008),
                f_number: Some(2.8),
                focal_length_mm: Some(26.0),
                duration_ms: video.then_some(12_000),
                ..Metadata::bare(
                    if video { Kind::Video } else { Kind::Photo },
                    if video { "video/mp4" } else { "image/jpeg" },
                    taken,
                    TimeSource::Exif,
                )
            },
            thumb_state: ThumbState::Ok,
            source_path: None,
            hash: hash.clone(),
        });
        // A file system allows only so many links to one inode (ext4: 65,000).
        let proto = thumbs.join(format!("proto-{}.jpg", i / 20_000));
        if i % 20_000 == 0 {
            proto_jpeg.write(&proto);
        }
        let sub = thumbs.join(&hash[..2]);
        std::fs::create_dir_all(&sub)?;
        for size in [320, 1440] {
            std::fs::hard_link(&proto, sub.join(format!("{hash}-{size}.jpg")))?;
        }
        if batch.len() == 5000 {
            cat.insert_assets(&batch)?;
            batch.clear();
        }
    }
    cat.insert_assets(&batch)?;
    println!(
        "wrote a synthetic library of {count} assets to {}",
        dir.display()
    );
    Ok(())
}

pub(crate) fn catalog_names(lib: &Path) -> Result<std::collections::HashSet<String>> {
    let db = rusqlite::Connection::open_with_flags(
        lib.join(".shoebox/catalog.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    db.busy_timeout(Duration::from_secs(10))?;
    let mut stmt = db.prepare("SELECT original_name FROM assets")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

pub(crate) fn tiny_jpeg(base: &[u8], i: u64) -> Vec<u8> {
    let mut b = base.to_vec();
    b.extend_from_slice(&i.to_le_bytes());
    b
}

/// A library of `n` camera-sized photos: 12 MP, about 3 MB. Sixteen pictures, each file made
/// unique by bytes after the end of the image (so every file has its own hash and is uploaded).
pub(crate) fn camera_library(work: &Path, n: usize) -> Result<PathBuf> {
    let bases = std::sync::OnceLock::<Vec<Vec<u8>>>::new();
    bench_library(work, "big", n, &|i| {
        let bases = bases.get_or_init(|| {
            (0..16u64)
                .map(|s| {
                    Jpeg::new(4000, 3000)
                        .pixels(textured_pixels(4000, 3000, s, 34))
                        .bytes()
                })
                .collect()
        });
        tiny_jpeg(&bases[i % bases.len()], i as u64)
    })
}
