//! `shoebox watch`: import automatically from folders (e.g. the one Syncthing fills from your phone).

use crate::*;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: WatchAction,
}

#[derive(Subcommand)]
pub enum WatchAction {
    /// Watch a folder. Its files are copied, never changed, moved or deleted.
    Add {
        dir: PathBuf,
        /// Poll instead of waiting for events (network shares, where events do not arrive).
        #[arg(long)]
        poll: bool,
    },
    /// The watch folders.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop watching a folder (imported files stay).
    Remove { dir: PathBuf },
    /// Watch in the foreground until Ctrl-C or SIGTERM, importing files once they have settled,
    /// and back up and verify on the schedule (`settings set backup_every 1h`). What
    /// `shoebox service install` runs.
    Run,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { action } = args;
    let mut lib = open(cli)?;
    match action {
        WatchAction::Add { dir, poll } => {
            let w = lib.watch_add(dir, *poll)?;
            if !Path::new(&w.path).is_dir() {
                eprintln!(
                    "note: {} does not exist yet; it is watched once it appears",
                    w.path
                );
            }
            println!(
                "watching {}{}",
                w.path,
                if w.poll { " (polling)" } else { "" }
            );
        }
        WatchAction::List { json } => {
            let folders = &lib.settings().watch_folders;
            if *json {
                print_json(folders)?;
            } else if folders.is_empty() {
                println!("no watch folders; add one with `shoebox watch add DIR`");
            } else {
                for w in folders {
                    println!("{}{}", w.path, if w.poll { "  (polling)" } else { "" });
                }
            }
        }
        WatchAction::Remove { dir } => {
            lib.watch_remove(dir)?;
            println!("no longer watching {}", dir.display());
        }
        WatchAction::Run => run_foreground(&mut lib)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per event on stdout, with the time (the journal adds its own when run as a service).
fn log(msg: &str) {
    let now = chrono_now();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{now} {msg}");
    let _ = out.flush();
}

/// Watches and runs the schedule until Ctrl-C or SIGTERM; a scheduled backup in flight stops
/// after the transfers it has started.
fn run_foreground(lib: &mut Library) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;
    let s = lib.settings();
    log(&format!(
        "watching {} folder(s) for {}; backups every {}, verify every {}, deep verify every {}; \
         Ctrl-C to stop",
        s.watch_folders.len(),
        lib.root().display(),
        s.backup_every,
        s.verify_every,
        s.deep_verify_every
    ));
    for t in lib.schedule(chrono::Utc::now())? {
        if !t.active {
            log(&format!(
                "target {}: no scheduled backups until it is backed up once (`shoebox backup --target {}`)",
                t.target, t.target
            ));
        }
    }
    let root = lib.root().to_path_buf();
    let sched_stop = stop.clone();
    let scheduler = std::thread::Builder::new()
        .name("schedule".into())
        .spawn(move || {
            // Progress of a long job: a line every 10 s at most, so the journal stays readable.
            let last = std::sync::Mutex::new(None::<std::time::Instant>);
            shoebox_engine::run_schedule(&root, &sched_stop, &|e| match &e.progress {
                None => log(&e.message),
                Some(p) => {
                    let Ok(mut last) = last.lock() else { return };
                    if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
                        *last = Some(std::time::Instant::now());
                        log(&format!(
                            "{}: {} {}/{} files, {}/{}",
                            e.message,
                            p.phase,
                            p.done,
                            p.total,
                            human(p.bytes_done),
                            human(p.bytes_total)
                        ));
                    }
                }
            })
        })?;
    let watched = if lib.settings().watch_folders.is_empty() {
        log("no watch folders (add one with `shoebox watch add DIR`); running the schedule only");
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    } else {
        lib.watch_run(&stop, &|e| log(&e.message))
    };
    // Also when watching failed: the scheduled job in flight ends its transfers first.
    stop.store(true, Ordering::SeqCst);
    let _ = scheduler.join();
    log("stopped");
    Ok(watched?)
}
