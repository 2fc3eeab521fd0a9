//! `shoebox devices`: this device and the other devices of the library it has synced with.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { json } = args;
    let lib = open(cli)?;
    let (me, peers) = lib.devices()?;
    let retired = lib.retired_devices()?;
    if *json {
        print_json(&serde_json::json!({"this_device": me, "others": peers, "retired": retired}))?;
    } else {
        println!("this device: {me}");
        for p in &peers {
            println!(
                "{}  {:<20}  {} photo(s)  last seen {}{}",
                p.device,
                p.name.as_deref().unwrap_or("?"),
                p.photos,
                p.last_seen.as_deref().unwrap_or("never"),
                if retired.contains(&p.device) {
                    "  (retired)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `shoebox device retire ID|NAME`
#[derive(clap::Args)]
pub struct DeviceArgs {
    #[command(subcommand)]
    pub action: DeviceAction,
}

#[derive(Subcommand)]
pub enum DeviceAction {
    /// A device that will never come back: prune stops keeping what only it relied on. Every
    /// device learns it at its next sync.
    Retire { device: String },
}

pub fn run_device(cli: &Cli, args: &DeviceArgs) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    match &args.action {
        DeviceAction::Retire { device } => {
            let id = lib.retire(device)?;
            println!("device {id} retired; the others learn it at their next sync");
        }
    }
    Ok(ExitCode::SUCCESS)
}
