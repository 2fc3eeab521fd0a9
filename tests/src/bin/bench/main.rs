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
//! shoebox-bench share [--count 500] [--rounds 3]               publishing a shared album vs rclone
//!                                                               copy of its thumbnails and previews
//! shoebox-bench faces [--rounds 5] [--scans 100,400]            faces found and described vs the
//!                                                               same models in Python; grouping;
//!                                                               a library scan's time and peak RSS
//! shoebox-bench search [--count 100000] [--rounds 15]           search latency per keystroke vs a
//!                                                               naive LIKE over the same catalog
//! shoebox-bench join-store DIR [--count 50000]                  the store a joining app reads (for
//!                                                               `scripts/bench.sh app`)
//! shoebox-bench sample DIR                                      a small sample to try Shoebox on
//! ```
//! Speed is reported as medians and ratios over rounds run in one process, on the same files;
//! nothing here asserts a time.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
mod crypt;
mod faces;
mod import;
mod samples;
mod search;
mod share;
mod stores;
mod views;

use crypt::*;
use faces::*;
use import::*;
use samples::*;
use search::*;
use share::*;
use stores::*;
use views::*;

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
        Some("share") => {
            let count: usize = flag("--count")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(500);
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(3);
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench"));
            bench_share(&work, count, rounds)
        }
        Some("faces") => {
            let rounds: usize = flag("--rounds")
                .map(|c| c.parse())
                .transpose()?
                .unwrap_or(5);
            let scans: Vec<usize> = flag("--scans")
                .unwrap_or_else(|| "100,400".into())
                .split(',')
                .map(|c| c.trim().parse())
                .collect::<std::result::Result<_, _>>()?;
            let work = flag("--work")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("shoebox-bench-faces"));
            bench_faces(&work, rounds, &scans)
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

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Runs `cmd`, which must succeed (exit 0: a backup with failures is not a figure):
/// (wall seconds, CPU seconds).
fn timed(cmd: &mut Command) -> Result<(f64, f64)> {
    let (wall, _, cpu, code) = measure(cmd)?;
    anyhow::ensure!(code == 0, "{cmd:?} exited with {code}");
    Ok((wall.as_secs_f64(), cpu))
}
