//! Secrets never in logs, a planted snapshot refused, big originals through stores in bounded memory.

use super::*;
use serde_json::Value;
use shoebox_tests::servers::Server;
use std::path::Path;
use std::process::{Command, Stdio};

/// Finding 4: with `SHOEBOX_LOG=trace` nothing logs a store secret (S3 signing, WebDAV
/// password, the services' "backend build" lines).
#[test]
pub(crate) fn trace_logs_hold_no_secret() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    Jpeg::new(32, 24)
        .taken("2023:07:01 12:00:00", None)
        .write(&src.join("a.jpg"));
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);
    for (name, server) in [
        ("s3", Server::rclone_s3()),
        ("dav", Server::rclone_webdav(false)),
        ("vault", Server::rclone_s3().encrypted()),
    ] {
        let mut secrets: Vec<String> = server.secrets.iter().map(|(_, v)| v.clone()).collect();
        // An encrypted store's password (the recovery code) is a secret too.
        secrets.extend(server.recovery_code.clone());
        assert!(!secrets.is_empty());
        let mut all_logs = String::new();
        let mut add = sb(&home, &lib, &["target", "add", name]);
        add.args(server.cli_args()).env("SHOEBOX_LOG", "trace");
        let o = add.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        all_logs += &String::from_utf8_lossy(&o.stderr);
        for args in [
            vec!["backup", "--target", name, "--json"],
            vec!["verify", "--target", name, "--deep", "--json"],
        ] {
            let o = sb(&home, &lib, &args)
                .env("SHOEBOX_LOG", "trace")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            all_logs += &String::from_utf8_lossy(&o.stderr);
        }
        assert!(
            all_logs.lines().count() > 5,
            "trace logging is on (got {} lines)",
            all_logs.lines().count()
        );
        for s in &secrets {
            assert!(
                !all_logs.contains(s.as_str()),
                "the {name} secret {s:?} is in the logs"
            );
        }
    }
}

/// Finding 8: another device's snapshot is opened as untrusted: one carrying a trigger Shoebox
/// never writes (a new one, or one of its own with another body) is refused and nothing is
/// restored from it.
#[test]
pub(crate) fn a_snapshot_with_a_planted_trigger_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    Jpeg::new(32, 24)
        .taken("2023:07:01 12:00:00", None)
        .write(&src.join("a.jpg"));
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);
    let s = Server::fs();
    let mut add = sb(&home, &lib, &["target", "add", "t"]);
    add.args(s.cli_args());
    run_ok(&mut add, 0);
    json(
        &mut sb(&home, &lib, &["backup", "--target", "t", "--json"]),
        0,
    );
    let cat_dir = std::fs::read_dir(s.backing.join("catalogs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut pointer: Value =
        serde_json::from_slice(&std::fs::read(cat_dir.join("latest.json")).unwrap()).unwrap();
    let snap = s.backing.join(pointer["snapshot"].as_str().unwrap());
    let clean = std::fs::read(&snap).unwrap();
    // A trigger of its own, and one of Shoebox's (the search index's) with another body.
    for (sql, named) in [
        (
            "CREATE TRIGGER evil AFTER UPDATE ON assets BEGIN DELETE FROM settings; END;",
            "trigger evil",
        ),
        (
            "DROP TRIGGER search_asset_new; CREATE TRIGGER search_asset_new AFTER INSERT ON assets \
             BEGIN DELETE FROM settings; END;",
            "trigger search_asset_new",
        ),
    ] {
        std::fs::write(&snap, &clean).unwrap();
        {
            let db = rusqlite::Connection::open(&snap).unwrap();
            db.execute_batch(sql).unwrap();
        }
        let bytes = std::fs::read(&snap).unwrap();
        pointer["blake3"] = blake3::hash(&bytes).to_hex().to_string().into();
        pointer["size"] = bytes.len().into();
        std::fs::write(
            cat_dir.join("latest.json"),
            serde_json::to_vec(&pointer).unwrap(),
        )
        .unwrap();
        let dest = t.path().join("restored");
        let mut c = sb(&home, &lib, &["restore", "--json", "--to"]);
        c.arg(&dest).args(s.cli_args());
        let o = c.output().unwrap();
        let text = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(text.contains(named), "{text}");
        assert!(
            !text.contains("search_asset_edit"),
            "Shoebox's own triggers pass: {text}"
        );
        assert!(!dest.join(".shoebox/catalog.db").exists());
    }
}

/// Runs `cmd` and returns its output with the peak RSS of that process alone (wait4), so the
/// store servers the test started do not count.
#[allow(unsafe_code)]
#[allow(clippy::zombie_processes)] // reaped by wait4, which clippy does not know
pub(crate) fn run_measured(mut cmd: Command) -> (std::process::Output, u64) {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut b = Vec::new();
        out.read_to_end(&mut b).unwrap();
        b
    });
    let e = std::thread::spawn(move || {
        let mut b = Vec::new();
        err.read_to_end(&mut b).unwrap();
        b
    });
    let mut status = 0;
    // SAFETY: wait4 writes only into the two out-parameters we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    use std::os::unix::process::ExitStatusExt;
    let output = std::process::Output {
        status: std::process::ExitStatus::from_raw(if code >= 0 { code << 8 } else { status }),
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    };
    (output, ru.ru_maxrss as u64 * 1024)
}

