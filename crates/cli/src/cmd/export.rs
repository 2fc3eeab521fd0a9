//! `shoebox export`: copies of photos in a folder — originals (with an XMP sidecar for what the
//! catalog knows beyond the file), or JPEGs at a size with that metadata written in.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// Hashes (or their first characters) or library paths.
    #[arg(required_unless_present = "album", conflicts_with = "album")]
    pub photos: Vec<String>,
    /// Every photo of this album.
    #[arg(long)]
    pub album: Option<String>,
    /// The folder to write to (made if missing); files there are never overwritten.
    #[arg(long)]
    pub to: PathBuf,
    /// JPEGs whose longest edge is at most this many pixels (videos are copied as they are),
    /// instead of the originals.
    #[arg(long)]
    pub size: Option<u32>,
    /// `{"exported": [{"hash", "file", "sidecar"}], "failed": [[hash, why]], "bytes", "cancelled"}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    let hashes: Vec<shoebox_engine::Hash> = match &args.album {
        Some(name) => {
            let id = cmd::pin::album_id(&lib, name)?;
            // Its photos on the timeline: not in the trash, not waiting to arrive.
            lib.album_members(id)?
                .into_iter()
                .filter(|h| lib.show(h.as_str()).is_ok_and(|a| a.trashed_at.is_none()))
                .collect()
        }
        None => args
            .photos
            .iter()
            .map(|p| Ok(lib.show(p)?.hash))
            .collect::<Result<_>>()?,
    };
    let bar = progress::Bar::new(!args.json && std::io::stderr().is_terminal(), "Exporting");
    let r = lib.export(
        &hashes,
        &args.to,
        args.size,
        &|p| bar.update(p),
        &AtomicBool::new(false),
    )?;
    bar.finish();
    if args.json {
        print_json(&r)?;
    } else {
        for (h, why) in &r.failed {
            eprintln!("not exported: {}: {why}", &h[..12.min(h.len())]);
        }
        eprintln!(
            "Exported {} ({}) to {}{}",
            r.exported.len(),
            human(r.bytes),
            args.to.display(),
            if r.failed.is_empty() {
                String::new()
            } else {
                format!("; {} could not be", r.failed.len())
            }
        );
    }
    Ok(if r.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
