//! `shoebox`: the command-line face of a Shoebox library. Its commands and JSON fields are a
//! stable contract for scripts: fields are added, never renamed.

mod progress;

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde::Serialize;
use shoebox_engine::{Asset, Library, Settings};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// Shoebox: your photos and videos as plain files, indexed and verified.
#[derive(Parser)]
#[command(name = "shoebox", version, about)]
struct Cli {
    /// Library folder [default: your Pictures folder + Shoebox]
    #[arg(long, global = true, env = "SHOEBOX_LIBRARY", value_name = "DIR")]
    library: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Copy photos and videos (files or folders, recursively) into the library.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// One JSON object on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the library, newest first.
    Ls {
        #[arg(long)]
        json: bool,
    },
    /// Read files' metadata without importing them.
    Inspect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also hash each file (reads it whole).
        #[arg(long)]
        hash: bool,
        #[arg(long)]
        json: bool,
    },
    /// Everything about one asset, by hash (or its first characters) or path.
    Show {
        hash_or_path: String,
        #[arg(long)]
        json: bool,
    },
    /// Counts, sizes, settings and the last import.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every original against the catalog. Reports; never deletes.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Import automatically from folders (e.g. the one Syncthing fills from your phone).
    Watch {
        #[command(subcommand)]
        action: WatchAction,
    },
    /// Show or change the library's settings.
    Settings {
        #[command(subcommand)]
        action: Option<SettingsAction>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum WatchAction {
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

#[derive(Subcommand)]
enum SettingsAction {
    /// Set one: allowed_extensions (comma-separated), max_file_size (e.g. 4G), grid_size, preview_size.
    Set { key: String, value: String },
    /// Back to the defaults.
    Reset,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SHOEBOX_LOG"))
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn open(cli: &Cli) -> Result<Library> {
    let root = match &cli.library {
        Some(p) => p.clone(),
        None => Library::default_root()?,
    };
    let lib = Library::open(&root)?;
    if let Some(r) = lib.reconciled() {
        if !r.adopted.is_empty() {
            eprintln!(
                "note: finished {} file(s) an interrupted import had already copied",
                r.adopted.len()
            );
        }
        for p in &r.untracked {
            eprintln!(
                "warning: {p} is in the library but not in the catalog (kept; see `shoebox check`)"
            );
        }
    }
    Ok(lib)
}

fn print_json<T: Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Import { paths, json } => {
            let mut lib = open(&cli)?;
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Importing");
            let report = lib.import(paths, &|p| bar.update(p), &AtomicBool::new(false), &|| {
                eprintln!("Another import is running on this library; waiting for it to finish…")
            })?;
            bar.finish();
            if *json {
                print_json(&report)?;
            } else {
                let c = &report.counts;
                println!(
                    "Imported {} ({}), {} duplicate(s), {} skipped, {} rejected.",
                    c.imported,
                    human(c.bytes_imported),
                    c.duplicates,
                    c.skipped,
                    c.rejected
                );
                for d in &report.duplicates {
                    println!("  duplicate  {}: {}", d.path, d.reason);
                }
                for r in &report.rejected {
                    println!("  rejected   {}: {}", r.path, r.reason);
                }
                if !report.skipped.is_empty() {
                    println!(
                        "  ({} skipped by the extension, size or hidden-file rules; --json lists them)",
                        report.skipped.len()
                    );
                }
            }
            Ok(if report.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Ls { json } => {
            let lib = open(&cli)?;
            let assets = lib.list()?;
            if *json {
                print_json(&assets)?;
            } else {
                let mut out = std::io::stdout().lock();
                for a in &assets {
                    writeln!(
                        out,
                        "{:<19}  {}  {:>9}  {}",
                        a.meta.taken_at.local.format("%Y-%m-%d %H:%M:%S"),
                        a.meta.kind.as_str(),
                        human(a.size),
                        a.path
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { files, hash, json } => {
            let results = Library::inspect(files, *hash);
            let failed = results.iter().any(|r| r.error.is_some());
            if *json {
                print_json(&results)?;
            } else {
                for r in &results {
                    match (&r.meta, &r.error) {
                        (Some(m), _) => println!(
                            "{}: {} {}×{} taken {} ({}){}",
                            r.file,
                            m.kind.as_str(),
                            m.width.unwrap_or(0),
                            m.height.unwrap_or(0),
                            m.taken_at,
                            m.taken_at_source.as_str(),
                            m.model
                                .as_deref()
                                .map(|c| format!(", {c}"))
                                .unwrap_or_default()
                        ),
                        (None, Some(e)) => println!("{}: cannot read: {e}", r.file),
                        _ => {}
                    }
                }
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Show { hash_or_path, json } => {
            let lib = open(&cli)?;
            let a = lib.show(hash_or_path)?;
            if *json {
                print_json(&a)?;
            } else {
                print_asset(&a);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { json } => {
            let lib = open(&cli)?;
            let s = lib.status()?;
            if *json {
                print_json(&s)?;
            } else {
                println!("Library     {}", s.library);
                println!(
                    "Assets      {} ({} photos, {} videos), {}",
                    s.assets,
                    s.by_kind.photo,
                    s.by_kind.video,
                    human(s.bytes)
                );
                println!("No preview  {}", s.thumbnails_missing);
                match &s.last_import {
                    Some(i) => println!(
                        "Last import {}: {} imported, {} duplicates, {} skipped, {} rejected",
                        i.finished_at, i.imported, i.duplicates, i.skipped, i.rejected
                    ),
                    None => println!("Last import never"),
                }
                println!("Extensions  {}", s.settings.allowed_extensions.join(", "));
                println!("Max size    {}", human(s.settings.max_file_size));
                println!(
                    "Previews    HEIC {}, video posters {}",
                    if s.heic_previews {
                        "yes"
                    } else {
                        "no (built without libheif)"
                    },
                    if s.video_posters {
                        "yes"
                    } else {
                        "no (install ffmpeg)"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { json } => {
            let lib = open(&cli)?;
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Checking");
            let r = lib.check(&|p| bar.update(p))?;
            bar.finish();
            if *json {
                print_json(&r)?;
            } else {
                for p in &r.problems {
                    println!("{:<9}  {}: {}", p.kind, p.path, p.detail);
                }
                println!(
                    "Checked {} original(s), {}: {} ok, {} problem(s). Catalog: {}.",
                    r.checked,
                    human(r.bytes),
                    r.ok,
                    r.problems.len(),
                    r.catalog_integrity
                );
            }
            Ok(if r.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Watch { action } => {
            let mut lib = open(&cli)?;
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
                    lib.watch_run(&STOP, &log)?;
                    log("stopped");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Settings { action, json } => {
            let mut lib = open(&cli)?;
            match action {
                Some(SettingsAction::Set { key, value }) => {
                    let mut s = lib.settings().clone();
                    s.set(key, value)?;
                    lib.save_settings(s)?;
                }
                Some(SettingsAction::Reset) => lib.save_settings(Settings::default())?,
                None => {}
            }
            if *json {
                print_json(lib.settings())?;
            } else {
                let s = lib.settings();
                println!("allowed_extensions  {}", s.allowed_extensions.join(","));
                println!(
                    "max_file_size       {} ({})",
                    s.max_file_size,
                    human(s.max_file_size)
                );
                println!("grid_size           {}", s.grid_size);
                println!("preview_size        {}", s.preview_size);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_asset(a: &Asset) {
    let m = &a.meta;
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    println!("Path         {}", a.path);
    println!("Name         {}", a.original_name);
    println!("Hash         {}", a.hash);
    println!("Kind         {} ({})", m.kind.as_str(), m.mime);
    println!("Size         {}", human(a.size));
    println!(
        "Taken        {} (from {})",
        m.taken_at,
        m.taken_at_source.as_str()
    );
    println!(
        "Dimensions   {}",
        opt(m.width.zip(m.height).map(|(w, h)| format!("{w}×{h}")))
    );
    println!(
        "Camera       {}",
        opt(match (&m.make, &m.model) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.clone().or(b.clone()),
        })
    );
    println!("Lens         {}", opt(m.lens.clone()));
    println!(
        "Exposure     {}",
        opt(Some(
            [
                m.exposure_time.map(|t| if t < 1.0 {
                    format!("1/{:.0}s", 1.0 / t)
                } else {
                    format!("{t}s")
                }),
                m.f_number.map(|f| format!("f/{f:.1}")),
                m.iso.map(|i| format!("ISO {i}")),
                m.focal_length_mm.map(|f| format!("{f:.0} mm")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
        )
        .filter(|s| !s.is_empty()))
    );
    println!(
        "Place        {}",
        opt(m.gps.map(|g| format!("{:.6}, {:.6}", g.lat, g.lon)))
    );
    if let Some(d) = m.duration_ms {
        println!("Duration     {:.1} s", d as f64 / 1000.0);
    }
    println!("Imported     {}", a.imported_at);
    println!(
        "Thumbnail    {}",
        if a.has_thumbnail { "yes" } else { "no preview" }
    );
}

fn chrono_now() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let s = d.as_secs();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60,
        d.subsec_millis()
    )
}

fn human(n: u64) -> String {
    indicatif::BinaryBytes(n).to_string()
}
