//! `shoebox ls`: list the library, newest first.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { json } = args;
    let lib = open(cli)?;
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
