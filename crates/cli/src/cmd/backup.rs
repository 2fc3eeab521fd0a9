//! `shoebox backup`: back up new photos, thumbnails and the catalog to every enabled target (or one).

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
    let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Backing up");
    let results = lib.backup(
        target.as_deref(),
        &|p| bar.update(p),
        &|| eprintln!("Another Shoebox job is writing this library; waiting for it to finish…"),
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
