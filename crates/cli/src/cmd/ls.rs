//! `shoebox ls`: list the library, newest first.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// List the trash instead (photos moved there, here or on another device).
    #[arg(long)]
    pub trash: bool,
    #[arg(long)]
    pub json: bool,
}

/// A listed photo: the catalog's fields, and whether its original is on this computer.
#[derive(Serialize)]
pub(crate) struct Listed<'a> {
    #[serde(flatten)]
    asset: &'a Asset,
    /// The original is on this computer (imported here, or fetched); otherwise only on a store.
    local: bool,
    /// In the trash (listed by `ls --trash` and `search --trash`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    trashed: bool,
    /// A Live Photo's video (listed here, with its photo, not on its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    motion: Option<Motion>,
    /// A RAW+JPEG pair's camera RAW (listed here, with the JPEG that shows the pair).
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<Raw>,
}

#[derive(Serialize)]
struct Raw {
    hash: String,
    path: String,
    original_name: String,
    size: u64,
}

#[derive(Serialize)]
struct Motion {
    hash: String,
    path: String,
    duration_ms: Option<u64>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { trash, json } = args;
    let lib = open(cli)?;
    let assets: Vec<Asset> = lib
        .list()?
        .into_iter()
        .filter(|a| a.trashed_at.is_some() == *trash && a.motion_of.is_none())
        .collect();
    print_listing(&lib, &assets, *json)?;
    Ok(ExitCode::SUCCESS)
}

/// Assets as `ls --json` shows them.
pub(crate) fn listed<'a>(lib: &Library, assets: &'a [Asset]) -> Result<Vec<Listed<'a>>> {
    assets
        .iter()
        .map(|a| {
            let parts = lib.parts(&a.hash)?;
            Ok(Listed {
                asset: a,
                local: lib.local_original(a).is_some(),
                trashed: a.trashed_at.is_some(),
                motion: parts.motion.map(|m| Motion {
                    hash: m.hash.to_string(),
                    path: m.path,
                    duration_ms: m.meta.duration_ms,
                }),
                raw: parts.raw.map(|r| Raw {
                    hash: r.hash.to_string(),
                    path: r.path,
                    original_name: r.original_name,
                    size: r.size,
                }),
            })
        })
        .collect()
}

/// Prints assets the way `ls` does (also `search`): a line each, or `--json`.
pub(crate) fn print_listing(lib: &Library, assets: &[Asset], json: bool) -> Result<()> {
    if json {
        print_json(&listed(lib, assets)?)?;
    } else {
        let mut out = std::io::stdout().lock();
        for a in assets {
            writeln!(
                out,
                "{:<19}  {}  {:>9}  {}{}{}",
                a.meta.taken_at.local.format("%Y-%m-%d %H:%M:%S"),
                a.meta.kind.as_str(),
                human(a.size),
                a.path,
                match lib.parts(&a.hash)?.raw {
                    Some(r) => format!("  (+ RAW {})", r.original_name),
                    None => String::new(),
                },
                if lib.local_original(a).is_some() {
                    ""
                } else {
                    "  (on the store)"
                }
            )?;
        }
    }
    Ok(())
}
