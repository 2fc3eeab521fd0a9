//! `shoebox target`: backup targets: local folders, S3/MinIO, WebDAV, and other OpenDAL services.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: TargetAction,
}

#[derive(Subcommand)]
pub enum TargetAction {
    /// Add or replace a target, e.g. --scheme s3 --opt endpoint=http://nas:9000 --opt bucket=photos
    /// --secret access_key_id=… --secret secret_access_key=…
    Add {
        name: String,
        #[arg(long)]
        scheme: String,
        #[arg(long = "opt", value_name = "KEY=VALUE")]
        opts: Vec<String>,
        #[arg(long = "secret", value_name = "KEY=VALUE")]
        secrets: Vec<String>,
    },
    /// The targets (secrets are never shown).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Forget a target (nothing on the store is deleted).
    Remove { name: String },
    /// Accept that a target's store is new (replaced or emptied on purpose): forget what it held
    /// and which store it was; the next backup uploads everything.
    Reset { name: String },
    /// Check that a target can be reached, listed, written and read.
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { action } = args;
    let mut lib = open(cli)?;
    match action {
        TargetAction::Add {
            name,
            scheme,
            opts,
            secrets,
        } => {
            let where_ = lib.target_add(name, scheme, key_values(opts)?, key_values(secrets)?)?;
            println!("added target {name}");
            if let Some(w) = where_ {
                println!("secrets stored in {w}");
            }
        }
        TargetAction::List { json } => {
            let targets = lib.targets()?;
            if *json {
                print_json(&targets)?;
            } else {
                for t in targets {
                    println!(
                        "{:<12} {:<7} {}{}",
                        t.name,
                        t.scheme,
                        t.describe(),
                        if t.enabled { "" } else { "  (disabled)" }
                    );
                }
            }
        }
        TargetAction::Remove { name } => {
            lib.target_remove(name)?;
            println!("removed target {name}; the store itself is untouched");
        }
        TargetAction::Reset { name } => {
            lib.target_reset(name)?;
            println!("target {name} starts from nothing: the next backup uploads everything");
        }
        TargetAction::Test { name, json } => {
            let (_, from) = lib.open_target(name)?;
            for f in from {
                eprintln!("secret {f}");
            }
            let r = lib.target_test(name)?;
            if *json {
                print_json(&r)?;
            } else {
                println!("{}: {}", r.status, r.message);
            }
            return Ok(if r.status == "ok" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
