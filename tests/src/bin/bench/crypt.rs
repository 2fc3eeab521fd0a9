//! The encrypted backup and the memory of big transfers, against rclone crypt.

use super::stores::*;
use super::*;

use anyhow::Result;
use std::path::Path;
use std::process::{Command, Stdio};

/// First backup of `n` camera photos to `rclone serve s3`: unencrypted, encrypted (rclone crypt
/// format), and `rclone copy` into a crypt remote over the same server, each on a fresh server,
/// taking turns to go first; medians of `rounds`, with client CPU seconds.
pub(crate) fn bench_crypt(work: &Path, n: usize, rounds: usize) -> Result<()> {
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

/// Peak RSS of moving one big video (a real MP4 padded to `mb` MB) to `rclone serve s3` and back:
/// `shoebox backup` vs `rclone copyto` up, `shoebox restore` vs `rclone copyto` down, each
/// process measured alone (wait4). The file is written in chunks so this process stays small
/// (a child's peak RSS starts at its parent's).
pub(crate) fn bench_memory(work: &Path, mb: usize) -> Result<()> {
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
