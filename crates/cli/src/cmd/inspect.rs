//! `shoebox inspect`: read files' metadata without importing them.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Also hash each file (reads it whole).
    #[arg(long)]
    pub hash: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(_cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { files, hash, json } = args;
    let results = Library::inspect(files, *hash);
    let failed = results.iter().any(|r| r.error.is_some());
    if *json {
        print_json(&results)?;
    } else {
        for r in &results {
            match (&r.meta, &r.error) {
                (Some(m), _) => println!(
                    "{}: {} {}×{} taken {} ({}){}",
                    r.file,
                    m.kind.as_str(),
                    m.width.unwrap_or(0),
                    m.height.unwrap_or(0),
                    m.taken_at,
                    m.taken_at_source.as_str(),
                    m.model
                        .as_deref()
                        .map(|c| format!(", {c}"))
                        .unwrap_or_default()
                ),
                (None, Some(e)) => println!("{}: cannot read: {e}", r.file),
                _ => {}
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
