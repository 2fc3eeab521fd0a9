//! `shoebox favourite`: mark photos as favourites (or not, with --off).

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// Hashes (or their first characters) or library paths.
    #[arg(required = true)]
    pub photos: Vec<String>,
    #[arg(long)]
    pub off: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { photos, off } = args;
    let mut lib = open(cli)?;
    let hashes = photos
        .iter()
        .map(|p| Ok(lib.show(p)?.hash))
        .collect::<Result<Vec<_>>>()?;
    let n = lib.set_favourite(&hashes, !off)?;
    println!(
        "{n} photo(s) {}",
        if *off {
            "no longer favourites"
        } else {
            "marked as favourites"
        }
    );
    Ok(ExitCode::SUCCESS)
}
