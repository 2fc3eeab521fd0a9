//! `shoebox sync`: send this device's new photos and edits, take in the other devices'.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub target: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { target, json } = args;
    let mut lib = open(cli)?;
    let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Syncing");
    let results = lib.sync(target.as_deref(), &|p| bar.update(p), &|| {
        eprintln!("Another Shoebox job is writing this library; waiting for it to finish…")
    })?;
    bar.finish();
    per_target(
        &results,
        *json,
        |r| r.problems.is_empty(),
        |r| {
            println!(
                "{}: sent {} object(s) and {} edit(s); {} other device(s): {} new photo(s), {} edit(s) taken in, {} thumbnail(s)",
                r.target,
                r.uploaded,
                r.pushed,
                r.devices,
                r.new_photos,
                r.edits_applied,
                r.thumbnails
            );
            for p in &r.renamed {
                println!("  renamed: {p}");
            }
            for p in &r.problems {
                println!("  not yet: {p}");
            }
        },
    )
}
