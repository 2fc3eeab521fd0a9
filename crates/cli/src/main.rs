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
    /// Backup targets: local folders, S3/MinIO, WebDAV, and other OpenDAL services.
    Target {
        #[command(subcommand)]
        action: TargetAction,
    },
    /// Back up new photos, thumbnails and the catalog to every enabled target (or one).
    Backup {
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Compare a target with the catalog and re-hash the library's originals.
    Verify {
        #[arg(long)]
        target: Option<String>,
        /// Read every object back and check its checksum.
        #[arg(long)]
        deep: bool,
        /// Read back this percentage of objects (when not --deep).
        #[arg(long, value_name = "PERCENT", default_value_t = 0.0)]
        sample: f64,
        /// Re-upload what the store lost or has damaged; fetch back damaged or lost originals.
        #[arg(long)]
        repair: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete from a target the photos this library no longer has (emptied from the trash).
    /// Backups are add-only otherwise; this asks first, and refuses after errors or when more
    /// than --max-share of the target would go.
    Prune {
        #[arg(long)]
        target: String,
        /// Largest share of the target's objects one prune may delete, in percent.
        #[arg(long, value_name = "PERCENT", default_value_t = 10.0)]
        max_share: f64,
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask (needed when not run from a terminal).
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Build a complete new library in DIR from a store alone.
    Restore {
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// A target of this library (--library).
        #[arg(long, conflicts_with = "scheme")]
        target: Option<String>,
        /// Or describe the store here: fs, s3, webdav, …
        #[arg(long)]
        scheme: Option<String>,
        #[arg(long = "opt", value_name = "KEY=VALUE")]
        opts: Vec<String>,
        #[arg(long = "secret", value_name = "KEY=VALUE")]
        secrets: Vec<String>,
        #[arg(long)]
        json: bool,
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
enum TargetAction {
    /// Add or replace a target, e.g. --scheme s3 --opt endpoint=http://nas:9000 --opt bucket=photos
    /// --secret access_key_id=… --secret secret_access_key=…
    Add {
        name: String,
        #[arg(long)]
        scheme: String,
        #[arg(long = "opt", value_name = "KEY=VALUE")]
        opts: Vec<String>,
        #[arg(long = "secret", value_name = "KEY=VALUE")]
        secrets: Vec<String>,
    },
    /// The targets (secrets are never shown).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Forget a target (nothing on the store is deleted).
    Remove { name: String },
    /// Check that a target can be reached, listed, written and read.
    Test {
        name: String,
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
    shoebox_engine::logging::init("error");
    shoebox_engine::quiet_decoder_panics();
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
                for t in &s.targets {
                    println!(
                        "Target      {} ({} {}): {} objects, {}, {} pending; last backup {}{}; last verify {}{}",
                        t.name,
                        t.scheme,
                        t.location,
                        t.objects,
                        human(t.bytes),
                        t.pending_uploads,
                        t.last_backup.as_deref().unwrap_or("never"),
                        t.last_result
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default(),
                        t.last_verify.as_deref().unwrap_or("never"),
                        match t.last_verify_ok {
                            Some(true) => " (clean)",
                            Some(false) => " (PROBLEMS)",
                            None => "",
                        },
                    );
                    if let Some(e) = &t.last_error {
                        println!("            last error: {e}");
                    }
                }
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
                    lib.watch_run(&STOP, &|e| log(&e.message))?;
                    log("stopped");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Target { action } => {
            let mut lib = open(&cli)?;
            match action {
                TargetAction::Add {
                    name,
                    scheme,
                    opts,
                    secrets,
                } => {
                    let where_ =
                        lib.target_add(name, scheme, key_values(opts)?, key_values(secrets)?)?;
                    println!("added target {name}");
                    if let Some(w) = where_ {
                        println!("secrets stored in {w}");
                    }
                }
                TargetAction::List { json } => {
                    let targets = lib.targets()?;
                    if *json {
                        print_json(&targets)?;
                    } else {
                        for t in targets {
                            println!(
                                "{:<12} {:<7} {}{}",
                                t.name,
                                t.scheme,
                                t.describe(),
                                if t.enabled { "" } else { "  (disabled)" }
                            );
                        }
                    }
                }
                TargetAction::Remove { name } => {
                    lib.target_remove(name)?;
                    println!("removed target {name}; the store itself is untouched");
                }
                TargetAction::Test { name, json } => {
                    let (_, from) = lib.open_target(name)?;
                    for f in from {
                        eprintln!("secret {f}");
                    }
                    let r = lib.target_test(name)?;
                    if *json {
                        print_json(&r)?;
                    } else {
                        println!("{}: {}", r.status, r.message);
                    }
                    return Ok(if r.status == "ok" {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    });
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { target, json } => {
            let mut lib = open(&cli)?;
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Backing up");
            let results = lib.backup(
                target.as_deref(),
                &|p| bar.update(p),
                &|| {
                    eprintln!(
                        "Another Shoebox job is writing this library; waiting for it to finish…"
                    )
                },
                None,
            )?;
            bar.finish();
            per_target(
                &results,
                *json,
                |rep| rep.failed.is_empty(),
                |rep| {
                    println!(
                        "{}: {} uploaded ({}), {} already there, {} failed{}",
                        rep.target,
                        rep.uploaded.len(),
                        human(rep.bytes_uploaded),
                        rep.already_there.len(),
                        rep.failed.len(),
                        rep.snapshot
                            .as_ref()
                            .map(|s| format!(", catalog snapshot {s}"))
                            .unwrap_or_default()
                    );
                    for f in &rep.failed {
                        println!("  failed {}: {}", f.key, f.reason);
                    }
                },
            )
        }
        Command::Verify {
            target,
            deep,
            sample,
            repair,
            json,
        } => {
            let mut lib = open(&cli)?;
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Verifying");
            let opts = shoebox_engine::VerifyOptions {
                deep: *deep,
                sample_percent: *sample,
                repair: *repair,
                concurrency: 8,
            };
            let results = lib.verify(target.as_deref(), &opts, &|p| bar.update(p))?;
            bar.finish();
            per_target(
                &results,
                *json,
                |rep| rep.is_clean(),
                |rep| {
                    for p in &rep.problems {
                        println!(
                            "  {:<13} {}: {}{}",
                            p.kind,
                            p.key,
                            p.detail,
                            if p.repaired { " — repaired" } else { "" }
                        );
                    }
                    println!(
                        "{}: {} object(s) checked, {} read back, {} original(s) re-hashed, {} problem(s){}",
                        rep.target,
                        rep.objects,
                        rep.objects_read_back,
                        rep.originals_checked,
                        rep.problems.len(),
                        if rep.problems.is_empty() {
                            String::new()
                        } else if rep.is_clean() {
                            ", all repaired".into()
                        } else {
                            " (run with --repair to mend them)".into()
                        }
                    );
                },
            )
        }
        Command::Prune {
            target,
            max_share,
            dry_run,
            yes,
            json,
        } => {
            let mut lib = open(&cli)?;
            let share = (max_share / 100.0).clamp(0.0, 1.0);
            // Look first; ask; then delete exactly what was shown.
            let plan = lib.prune(target, share, true)?;
            let confirmed = *dry_run
                || plan.candidates.is_empty()
                || plan.refused.is_some()
                || *yes
                || {
                    if !std::io::stdin().is_terminal() {
                        anyhow::bail!(
                            "prune would delete {} object(s) ({}) from {target}; pass --yes to confirm",
                            plan.candidates.len(),
                            human(plan.candidate_bytes)
                        );
                    }
                    eprint!(
                        "Delete {} object(s) ({}) of photos no longer in this library from {target}? [y/N] ",
                        plan.candidates.len(),
                        human(plan.candidate_bytes)
                    );
                    let mut answer = String::new();
                    std::io::stdin().read_line(&mut answer)?;
                    matches!(answer.trim(), "y" | "Y" | "yes")
                };
            let nothing_to_do =
                plan.candidates.is_empty() && plan.kept_for_other_devices.is_empty();
            let r = if *dry_run || plan.refused.is_some() || nothing_to_do || !confirmed {
                plan
            } else {
                lib.prune(target, share, false)?
            };
            if *json {
                print_json(&r)?;
            } else {
                for k in if *dry_run { &r.candidates } else { &r.deleted } {
                    println!(
                        "  {} {k}",
                        if *dry_run { "would delete" } else { "deleted" }
                    );
                }
                if !r.kept_for_other_devices.is_empty() {
                    println!(
                        "{target}: kept {} object(s) that another device of this store still relies on",
                        r.kept_for_other_devices.len()
                    );
                }
                match &r.refused {
                    Some(why) => println!("{target}: nothing more deleted — {why}"),
                    None if !confirmed => println!("{target}: nothing deleted"),
                    None if *dry_run => println!(
                        "{target}: {} object(s) ({}) would be deleted of {}",
                        r.candidates.len(),
                        human(r.candidate_bytes),
                        r.objects
                    ),
                    None => println!(
                        "{target}: deleted {} object(s) of photos no longer in this library",
                        r.deleted.len()
                    ),
                }
            }
            Ok(if r.refused.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Restore {
            to,
            target,
            scheme,
            opts,
            secrets,
            json,
        } => {
            let (t, secret) = match (target, scheme) {
                (Some(name), _) => shoebox_engine::target_of(&open(&cli)?, name)?,
                (None, Some(scheme)) => {
                    shoebox_engine::adhoc_target(scheme, key_values(opts)?, key_values(secrets)?)
                }
                (None, None) => anyhow::bail!(
                    "say where to restore from: --target NAME, or --scheme SCHEME --opt KEY=VALUE…"
                ),
            };
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Restoring");
            let r = shoebox_engine::restore(&t, &secret, to, &|p| bar.update(p))?;
            bar.finish();
            if *json {
                print_json(&r)?;
            } else {
                println!(
                    "Restored {} original(s) ({}), {} already in place, {} thumbnail(s), {} failed, {} unsafe key(s) refused, into {}",
                    r.restored,
                    human(r.bytes),
                    r.already_present,
                    r.thumbnails,
                    r.failed.len(),
                    r.bad_keys.len(),
                    to.display()
                );
                for f in r.failed.iter().chain(&r.bad_keys) {
                    println!("  {}: {}", f.key, f.reason);
                }
            }
            Ok(if r.failed.is_empty() && r.bad_keys.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
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

/// Prints one report per target (or the target's error), and exits 1 unless every one is `ok`.
fn per_target<T: Serialize>(
    results: &[std::result::Result<T, (String, String)>],
    json: bool,
    ok: impl Fn(&T) -> bool,
    show: impl Fn(&T),
) -> Result<ExitCode> {
    let mut bad = false;
    let mut out = Vec::new();
    for r in results {
        match r {
            Ok(rep) => {
                bad |= !ok(rep);
                if !json {
                    show(rep);
                }
                out.push(serde_json::to_value(rep)?);
            }
            Err((name, e)) => {
                bad = true;
                if !json {
                    println!("{name}: {e}");
                }
                out.push(serde_json::json!({"target": name, "error": e}));
            }
        }
    }
    if json {
        print_json(&serde_json::json!({ "targets": out }))?;
    }
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn key_values(v: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    v.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow::anyhow!("{kv:?} is not KEY=VALUE"))
        })
        .collect()
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
