//! `shoebox watch`: import automatically from folders (e.g. the one Syncthing fills from your phone).

use crate::*;

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
    /// Watch in the foreground until Ctrl-C or SIGTERM, importing files once they have settled.
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
        WatchAction::Run => {
            static STOP: AtomicBool = AtomicBool::new(false);
            ctrlc::set_handler(|| STOP.store(true, std::sync::atomic::Ordering::Relaxed))?;
            let log = |msg: &str| {
                let now = chrono_now();
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{now} {msg}");
                let _ = out.flush();
            };
            log(&format!(
                "watching {} folder(s) for {}; Ctrl-C to stop",
                lib.settings().watch_folders.len(),
                lib.root().display()
            ));
            lib.watch_run(&STOP, &|e| log(&e.message))?;
            log("stopped");
        }
    }
    Ok(ExitCode::SUCCESS)
}
