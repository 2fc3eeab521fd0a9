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
    if *json {
        print_json(&serde_json::json!({"this_device": me, "others": peers}))?;
    } else {
        println!("this device: {me}");
        for p in &peers {
            println!(
                "{}  {:<20}  {} photo(s)  last seen {}",
                p.device,
                p.name.as_deref().unwrap_or("?"),
                p.photos,
                p.last_seen.as_deref().unwrap_or("never")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
