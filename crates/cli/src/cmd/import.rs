//! `shoebox import`: copy photos and videos (files or folders, recursively) into the library.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// One JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not look for faces in the new photos afterwards (`shoebox faces scan` does it later).
    #[arg(long)]
    pub no_faces: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args {
        paths,
        json,
        no_faces,
    } = args;
    let mut lib = open(cli)?;
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
        if let Some(t) = &report.takeout {
            println!(
                "Google Takeout: {} matched with their sidecars, {} without one, {} album(s) rebuilt.",
                t.matched,
                t.without_sidecar.len(),
                t.albums.len()
            );
            for c in &t.sidecar_conflicts {
                println!(
                    "  sidecars disagree on {} of {}: kept {}, not {} (from {})",
                    c.field, c.photo, c.kept, c.dropped, c.sidecar
                );
            }
        }
        if !report.skipped.is_empty() {
            println!(
                "  ({} skipped by the extension, size or hidden-file rules; --json lists them)",
                report.skipped.len()
            );
        }
    }
    // Faces after the report: the import's own result never waits for them.
    if !no_faces && report.counts.imported > 0 {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let show = !json && std::io::stderr().is_terminal();
        match cmd::people::scan(&mut lib, threads, show, *json) {
            Ok(Some(r)) if !json => cmd::people::print_scan(&r),
            Ok(_) => {}
            // The photos are in; a failed face scan is told and tried again next time.
            Err(e) => eprintln!("warning: looking for faces failed: {e}"),
        }
    }
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
