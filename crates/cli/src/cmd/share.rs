//! `shoebox share`: share an album by link, end-to-end encrypted, as a static gallery on a
//! target a browser can reach (see the engine's `share` module for what goes on the store).

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: ShareAction,
}

#[derive(Subcommand)]
pub enum ShareAction {
    /// Publish an album and print its link. The key is in the link's fragment (after `#`),
    /// which browsers never send: the host of the target never sees the photos.
    Create {
        /// The album's name.
        album: String,
        /// The target to publish on: one with a public address (`target set T --public-url`),
        /// or an S3 target without one, whose link the store signs (7 days at most).
        #[arg(long)]
        target: String,
        /// How long the link opens, e.g. 30d (days); without it, until revoked (a signed link:
        /// 7 days, its longest).
        #[arg(long, value_name = "DAYS")]
        expires: Option<String>,
        /// Publish the originals too, for Save. They keep their GPS position and camera data.
        #[arg(long)]
        originals: bool,
        /// Leave the photos' dates (and names, which often hold a date) out.
        #[arg(long)]
        no_dates: bool,
        /// Ask for a password (from a file's first line, or `-` for standard input); the link
        /// then holds no key. It stops people guessing or forwarding links, not someone who
        /// holds the files: they can try passwords at their own pace.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The shares made on this computer, with their links.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a share from its store (all of it, checked) so its link opens nothing.
    Revoke { id: String },
    /// Publish what was added to the share's album since.
    Update {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

/// `30d`, `30`, `12w`: days.
fn days(s: &str) -> Result<u32> {
    let s = s.trim();
    let (n, unit) = match s.char_indices().last() {
        Some((i, 'd')) => (&s[..i], 1),
        Some((i, 'w')) => (&s[..i], 7),
        _ => (s, 1),
    };
    let n: u32 =
        n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            anyhow::anyhow!("--expires {s:?}: give a number of days, e.g. 30d or 4w")
        })?;
    Ok(n * unit)
}

fn print_share(s: &shoebox_engine::Share) {
    println!(
        "{}  {}  on {}  {} photo(s){}{}",
        s.id,
        s.album,
        s.target,
        s.photos,
        s.expires_at
            .as_deref()
            .map(|e| format!(", until {e}"))
            .unwrap_or_default(),
        if s.originals { ", with originals" } else { "" }
    );
    match &s.link {
        Some(l) => println!("  {l}"),
        None => println!("  (its key is not on this computer)"),
    }
}

fn report(r: &shoebox_engine::ShareReport, json: bool) -> Result<ExitCode> {
    if json {
        print_json(r)?;
    } else {
        print_share(&r.share);
        println!(
            "{} photo(s) published now, {} object(s) written and checked",
            r.added, r.objects_written
        );
        if r.share.originals {
            println!("  note: originals keep their GPS position and camera data");
        }
        for s in &r.skipped {
            println!("  left out: {s}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    match &args.action {
        ShareAction::Create {
            album,
            target,
            expires,
            originals,
            no_dates,
            password_file,
            json,
        } => {
            let password = password_file
                .as_deref()
                .map(cmd::target::read_passphrase)
                .transpose()?;
            let opts = shoebox_engine::ShareOptions {
                album: album.clone(),
                target: target.clone(),
                expires_days: expires.as_deref().map(days).transpose()?,
                originals: *originals,
                no_dates: *no_dates,
                password,
            };
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Publishing");
            let r = lib.share_create(&opts, &|p| bar.update(p))?;
            bar.finish();
            report(&r, *json)
        }
        ShareAction::List { json } => {
            let shares = lib.shares()?;
            if *json {
                print_json(&shares)?;
            } else if shares.is_empty() {
                println!("No shares. `shoebox share create ALBUM --target T` makes one.");
            } else {
                shares.iter().for_each(print_share);
            }
            Ok(ExitCode::SUCCESS)
        }
        ShareAction::Revoke { id } => {
            let n = lib.share_revoke(id)?;
            println!(
                "share {id} revoked: {n} object(s) deleted from its store; its link opens nothing now"
            );
            Ok(ExitCode::SUCCESS)
        }
        ShareAction::Update { id, json } => {
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Publishing");
            let r = lib.share_update(id, &|p| bar.update(p))?;
            bar.finish();
            report(&r, *json)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn expiry_is_read_in_days_and_weeks() {
        assert_eq!(super::days("30d").unwrap(), 30);
        assert_eq!(super::days("30").unwrap(), 30);
        assert_eq!(super::days("2w").unwrap(), 14);
        assert!(super::days("0d").is_err());
        assert!(super::days("soon").is_err());
    }
}
