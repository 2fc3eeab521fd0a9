//! `shoebox-bench share`: publishing an album as a shared gallery on `rclone serve s3` (each
//! object encrypted and proven on the store), against `rclone copy` of the same thumbnails and
//! previews, unencrypted, to the same server; and the same share signed (the target without a
//! public address, every object's address signed by its credentials).

use super::*;
use shoebox_tests::Jpeg;
use std::path::Path;

pub(crate) fn bench_share(work: &Path, count: usize, rounds: usize) -> Result<()> {
    let shoebox = bin_dir()?.join("shoebox");
    anyhow::ensure!(
        shoebox.exists(),
        "build it first: cargo build --release -p shoebox-cli"
    );
    std::fs::create_dir_all(work)?;
    let lib = bench_library(work, "share", count, &|i| {
        Jpeg::new(1600, 1200)
            .seed(i as u64)
            .taken("2024:06:01 12:00:00", None)
            .bytes()
    })?;
    let home = work.join("home-share");
    let s3 = start_s3(&work.join("s3-share"))?;
    point_bench(&shoebox, &home, &lib, s3.port)?;
    let sb = |args: &[&str]| sb_cmd(&shoebox, &home, &lib, args);
    let hashes: Vec<String> = {
        let out = sb(&["ls", "--json"]).stdout(Stdio::piped()).output()?;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        v.as_array()
            .context("ls --json")?
            .iter()
            .filter_map(|a| a["hash"].as_str().map(str::to_owned))
            .collect()
    };
    let _ = sb(&["album", "delete", "Bench"])
        .stderr(Stdio::null())
        .status();
    for chunk in hashes.chunks(500) {
        let mut c = sb(&["album", "add", "Bench"]);
        c.args(chunk);
        anyhow::ensure!(c.status()?.success(), "album add failed");
    }
    anyhow::ensure!(
        sb(&[
            "target",
            "set",
            "bench",
            "--public-url",
            "http://127.0.0.1:1/"
        ])
        .status()?
        .success(),
        "target set failed"
    );
    let thumbs = lib.join(".shoebox/thumbs");
    let files = shoebox_tests::files_below(&thumbs);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!(
        "share: an album of {count} photos: {} thumbnails and previews, {:.1} MB",
        files.len(),
        bytes as f64 / 1e6
    );

    let (mut ours, mut signed, mut peer) = (Vec::new(), Vec::new(), Vec::new());
    let public = |on: bool| -> Result<()> {
        let url = if on { "http://127.0.0.1:1/" } else { "none" };
        anyhow::ensure!(
            sb(&["target", "set", "bench", "--public-url", url])
                .status()?
                .success(),
            "target set failed"
        );
        Ok(())
    };
    for round in 0..rounds {
        for turn in 0..3 {
            settle()?;
            let which = (round + turn) % 3;
            if which < 2 {
                public(which == 0)?;
                let t = Instant::now();
                let out = sb(&["share", "create", "Bench", "--target", "bench", "--json"])
                    .stdout(Stdio::piped())
                    .output()?;
                let took = t.elapsed().as_secs_f64();
                anyhow::ensure!(out.status.success(), "share create failed");
                if which == 0 {
                    ours.push(took);
                } else {
                    signed.push(took);
                }
                // The share goes, so every round starts from the same store.
                let list = sb(&["share", "list", "--json"])
                    .stdout(Stdio::piped())
                    .output()?;
                let v: serde_json::Value = serde_json::from_slice(&list.stdout)?;
                for s in v.as_array().context("share list")? {
                    let id = s["id"].as_str().context("id")?;
                    anyhow::ensure!(sb(&["share", "revoke", id]).status()?.success());
                }
            } else {
                let to = format!(
                    ":s3,provider=Other,endpoint='http://127.0.0.1:{}',access_key_id=AKBENCH,secret_access_key=SKBENCHSECRET:rclone/peer-{round}",
                    s3.port
                );
                let (t, _) = timed(Command::new("rclone").arg("copy").arg(&thumbs).arg(&to))?;
                peer.push(t);
            }
        }
    }
    public(true)?;
    gallery(&sb, work)?;
    let (o, sg, p) = (
        median(ours.clone()),
        median(signed.clone()),
        median(peer.clone()),
    );
    println!("  shoebox share create (encrypted, each object proven): median {o:.2} s  {ours:.2?}");
    println!(
        "  the same, signed (no public address):                median {sg:.2} s  {signed:.2?}"
    );
    println!("  rclone copy of the same files (plain, 4 transfers):  median {p:.2} s  {peer:.2?}");
    println!("  ratio shoebox / rclone: {:.2}", o / p);
    println!("  ratio signed / rclone: {:.2}", sg / p);
    Ok(())
}

/// The same album published on a folder that nginx serves, opened in Chromium by
/// `ui/e2e/share-perf.mjs`: the time to the first screen of thumbnails and to all of them.
fn gallery(sb: &dyn Fn(&[&str]) -> Command, work: &Path) -> Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/e2e/share-perf.mjs");
    if !Path::new("/usr/bin/chromium").exists() || !script.exists() {
        println!("  (the gallery's time needs Debian's chromium and the checkout's ui/e2e)");
        return Ok(());
    }
    let web = work.join("share-web");
    let _ = std::fs::remove_dir_all(&web);
    std::fs::create_dir_all(&web)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let root = web.join("store");
    let _ = sb(&["target", "remove", "web"])
        .stderr(Stdio::null())
        .status();
    anyhow::ensure!(
        sb(&["target", "add", "web", "--scheme", "fs", "--opt"])
            .arg(format!("root={}", root.display()))
            .status()?
            .success()
    );
    anyhow::ensure!(
        sb(&["target", "set", "web", "--public-url"])
            .arg(format!("http://127.0.0.1:{port}/"))
            .status()?
            .success()
    );
    let out = sb(&["share", "create", "Bench", "--target", "web", "--json"])
        .stdout(Stdio::piped())
        .output()?;
    anyhow::ensure!(out.status.success(), "share create on the folder failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let link = v["share"]["link"].as_str().context("link")?.to_owned();
    let id = v["share"]["id"].as_str().context("id")?.to_owned();
    let user = if shoebox_tests::servers::is_root() {
        "user root;"
    } else {
        ""
    };
    let d = web.display();
    std::fs::write(
        web.join("nginx.conf"),
        format!(
            "{user} daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log; \
             events {{}} http {{ types {{ text/html html; }} access_log off; \
             client_body_temp_path {d}/nb; proxy_temp_path {d}/np; fastcgi_temp_path {d}/nf; \
             uwsgi_temp_path {d}/nu; scgi_temp_path {d}/ns; \
             server {{ listen 127.0.0.1:{port}; root {}; }} }}",
            root.display()
        ),
    )?;
    let mut nginx = Command::new("nginx")
        .arg("-c")
        .arg(web.join("nginx.conf"))
        .arg("-e")
        .arg(web.join("error.log"))
        .spawn()?;
    std::thread::sleep(Duration::from_millis(500));
    let st = Command::new("node")
        .arg(&script)
        .arg(&link)
        .arg("3")
        .status();
    let _ = Command::new("kill").arg(nginx.id().to_string()).status();
    let _ = nginx.wait();
    let _ = sb(&["share", "revoke", &id]).status();
    anyhow::ensure!(st?.success(), "the gallery did not open");
    Ok(())
}
