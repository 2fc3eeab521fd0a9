//! Import, the library's photos and watch folders, against cp, exiftool and ImageMagick.

use super::*;
use anyhow::{Context, Result};
use shoebox_tests::proxy::Proxy;
use shoebox_tests::{Jpeg, textured_pixels};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One set of benchmark photos: `count` 12 MP JPEGs of noise up to `grain`, made once.
pub(crate) fn bench_photos(dir: &Path, count: usize, grain: u8) -> Result<Vec<PathBuf>> {
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

pub(crate) fn bench_import(work: &Path, count: usize, rounds: usize) -> Result<()> {
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

/// Detection latency (close of a file to its catalog row, minus the quiet period) and burst
/// throughput, with `inotifywait -m -r -e close_write` counting the same burst beside it.
pub(crate) fn bench_watch(work: &Path, count: usize, quiet_ms: u64) -> Result<()> {
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

/// A library of `n` files made of `make(i)` (made in parallel), imported; returns its folder.
/// Cached between runs under a name that includes `n`; the source files are removed after the
/// import to spare the disk.
pub(crate) fn bench_library(
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

pub(crate) fn tree_bytes(dir: &Path) -> u64 {
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
pub(crate) fn settle() -> Result<()> {
    anyhow::ensure!(Command::new("sync").status()?.success(), "sync failed");
    Ok(())
}

pub(crate) fn counts(p: &Proxy) -> String {
    let by = p.by_method();
    let total: usize = by.values().sum();
    let parts: Vec<String> = by.iter().map(|(m, n)| format!("{n} {m}")).collect();
    if parts.is_empty() {
        "0 requests".into()
    } else {
        format!("{total} requests ({})", parts.join(", "))
    }
}
