//! `shoebox`: the command-line face of a Shoebox library. Its commands and JSON fields are a
//! stable contract for scripts: fields are added, never renamed.

mod cmd;
mod progress;

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde::Serialize;
use shoebox_engine::{Asset, FaceRow, FacesReport, Library, Person, Settings};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// Shoebox: your photos and videos as plain files, indexed and verified.
#[derive(Parser)]
#[command(name = "shoebox", version, about)]
pub(crate) struct Cli {
    /// Library folder [default: your Pictures folder + Shoebox]
    #[arg(long, global = true, env = "SHOEBOX_LIBRARY", value_name = "DIR")]
    library: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Copy photos and videos (files or folders, recursively) into the library.
    Import(cmd::import::Args),
    /// List the library, newest first.
    Ls(cmd::ls::Args),
    /// Read files' metadata without importing them.
    Inspect(cmd::inspect::Args),
    /// Everything about one asset, by hash (or its first characters) or path.
    Show(cmd::show::Args),
    /// Counts, sizes, settings and the last import.
    Status(cmd::status::Args),
    /// Re-hash every original against the catalog. Reports; never deletes.
    Check(cmd::check::Args),
    /// Import automatically from folders (e.g. the one Syncthing fills from your phone).
    Watch(cmd::watch::Args),
    /// Backup targets: local folders, S3/MinIO, WebDAV, and other OpenDAL services.
    Target(cmd::target::Args),
    /// Back up new photos, thumbnails and the catalog to every enabled target (or one).
    Backup(cmd::backup::Args),
    /// Compare a target with the catalog and re-hash the library's originals.
    Verify(cmd::verify::Args),
    /// Delete from a target the photos this library no longer has (emptied from the trash).
    /// Backups are add-only otherwise; this asks first, and refuses after errors or when more
    /// than --max-share of the target would go.
    Prune(cmd::prune::Args),
    /// Build a complete new library in DIR from a store alone.
    Restore(cmd::restore::Args),
    /// Show or change the library's settings.
    Settings(cmd::settings::Args),
    /// Send this device's new photos and edits to a store and take in the other devices'.
    Sync(cmd::sync::Args),
    /// Bring originals that live on a store onto this computer (checked against their hash).
    Fetch(cmd::fetch::Args),
    /// Mark photos as favourites (or not, with --off).
    Favourite(cmd::favourite::Args),
    /// Set a photo's caption; an empty text clears it.
    Caption(cmd::caption::Args),
    /// Move photos to the trash, restore them (--restore), or empty it (--empty).
    Trash(cmd::trash::Args),
    /// This device and the other devices of the library it has synced with.
    Devices(cmd::devices::Args),
    /// Albums: list, add photos, remove photos, delete.
    Album(cmd::album::Args),
    /// The originals fetched from stores kept on this computer: size, count, cap.
    Cache(cmd::cache::Args),
    /// Keep an album's originals on this computer, photos added to it later too.
    Pin(cmd::pin::Args),
    /// Stop keeping an album's originals on this computer.
    Unpin(cmd::pin::Args),
    /// Retire a device that will never come back.
    Device(cmd::devices::DeviceArgs),
    /// Find photos by words (names, cameras, captions, albums, keywords, dates) and filters.
    Search(cmd::search::Args),
    /// Give photos 0 to 5 stars: `shoebox rate HASH… N`.
    Rate(cmd::tidy::RateArgs),
    /// Add or remove a keyword.
    Keyword(cmd::tidy::KeywordArgs),
    /// Turn photos a quarter left or right (the original is untouched): `shoebox rotate HASH… left|right`.
    Rotate(cmd::tidy::RotateArgs),
    /// Correct the date of photos (the file keeps its own; --undo goes back to it).
    SetDate(cmd::tidy::SetDateArgs),
    /// Set where photos were taken (the file keeps its own position; --undo goes back to it).
    SetPlace(cmd::tidy::SetPlaceArgs),
    /// Copy photos to a folder: originals, or JPEGs at a size (--size), with their metadata.
    Export(cmd::export::Args),
    /// Photos that look alike (resized, re-encoded or cropped copies, shots a moment apart).
    Duplicates(cmd::duplicates::Args),
    /// Share an album by link: an end-to-end encrypted gallery on a target a browser reaches.
    Share(cmd::share::Args),
    /// Faces in the photos: `faces scan` looks for them (resumable), `faces of PHOTO` lists them.
    Faces(cmd::people::FacesArgs),
    /// The people in the photos: list, name, merge, hide, take a wrong face out.
    People(cmd::people::PeopleArgs),
    /// Run `shoebox watch run` (watch folders, scheduled backups) in the background: a systemd
    /// user unit on Linux.
    Service(cmd::service::Args),
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

pub(crate) fn open(cli: &Cli) -> Result<Library> {
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

pub(crate) fn print_json<T: Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Import(a) => cmd::import::run(&cli, a),
        Command::Share(a) => cmd::share::run(&cli, a),
        Command::Faces(a) => cmd::people::faces(&cli, a),
        Command::People(a) => cmd::people::people(&cli, a),
        Command::Ls(a) => cmd::ls::run(&cli, a),
        Command::Inspect(a) => cmd::inspect::run(&cli, a),
        Command::Show(a) => cmd::show::run(&cli, a),
        Command::Status(a) => cmd::status::run(&cli, a),
        Command::Check(a) => cmd::check::run(&cli, a),
        Command::Watch(a) => cmd::watch::run(&cli, a),
        Command::Target(a) => cmd::target::run(&cli, a),
        Command::Backup(a) => cmd::backup::run(&cli, a),
        Command::Verify(a) => cmd::verify::run(&cli, a),
        Command::Prune(a) => cmd::prune::run(&cli, a),
        Command::Restore(a) => cmd::restore::run(&cli, a),
        Command::Settings(a) => cmd::settings::run(&cli, a),
        Command::Sync(a) => cmd::sync::run(&cli, a),
        Command::Fetch(a) => cmd::fetch::run(&cli, a),
        Command::Favourite(a) => cmd::favourite::run(&cli, a),
        Command::Caption(a) => cmd::caption::run(&cli, a),
        Command::Trash(a) => cmd::trash::run(&cli, a),
        Command::Devices(a) => cmd::devices::run(&cli, a),
        Command::Album(a) => cmd::album::run(&cli, a),
        Command::Cache(a) => cmd::cache::run(&cli, a),
        Command::Pin(a) => cmd::pin::run(&cli, a),
        Command::Unpin(a) => cmd::pin::run_unpin(&cli, a),
        Command::Device(a) => cmd::devices::run_device(&cli, a),
        Command::Search(a) => cmd::search::run(&cli, a),
        Command::Rate(a) => cmd::tidy::rate(&cli, a),
        Command::Keyword(a) => cmd::tidy::keyword(&cli, a),
        Command::Rotate(a) => cmd::tidy::rotate(&cli, a),
        Command::SetDate(a) => cmd::tidy::set_date(&cli, a),
        Command::SetPlace(a) => cmd::tidy::set_place(&cli, a),
        Command::Export(a) => cmd::export::run(&cli, a),
        Command::Duplicates(a) => cmd::duplicates::run(&cli, a),
        Command::Service(a) => cmd::service::run(&cli, a),
    }
}

pub(crate) fn print_asset(a: &Asset) {
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
pub(crate) fn per_target<T: Serialize>(
    results: &[shoebox_engine::PerTarget<T>],
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
            Err(f) => {
                bad = true;
                if !json {
                    println!("{}: {}", f.target, f.error);
                }
                out.push(serde_json::to_value(f)?);
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

pub(crate) fn key_values(v: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    v.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow::anyhow!("{kv:?} is not KEY=VALUE"))
        })
        .collect()
}

pub(crate) fn chrono_now() -> String {
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

pub(crate) fn human(n: u64) -> String {
    indicatif::BinaryBytes(n).to_string()
}
