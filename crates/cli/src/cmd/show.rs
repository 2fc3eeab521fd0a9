//! `shoebox show`: everything about one asset, by hash (or its first characters) or path.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    pub hash_or_path: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { hash_or_path, json } = args;
    let lib = open(cli)?;
    let a = lib.show(hash_or_path)?;
    if *json {
        print_json(&a)?;
    } else {
        print_asset(&a);
    }
    Ok(ExitCode::SUCCESS)
}
