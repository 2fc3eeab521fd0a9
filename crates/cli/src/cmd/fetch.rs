//! `shoebox fetch`: bring originals that live on a store onto this computer, verified.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// Hashes (or their first characters) or library paths.
    #[arg(required = true)]
    pub photos: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { photos, json } = args;
    let mut lib = open(cli)?;
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for p in photos {
        match lib.fetch(p) {
            Ok(f) => {
                if !json {
                    println!(
                        "{}: {} ({})",
                        f.path,
                        if f.already_here {
                            "already here"
                        } else {
                            "fetched"
                        },
                        f.file.display()
                    );
                }
                done.push(f);
            }
            Err(e) => {
                if !json {
                    println!("{p}: {e}");
                }
                failed.push(serde_json::json!({"photo": p, "reason": e.to_string()}));
            }
        }
    }
    if *json {
        print_json(&serde_json::json!({"fetched": done, "failed": failed}))?;
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
