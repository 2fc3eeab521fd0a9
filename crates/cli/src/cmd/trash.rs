//! `shoebox trash`: move photos to the trash, restore them, or empty the trash.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// Hashes (or their first characters) or library paths.
    pub photos: Vec<String>,
    /// Take these photos back out of the trash.
    #[arg(long, conflicts_with = "empty")]
    pub restore: bool,
    /// Delete every photo in the trash from this library for good (stores keep their copies
    /// until `shoebox prune`).
    #[arg(long)]
    pub empty: bool,
    /// Do not ask before emptying (needed when not run from a terminal).
    #[arg(long)]
    pub yes: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args {
        photos,
        restore,
        empty,
        yes,
    } = args;
    let mut lib = open(cli)?;
    if *empty {
        if !yes {
            anyhow::bail!("emptying the trash deletes its photos from this library; pass --yes");
        }
        let r = lib.empty_trash()?;
        println!(
            "{} photo(s) deleted from this library ({}); {} could not be",
            r.deleted,
            human(r.bytes),
            r.failed.len()
        );
        for (p, why) in &r.failed {
            println!("  {p}: {why}");
        }
        for (p, why) in &r.left {
            println!("  {p}: {why}");
        }
        return Ok(if r.failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    anyhow::ensure!(!photos.is_empty(), "name the photos to move (or --empty)");
    let hashes = photos
        .iter()
        .map(|p| Ok(lib.show(p)?.hash))
        .collect::<Result<Vec<_>>>()?;
    let n = lib.set_trashed(&hashes, !restore)?;
    println!(
        "{n} photo(s) {}",
        if *restore {
            "restored from the trash"
        } else {
            "moved to the trash"
        }
    );
    Ok(ExitCode::SUCCESS)
}
