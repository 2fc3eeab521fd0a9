//! `shoebox settings`: show or change the library's settings.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<SettingsAction>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum SettingsAction {
    /// Set one: allowed_extensions (comma-separated), max_file_size (e.g. 4G), grid_size,
    /// preview_size, backup_every / verify_every / deep_verify_every (e.g. 1h, 7d, off).
    Set { key: String, value: String },
    /// Back to the defaults.
    Reset,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { action, json } = args;
    let mut lib = open(cli)?;
    match action {
        Some(SettingsAction::Set { key, value }) => {
            let mut s = lib.settings().clone();
            s.set(key, value)?;
            lib.save_settings(s)?;
        }
        Some(SettingsAction::Reset) => lib.save_settings(Settings::default())?,
        None => {}
    }
    if *json {
        print_json(lib.settings())?;
    } else {
        let s = lib.settings();
        println!("allowed_extensions  {}", s.allowed_extensions.join(","));
        println!(
            "max_file_size       {} ({})",
            s.max_file_size,
            human(s.max_file_size)
        );
        println!("grid_size           {}", s.grid_size);
        println!("preview_size        {}", s.preview_size);
        println!("backup_every        {}", s.backup_every);
        println!("verify_every        {}", s.verify_every);
        println!("deep_verify_every   {}", s.deep_verify_every);
    }
    Ok(ExitCode::SUCCESS)
}
