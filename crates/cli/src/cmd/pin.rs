//! `shoebox pin` / `shoebox unpin`: keep an album's originals on this computer (photos added to
//! it later too), or stop keeping them.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// The album's name.
    pub album: String,
}

pub(crate) fn album_id(lib: &Library, name: &str) -> Result<i64> {
    lib.albums()?
        .into_iter()
        .find(|a| a.name == name)
        .map(|a| a.id)
        .ok_or_else(|| anyhow::anyhow!("no album named {name:?} (see `shoebox album list`)"))
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    let id = album_id(&lib, &args.album)?;
    let (got, failed) = lib.pin(id)?;
    println!(
        "{}: kept on this computer; {} original(s) fetched now",
        args.album,
        got.len()
    );
    for (h, why) in &failed {
        println!("  not fetched {h}: {why}");
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn run_unpin(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    let id = album_id(&lib, &args.album)?;
    lib.unpin(id)?;
    println!(
        "{}: no longer kept; its fetched originals may be evicted from the cache",
        args.album
    );
    Ok(ExitCode::SUCCESS)
}