/// Finding 5: backup, verify --deep, repair and restore stream big originals: a 256 MB video
/// goes to a folder and to S3 and back with each process staying well below its size.
#[test]
pub(crate) fn big_originals_move_through_stores_with_bounded_memory() {
    const SIZE: usize = 256 << 20;
    const BOUND: u64 = 128 << 20;
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let lib = t.path().join("lib");
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    // A real MP4 followed by a big `free` box: a valid file that is mostly padding. Written a
    // chunk at a time: a child's peak RSS starts at its parent's (fork copies the high-water
    // mark), so this process must stay small for the figures to mean anything.
    let want = {
        use std::io::Write;
        let head = std::fs::read(data_dir().join("sample.mp4")).unwrap();
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(src.join("VID_BIG.mp4")).unwrap());
        let mut h = blake3::Hasher::new();
        let mut put = |b: &[u8]| {
            h.update(b);
            f.write_all(b).unwrap();
        };
        put(&head);
        put(&((SIZE + 8) as u32).to_be_bytes());
        put(b"free");
        let mut rng = fastrand::Rng::with_seed(5);
        let mut chunk = vec![0u8; 1 << 20];
        for _ in 0..SIZE >> 20 {
            rng.fill(&mut chunk);
            put(&chunk);
        }
        f.flush().unwrap();
        h.finalize().to_hex().to_string()
    };
    json(sb(&home, &lib, &["import", "--json"]).arg(&src), 0);

    for (name, server) in [("disk", Server::fs()), ("s3", Server::rclone_s3())] {
        let mut add = sb(&home, &lib, &["target", "add", name]);
        add.args(server.cli_args());
        run_ok(&mut add, 0);
        let mut figures = Vec::new();
        // What each run said, shown if its peak is over the bound (seen once in CI, 2026-11-30:
        // an S3 backup at 259 MB, never again in 11 runs).
        let mut said = Vec::new();
        for args in [
            vec!["backup", "--target", name, "--json"],
            vec!["verify", "--target", name, "--deep", "--json"],
        ] {
            let (o, rss) = run_measured(sb(&home, &lib, &args));
            assert!(
                o.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            figures.push((args[0], rss));
            said.push(o);
        }
        let stored = std::fs::read_dir(server.backing.join("originals"))
            .unwrap()
            .count();
        assert!(stored > 0);

        // The library loses the original; repair fetches it back from this store.
        let placed = files_below(&lib.join("originals"));
        assert_eq!(placed.len(), 1);
        std::fs::remove_file(&placed[0]).unwrap();
        let (o, rss) = run_measured(sb(
            &home,
            &lib,
            &["verify", "--target", name, "--repair", "--json"],
        ));
        assert!(
            o.status.code().is_some(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Hashed as a stream: reading it whole would raise this process's RSS, which the
        // next child would inherit.
        let streamed = |p: &Path| shoebox_layout::hash_file(p).unwrap().into_string();
        assert_eq!(streamed(&placed[0]), want, "repaired byte for byte");
        figures.push(("repair", rss));
        said.push(o);

        let dest = t.path().join(format!("restored-{name}"));
        let mut c = sb(&home, &lib, &["restore", "--json", "--to"]);
        c.arg(&dest).args(server.cli_args());
        let (o, rss) = run_measured(c);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        figures.push(("restore", rss));
        said.push(o);
        let restored = files_below(&dest.join("originals"));
        assert_eq!(restored.len(), 1);
        assert_eq!(streamed(&restored[0]), want, "restored byte for byte");
        eprintln!(
            "{name}: peak RSS per process for a {} MB original: {}",
            SIZE >> 20,
            figures
                .iter()
                .map(|(k, v)| format!("{k} {} MB", v >> 20))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for ((k, v), o) in figures.into_iter().zip(&said) {
            assert!(
                v < BOUND,
                "{name} {k} peaked at {} MB; it said: {} {}",
                v >> 20,
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}
