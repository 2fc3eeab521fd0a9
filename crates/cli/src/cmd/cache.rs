//! `shoebox cache`: the originals fetched from stores kept on this computer.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let lib = open(cli)?;
    let c = lib.cache()?;
    if args.json {
        print_json(&c)?;
    } else {
        println!(
            "{} fetched original(s), {} of {} (`shoebox settings set cache_max_size 20G`) in {}",
            c.files,
            human(c.bytes),
            human(c.max_bytes),
            c.folder.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
