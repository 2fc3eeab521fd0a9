//! Watch folders, with the real `shoebox watch run` process and real files.

use shoebox_tests::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

struct Watching {
    child: Option<Child>,
    lib: PathBuf,
    log: PathBuf,
}

impl Watching {
    fn start(lib: &Path, dirs: &[&Path], quiet_ms: u64) -> Watching {
        for d in dirs {
            run_ok(shoebox(lib, &["watch", "add"]).arg(d), 0);
        }
        run_ok(
            &mut shoebox(
                lib,
                &["settings", "set", "watch_quiet_ms", &quiet_ms.to_string()],
            ),
            0,
        );
        Self::restart(lib)
    }

    fn restart(lib: &Path) -> Watching {
        let log = lib.with_extension(format!("log{}", fastrand::u32(..)));
        let child = shoebox(lib, &["watch", "run"])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let w = Watching {
            child: Some(child),
            lib: lib.to_owned(),
            log,
        };
        w.wait_log("new file(s) found", Duration::from_secs(30));
        w
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_log(&self, needle: &str, limit: Duration) {
        let start = Instant::now();
        while !self.log().contains(needle) {
            assert!(
                start.elapsed() < limit,
                "no {needle:?} in the log after {limit:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn count(&self) -> usize {
        let db = rusqlite::Connection::open_with_flags(
            self.lib.join(".shoebox/catalog.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        db.busy_timeout(Duration::from_secs(10)).unwrap();
        db.query_row("SELECT COUNT(*) FROM assets", [], |r| r.get::<_, i64>(0))
            .unwrap() as usize
    }

    /// Waits until the library holds `n` assets, and fails if it ever holds more.
    fn wait_count(&self, n: usize, limit: Duration) {
        let start = Instant::now();
        loop {
            let c = self.count();
            assert!(c <= n, "{c} assets, expected {n}:\n{}", self.log());
            if c == n {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "{c} of {n} assets after {limit:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, then a clean exit.
    #[allow(unsafe_code)]
    fn stop(mut self) -> String {
        let mut child = self.child.take().unwrap();
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "watch run exits cleanly on SIGTERM: {status:?}\n{}",
                    self.log()
                );
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "watch run ignored SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = self.log();
        assert!(log.contains("stopped"), "{log}");
        log
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn assets(lib: &Path) -> Vec<serde_json::Value> {
    json(&mut shoebox(lib, &["ls", "--json"]), 0)
        .as_array()
        .unwrap()
        .clone()
}

/// Small distinct JPEGs fast: one encoded picture with a distinct trailer after its end marker.
fn tiny_jpegs() -> impl FnMut(u64) -> Vec<u8> {
    let base = Jpeg::new(16, 16).bytes();
    move |i| {
        let mut b = base.clone();
        b.extend_from_slice(&i.to_le_bytes());
        b
    }
}

#[test]
fn a_burst_of_20000_files_is_imported_once_each() {
    let t = tempfile::tempdir().unwrap();
    let inbox = t.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let lib = t.path().join("lib");
    // The kernel's queue (16384 by default) overflows only when the reader falls behind, which
    // notify's thread rarely does on an idle machine. To exercise the overflow path every time,
    // the watcher's inotify instance is created while max_queued_events is 256 (root only; the
    // limit is read when an instance is created, so it is restored at once).
    let knob = Path::new("/proc/sys/fs/inotify/max_queued_events");
    let old = std::fs::read_to_string(knob).unwrap_or_default();
    let lowered = std::fs::write(knob, "256").is_ok();
    let w = Watching::start(&lib, &[&inbox], 500);
    if lowered {
        std::fs::write(knob, old.trim()).unwrap();
    } else {
        eprintln!("not root: the overflow path is exercised only if the queue overflows by itself");
    }
    let mut make = tiny_jpegs();
    const N: u64 = 20_000;
    // More than the kernel's default inotify queue (16384): the overflow path has to work.
    for i in 0..N {
        let dir = inbox.join(format!("d{}", i / 2000));
        if i % 2000 == 0 {
            std::fs::create_dir(&dir).unwrap();
        }
        std::fs::write(dir.join(format!("IMG_{i:05}.JPG")), make(i)).unwrap();
    }
    w.wait_count(N as usize, Duration::from_secs(600));
    std::thread::sleep(Duration::from_secs(2)); // nothing more arrives
    assert_eq!(w.count(), N as usize);
    let log = w.stop();
    eprintln!(
        "overflow rescans: {}",
        log.lines().filter(|l| l.contains("overflowed")).count()
    );
    let check = json(&mut shoebox(&lib, &["check", "--json"]), 0);
    assert_eq!(check["ok"], N);
}

#[test]
fn a_file_written_slowly_is_imported_once_whole() {
    let t = tempfile::tempdir().unwrap();
    let inbox = t.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let lib = t.path().join("lib");
    let w = Watching::start(&lib, &[&inbox], 1000);
    // A 50 MB video: the sample MP4 and a 50 MB `free` box, written 2 MB at a time over ~5 s.
    let mut bytes = std::fs::read(data_dir().join("sample.mp4")).unwrap();
    let pad = 50 << 20;
    bytes.extend_from_slice(&((pad + 8) as u32).to_be_bytes());
    bytes.extend_from_slice(b"free");
    bytes.resize(bytes.len() + pad, 0);
    let want = blake3::hash(&bytes).to_hex().to_string();
    let path = inbox.join("VID_20230102_123456.mp4");
    let mut f = std::fs::File::create(&path).unwrap();
    for chunk in bytes.chunks(2 << 20) {
        f.write_all(chunk).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(f);
    w.wait_count(1, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(3));
    let log = w.stop();
    let a = assets(&lib);
    assert_eq!(a.len(), 1, "{log}");
    assert_eq!(
        a[0]["hash"],
        want.as_str(),
        "the final content, never a partial copy"
    );
    assert!(
        !log.contains("rejected /"),
        "no partial copy was tried: {log}"
    );
}

#[test]
fn syncthing_temp_names_catch_up_deletes_and_disappearing_folders() {
    let t = tempfile::tempdir().unwrap();
    let inbox = t.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let lib = t.path().join("lib");
    let mut make = tiny_jpegs();
    // Present before the first start: imported by the start-up scan.
    std::fs::write(inbox.join("before.jpg"), make(1)).unwrap();
    // A symlink loop inside the folder costs nothing.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&inbox, inbox.join("loop")).unwrap();
    let w = Watching::start(&lib, &[&inbox], 300);
    w.wait_count(1, Duration::from_secs(30));

    // Syncthing writes a temp name, then renames into place.
    let tmp = inbox.join(".syncthing.IMG_1.JPG.tmp");
    std::fs::write(&tmp, make(2)).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(w.count(), 1, "a temp name is never imported");
    std::fs::rename(&tmp, inbox.join("IMG_1.JPG")).unwrap();
    std::fs::write(inbox.join("~syncthing~IMG_2.JPG.tmp"), make(3)).unwrap();
    std::fs::write(inbox.join("IMG_3.jpg.part"), make(4)).unwrap();
    w.wait_count(2, Duration::from_secs(30));
    let names: Vec<String> = assets(&lib)
        .iter()
        .map(|a| a["original_name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"IMG_1.JPG".to_owned()), "{names:?}");

    // Deleting from the watched folder deletes nothing in the library.
    std::fs::remove_file(inbox.join("IMG_1.JPG")).unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(w.count(), 2);
    assert!(
        lib.join(
            assets(&lib)
                .iter()
                .find(|a| a["original_name"] == "IMG_1.JPG")
                .unwrap()["path"]
                .as_str()
                .unwrap()
        )
        .is_file()
    );

    // A rejected file is reported once, not retried in a loop.
    std::fs::write(inbox.join("broken.jpg"), b"not a jpeg at all, just text").unwrap();
    w.wait_log("rejected /", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(1500));
    let log = w.stop();
    assert_eq!(log.matches("broken.jpg").count(), 1, "{log}");

    // Added while stopped: imported at the next start, and nothing already handled is redone.
    std::fs::write(inbox.join("while-stopped.jpg"), make(5)).unwrap();
    let w = Watching::restart(&lib);
    w.wait_count(3, Duration::from_secs(30));
    w.wait_log("1 new file(s) found", Duration::from_secs(5));

    // The folder goes away (a USB disk) and comes back with new files.
    std::fs::remove_dir_all(&inbox).unwrap();
    w.wait_log("is gone", Duration::from_secs(30));
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(inbox.join("after-return.jpg"), make(6)).unwrap();
    w.wait_count(4, Duration::from_secs(30));
    let log = w.stop();
    assert!(log.contains("waiting for it to come back"), "{log}");
    let list = json(&mut shoebox(&lib, &["watch", "list", "--json"]), 0);
    assert_eq!(
        list[0]["path"],
        inbox.canonicalize().unwrap().display().to_string()
    );
    run_ok(shoebox(&lib, &["watch", "remove"]).arg(&inbox), 0);
    assert_eq!(
        json(&mut shoebox(&lib, &["watch", "list", "--json"]), 0)
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn polling_mode_finds_files_without_events() {
    let t = tempfile::tempdir().unwrap();
    let inbox = t.path().join("share");
    std::fs::create_dir(&inbox).unwrap();
    let lib = t.path().join("lib");
    run_ok(shoebox(&lib, &["watch", "add", "--poll"]).arg(&inbox), 0);
    let w = Watching::start(&lib, &[], 300);
    let mut make = tiny_jpegs();
    std::fs::write(inbox.join("a.jpg"), make(1)).unwrap();
    std::fs::write(inbox.join("b.jpg"), make(2)).unwrap();
    w.wait_count(2, Duration::from_secs(30));
    w.stop();
}

#[test]
fn the_library_itself_cannot_be_watched() {
    let t = tempfile::tempdir().unwrap();
    let lib = t.path().join("lib");
    let out = run_ok(
        shoebox(&lib, &["watch", "add"]).arg(lib.join("originals")),
        2,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("overlaps the library"));
    // With no watch folder, `watch run` (the service) still runs the backup schedule, and says
    // how to add a folder.
    let mut child = shoebox(&lib, &["watch", "run"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !said.contains("running the schedule only") {
        assert!(std::time::Instant::now() < deadline, "{said}");
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut out, &mut line).unwrap() == 0 {
            panic!("watch run ended: {said}");
        }
        said.push_str(&line);
    }
    assert!(said.contains("shoebox watch add"), "{said}");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}
