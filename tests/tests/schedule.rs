//! Scheduled backups and verifies: the rules driven with an injected clock against a real
//! library and folder store, and the systemd unit `shoebox service install` writes, run the way
//! systemd would run it. (No systemd runs on these machines, so `systemctl` itself is not
//! exercised here: the unit's command line is.)

use chrono::{Duration, Utc};
use shoebox_engine::{Job, Library, Scheduler};
use shoebox_tests::*;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn photos(dir: &Path, seed: u64, n: u64) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        Jpeg::new(160, 120)
            .seed(seed + i)
            .write(&dir.join(format!("S{seed}_{i}.JPG")));
    }
}

fn pending(lib: &Library) -> u64 {
    lib.target_status()
        .unwrap()
        .into_iter()
        .find(|t| t.name == "t")
        .unwrap()
        .pending_uploads
}

#[test]
fn the_schedule_backs_up_verifies_and_backs_off_from_a_store_that_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let (lib_dir, store) = (tmp.path().join("lib"), tmp.path().join("store"));
    let mut lib = Library::open(&lib_dir).unwrap();
    let quiet = AtomicBool::new(false);
    photos(&tmp.path().join("a"), 10, 3);
    lib.import(&[tmp.path().join("a")], &|_| {}, &quiet, &|| {})
        .unwrap();
    let opts = [("root".to_string(), store.display().to_string())]
        .into_iter()
        .collect();
    lib.target_add("t", "fs", opts, Default::default()).unwrap();
    lib.target_remove("local").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut s = Scheduler::default();
    let mut tick = |lib: &mut Library, at| -> Vec<(Job, bool)> {
        s.tick(lib, at, &stop, &|_| {})
            .unwrap()
            .into_iter()
            .map(|r| {
                assert_eq!(r.target, "t");
                assert!(r.message.contains(if r.ok { "of t: " } else { "failed" }));
                (r.job, r.ok)
            })
            .collect()
    };
    let t0 = Utc::now();

    // Never backed up by hand: nothing runs on its own (the first backup is a person's choice).
    assert_eq!(tick(&mut lib, t0 + Duration::days(3)), vec![]);
    assert!(!lib.schedule(t0).unwrap()[0].active);
    assert!(
        files_below(&store).is_empty(),
        "nothing was written to the store"
    );

    lib.backup(Some("t"), &|_| {}, &|| {}, None).unwrap();
    // The backup by hand counts: nothing is due (the verifies start a period from now).
    assert_eq!(tick(&mut lib, t0 + Duration::minutes(1)), vec![]);
    let sched = lib.schedule(t0).unwrap().remove(0);
    assert!(sched.active);
    assert!(sched.next_verify.unwrap() > (t0 + Duration::days(6)).to_rfc3339());

    // New photos: backed up two minutes after the import, not an hour later.
    photos(&tmp.path().join("b"), 20, 2);
    lib.import(&[tmp.path().join("b")], &|_| {}, &quiet, &|| {})
        .unwrap();
    assert_eq!(pending(&lib), 2);
    let t1 = Utc::now();
    assert_eq!(tick(&mut lib, t1 + Duration::seconds(60)), vec![]);
    assert_eq!(
        tick(&mut lib, t1 + Duration::seconds(150)),
        vec![(Job::Backup, true)]
    );
    assert_eq!(pending(&lib), 0, "the scheduled backup sent the new photos");
    assert_eq!(tick(&mut lib, t1 + Duration::seconds(160)), vec![]);

    // The period: an hour, then a week for the verify, a month for the deep verify (which
    // stands in for the sampled one).
    assert_eq!(
        tick(&mut lib, t1 + Duration::minutes(61)),
        vec![(Job::Backup, true)]
    );
    assert_eq!(
        tick(&mut lib, t1 + Duration::days(8)),
        vec![(Job::Backup, true), (Job::Verify, true)]
    );
    let sched = lib.schedule(t1).unwrap().remove(0);
    assert!(sched.active && sched.last_deep_verify.is_none());
    assert_eq!(
        tick(&mut lib, t1 + Duration::days(31)),
        vec![(Job::Backup, true), (Job::DeepVerify, true)]
    );
    assert!(
        lib.schedule(t1).unwrap()[0].last_deep_verify.is_some(),
        "the deep verify is remembered"
    );

    // The store goes away (a disk unplugged): the jobs fail, are not retried at every tick,
    // and succeed once it is back.
    std::fs::rename(&store, tmp.path().join("unplugged")).unwrap();
    // (Times recorded by the jobs are real ones: the deep verify just now counts from now.)
    let t2 = t1 + Duration::days(8);
    assert_eq!(
        tick(&mut lib, t2),
        vec![(Job::Backup, false), (Job::Verify, false)]
    );
    assert_eq!(tick(&mut lib, t2 + Duration::minutes(1)), vec![]);
    assert_eq!(tick(&mut lib, t2 + Duration::minutes(5)), vec![]);
    assert_eq!(
        tick(&mut lib, t2 + Duration::minutes(11)),
        vec![(Job::Backup, false), (Job::Verify, false)]
    );
    let status = lib.target_status().unwrap().remove(0);
    assert!(status.last_error.is_some(), "{status:?}");
    std::fs::rename(tmp.path().join("unplugged"), &store).unwrap();
    assert_eq!(
        tick(&mut lib, t2 + Duration::minutes(22)),
        vec![(Job::Backup, true), (Job::Verify, true)]
    );
    // Originals in the library were never touched by any of it.
    let check = lib.check(&|_| {}).unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}

