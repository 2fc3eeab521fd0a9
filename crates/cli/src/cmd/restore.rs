//! `shoebox restore`: build a complete new library in DIR from a store alone.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// A target of this library (--library).
    #[arg(long, conflicts_with = "scheme")]
    pub target: Option<String>,
    /// Or describe the store here: fs, s3, webdav, …
    #[arg(long)]
    pub scheme: Option<String>,
    #[arg(long = "opt", value_name = "KEY=VALUE")]
    pub opts: Vec<String>,
    #[arg(long = "secret", value_name = "KEY=VALUE")]
    pub secrets: Vec<String>,
    /// The store is encrypted: its recovery code (or passphrase), from a file's first line.
    #[arg(long, value_name = "FILE", requires = "scheme")]
    pub passphrase_file: Option<PathBuf>,
    /// Also take the snapshot's other targets and watch folders (listed after a restore
    /// without it; whoever can write to the store chose them).
    #[arg(long)]
    pub adopt_settings: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args {
        to,
        target,
        scheme,
        opts,
        secrets,
        passphrase_file,
        adopt_settings,
        json,
    } = args;
    let (t, secret) = match (target, scheme) {
        (Some(name), _) => shoebox_engine::target_of(&open(cli)?, name)?,
        (None, Some(scheme)) => {
            let mut opts = key_values(opts)?;
            let mut secrets = key_values(secrets)?;
            if let Some(f) = passphrase_file {
                opts.insert("encryption".into(), "rclone-crypt".into());
                secrets.insert("crypt_password".into(), cmd::target::read_passphrase(f)?);
            }
            shoebox_engine::adhoc_target(scheme, opts, secrets)
        }
        (None, None) => anyhow::bail!(
            "say where to restore from: --target NAME, or --scheme SCHEME --opt KEY=VALUE…"
        ),
    };
    let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Restoring");
    let restored = shoebox_engine::restore(&t, &secret, to, &|p| bar.update(p), *adopt_settings)?;
    bar.finish();
    let r = &restored.report;
    if *json {
        print_json(&restored)?;
    } else {
        println!(
            "Restored {} original(s) ({}), {} already in place, {} thumbnail(s), {} failed, {} unsafe key(s) refused, into {}",
            r.restored,
            human(r.bytes),
            r.already_present,
            r.thumbnails,
            r.failed.len(),
            r.bad_keys.len(),
            to.display()
        );
        for f in r.failed.iter().chain(&r.bad_keys) {
            println!("  {}: {}", f.key, f.reason);
        }
        if let Some(o) = &restored.offered_settings {
            println!(
                "{} these settings of the snapshot:",
                if restored.adopted_settings {
                    "Adopted"
                } else {
                    "Not adopted (the store chose them; run this restore again with \
                     --adopt-settings to take them)"
                }
            );
            for t in &o.targets {
                println!("  target {}: {}", t.name, t.describe());
            }
            for w in &o.watch_folders {
                println!("  watch folder {}", w.path);
            }
        }
    }
    Ok(if r.failed.is_empty() && r.bad_keys.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
