//! `shoebox duplicates`: photos that look alike (resized, re-encoded, cropped or brightened
//! copies, shots a moment apart), grouped, with the one to keep first.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// Groups as JSON: `[{"similarity", "keep", "photos": [ls --json fields…]}]`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Group<'a> {
    similarity: f32,
    keep: &'a str,
    photos: Vec<cmd::ls::Listed<'a>>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    let bar = progress::Bar::counting(
        !args.json && std::io::stderr().is_terminal(),
        "Looking at photos",
    );
    lib.fill_looks(&|p| bar.update(p), &AtomicBool::new(false))?;
    bar.finish();
    let groups = lib.similar()?;
    if args.json {
        let out: Vec<Group<'_>> = groups
            .iter()
            .map(|g| {
                Ok(Group {
                    similarity: (g.similarity * 1000.0).round() / 1000.0,
                    keep: &g.keep,
                    photos: cmd::ls::listed(&lib, &g.photos)?,
                })
            })
            .collect::<Result<_>>()?;
        return print_json(&out).map(|_| ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    for g in &groups {
        writeln!(
            out,
            "{} photos alike ({:.0} % of the look the same):",
            g.photos.len(),
            g.similarity * 100.0
        )?;
        for a in &g.photos {
            let dims = match (a.meta.width, a.meta.height) {
                (Some(w), Some(h)) => format!("{w}×{h}"),
                _ => "?".into(),
            };
            writeln!(
                out,
                "  {} {}  {:<11} {:>9}  {}  {}",
                if a.hash == g.keep { "keep" } else { "    " },
                a.hash.short(12),
                dims,
                human(a.size),
                a.meta.taken_at.local.format("%Y-%m-%d %H:%M"),
                a.path
            )?;
        }
    }
    let extra: usize = groups.iter().map(|g| g.photos.len() - 1).sum();
    eprintln!(
        "{} group(s), {extra} photo(s) beside the one to keep in each; \
         move them to the trash with `shoebox trash HASH…`",
        groups.len()
    );
    Ok(ExitCode::SUCCESS)
}
