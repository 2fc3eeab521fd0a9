//! `shoebox status`: counts, sizes, settings and the last import.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { json } = args;
    let lib = open(cli)?;
    let s = lib.status()?;
    if *json {
        print_json(&s)?;
    } else {
        println!("Library     {}", s.library);
        println!(
            "Assets      {} ({} photos, {} videos), {}",
            s.assets,
            s.by_kind.photo,
            s.by_kind.video,
            human(s.bytes)
        );
        println!("No preview  {}", s.thumbnails_missing);
        match &s.last_import {
            Some(i) => println!(
                "Last import {}: {} imported, {} duplicates, {} skipped, {} rejected",
                i.finished_at, i.imported, i.duplicates, i.skipped, i.rejected
            ),
            None => println!("Last import never"),
        }
        println!("Extensions  {}", s.settings.allowed_extensions.join(", "));
        println!("Max size    {}", human(s.settings.max_file_size));
        for t in &s.targets {
            println!(
                "Target      {} ({} {}): {} objects, {}, {} pending; last backup {}{}; last verify {}{}",
                t.name,
                t.scheme,
                t.location,
                t.objects,
                human(t.bytes),
                t.pending_uploads,
                t.last_backup.as_deref().unwrap_or("never"),
                t.last_result
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
                t.last_verify.as_deref().unwrap_or("never"),
                match t.last_verify_ok {
                    Some(true) => " (clean)",
                    Some(false) => " (PROBLEMS)",
                    None => "",
                },
            );
            if let Some(e) = &t.last_error {
                println!("            last error: {e}");
            }
        }
        println!(
            "Schedule    back up and sync every {}, verify every {}, deep verify every {}",
            s.settings.backup_every, s.settings.verify_every, s.settings.deep_verify_every
        );
        for t in &s.schedule {
            if !t.active {
                println!(
                    "            {}: nothing on the schedule until it is backed up once by hand",
                    t.target
                );
                continue;
            }
            let at = |v: &Option<String>| v.clone().unwrap_or_else(|| "off".into());
            println!(
                "            {}: next backup {}, next verify {}, next deep verify {} (last deep verify {})",
                t.target,
                at(&t.next_backup),
                at(&t.next_verify),
                at(&t.next_deep_verify),
                t.last_deep_verify.as_deref().unwrap_or("never")
            );
        }
        println!(
            "Previews    HEIC {}, video posters {}",
            if s.heic_previews {
                "yes"
            } else {
                "no (shoebox-heif, its decoder, is not beside shoebox or does not run here)"
            },
            if s.video_posters {
                "yes"
            } else {
                "no (install ffmpeg)"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