/// The words of an `ExecStart=` line as systemd splits them (double-quoted words, `\"` and
/// `\\` inside, `%%` and `$$` for one `%` or `$`).
fn exec_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut w = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => w.push(chars.next().unwrap()),
                    '%' | '$' => {
                        assert_eq!(chars.next(), Some(c), "a lone {c} in {line}");
                        w.push(c)
                    }
                    c => w.push(c),
                }
            }
            words.push(w);
        } else {
            assert_eq!(c, ' ', "unquoted text in {line}");
        }
    }
    words
}

#[test]
fn the_service_unit_runs_watch_and_scheduled_backups_until_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    // A library path with a space and a percent sign: the unit must quote both.
    let (lib, home, store, inbox) = (
        tmp.path().join("My 100% Photos"),
        tmp.path().join("home"),
        tmp.path().join("store"),
        tmp.path().join("phone"),
    );
    std::fs::create_dir_all(&home).unwrap();
    let sb = |args: &[&str]| {
        let mut c = shoebox(&lib, args);
        c.env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"));
        c
    };
    run_ok(
        sb(&["target", "add", "t", "--scheme", "fs", "--opt"])
            .arg(format!("root={}", store.display())),
        0,
    );
    run_ok(&mut sb(&["target", "remove", "local"]), 0);
    photos(&tmp.path().join("first"), 40, 2);
    run_ok(sb(&["import"]).arg(tmp.path().join("first")), 0);
    run_ok(&mut sb(&["backup", "--target", "t"]), 0);
    run_ok(&mut sb(&["settings", "set", "backup_every", "1s"]), 0);
    run_ok(&mut sb(&["settings", "set", "verify_every", "1s"]), 0);
    run_ok(sb(&["watch", "add"]).arg(&inbox), 0);

    let out = run_ok(&mut sb(&["service", "install", "--no-start"]), 0);
    let said = String::from_utf8_lossy(&out.stdout);
    let unit_file = home.join(".config/systemd/user/shoebox.service");
    assert!(said.contains(&unit_file.display().to_string()), "{said}");
    let unit = std::fs::read_to_string(&unit_file).unwrap();
    assert!(
        unit.contains("[Install]\nWantedBy=default.target"),
        "{unit}"
    );
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    let words = exec_words(exec);
    assert_eq!(
        words[1..],
        [
            "--library".to_string(),
            lib.display().to_string(),
            "watch".into(),
            "run".into()
        ]
    );
    assert_eq!(
        std::fs::canonicalize(&words[0]).unwrap(),
        std::fs::canonicalize(shoebox_bin()).unwrap()
    );

    // Run the unit's command as systemd would (its own environment, stdout to the journal:
    // here a file), with a photo arriving in the watched folder.
    let log = tmp.path().join("journal.log");
    let mut child = std::process::Command::new(&words[0])
        .args(&words[1..])
        .env("HOME", &home)
        .env("SHOEBOX_SECRETS_FILE", home.join("secrets.json"))
        .env_remove("SHOEBOX_LIBRARY")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    photos(&inbox, 60, 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let journal = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        // Backed up after the watched photo was imported: the scheduled backup that sent it.
        if let Some(i) = text.find("1 imported,")
            && text[i..].contains("scheduled backup and sync of t: 1 photo(s) sent")
            && text.contains("scheduled verify of t:")
        {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline && child.try_wait().unwrap().is_none(),
            "no scheduled backup of the watched photo: {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(
        journal.contains("scheduled verify of t:") && journal.contains("clean"),
        "{journal}"
    );
    let status = json(&mut sb(&["status", "--json"]), 0);
    assert_eq!(status["targets"][0]["pending_uploads"], 0, "{status}");
    assert!(status["schedule"][0]["active"].as_bool().unwrap());
    let text = run_ok(&mut sb(&["status"]), 0);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(
            "Schedule    back up and sync every 1s, verify every 1s, deep verify every 30d"
        ),
        "{text}"
    );

    // SIGTERM, as `systemctl stop` sends it: a clean exit.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .ends_with("stopped\n")
    );

    // One unit name, one library: a second library must take another name.
    let other = tmp.path().join("other");
    let out = run_ok(
        shoebox(&other, &["service", "install", "--no-start"])
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config")),
        2,
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--name"),
        "{out:?}"
    );
    run_ok(
        shoebox(
            &other,
            &["service", "install", "--no-start", "--name", "other"],
        )
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config")),
        0,
    );
    run_ok(&mut sb(&["service", "uninstall"]), 0);
    assert!(!unit_file.exists());
    assert!(home.join(".config/systemd/user/other.service").exists());
}
