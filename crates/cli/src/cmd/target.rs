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
        /// Encrypt everything on the store in the rclone crypt format. Shoebox makes a strong
        /// password and shows it once as the recovery code, unless --passphrase-file gives one
        /// (the recovery code of an encrypted store to join, or your own passphrase).
        #[arg(long)]
        encrypt: bool,
        /// The password of an encrypted store, from a file (its first line), or `-` for
        /// standard input.
        #[arg(long, value_name = "FILE", requires = "encrypt")]
        passphrase_file: Option<PathBuf>,
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
    /// Change an encrypted target's password. rclone crypt derives its keys from the password,
    /// so everything on the store is downloaded and uploaded again, re-encrypted: as long as a
    /// first backup. Stop it (Ctrl-C) or lose it (a crash) at any point and run it again to go
    /// on; nothing is deleted before its copy is proven. A new recovery code is made (and
    /// shown once it is in force) unless --passphrase-file gives the new password.
    /// Other computers of this library then need it (`target add … --encrypt
    /// --passphrase-file`).
    Passphrase {
        name: String,
        /// The new password, from a file (its first line), or `-` for standard input.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Change a target: the address a browser reads its files at, for shared albums' links.
    Set {
        name: String,
        /// e.g. https://photos.example.org (a web server on the folder), or
        /// http://nas:9000/BUCKET (MinIO with anonymous download on shares/); `none` clears it.
        #[arg(long, value_name = "URL")]
        public_url: String,
    },
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
            encrypt,
            passphrase_file,
        } => {
            let mut opts = key_values(opts)?;
            let mut secrets = key_values(secrets)?;
            if *encrypt {
                opts.insert("encryption".into(), "rclone-crypt".into());
                if let Some(f) = passphrase_file {
                    secrets.insert("crypt_password".into(), read_passphrase(f)?);
                }
            }
            let made = shoebox_engine::make_recovery_code(&opts, &mut secrets);
            let shown = opts.clone();
            let where_ = lib.target_add(name, scheme, opts, secrets)?;
            println!(
                "added target {name}{}",
                if *encrypt {
                    ", encrypted (rclone crypt)"
                } else {
                    ""
                }
            );
            if let Some(w) = where_ {
                println!("secrets stored in {w}");
            }
            if let Some(code) = made {
                print_recovery(name, scheme, &shown, &code);
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
        TargetAction::Passphrase {
            name,
            passphrase_file,
            json,
        } => {
            let given = passphrase_file
                .as_deref()
                .map(read_passphrase)
                .transpose()?;
            let cancel = std::sync::Arc::new(AtomicBool::new(false));
            let flag = cancel.clone();
            ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))?;
            let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Re-encrypting");
            let (r, new) =
                lib.target_change_password(name, given.as_deref(), &|p| bar.update(p), &cancel)?;
            bar.finish();
            let t = lib
                .targets()?
                .into_iter()
                .find(|t| &t.name == name)
                .ok_or_else(|| anyhow::anyhow!("target {name} vanished"))?;
            if *json {
                print_json(&r)?;
            } else {
                println!(
                    "{name}: {} re-encrypted ({}), {} already were, {} old objects removed",
                    r.copied,
                    human(r.bytes),
                    r.already,
                    r.deleted
                );
                match (r.switched, r.cancelled) {
                    (_, true) => println!(
                        "stopped; run the same command with the same new password to go on{}",
                        if r.switched {
                            " (the new password is already the one in force)"
                        } else {
                            " (the old password is still the one in force)"
                        }
                    ),
                    (true, false) => println!(
                        "the new password is in force; other computers of this library need it"
                    ),
                    (false, false) => {}
                }
            }
            // A code made here is shown once it is in force (with the rclone lines that go
            // with it); a password given was known already.
            if given.is_none() && r.switched {
                if *json {
                    // Never in the JSON (scripts log it); said where a person sees it.
                    eprintln!("new recovery code for {name}: {new}");
                } else {
                    print_recovery(name, &t.scheme, &t.options, &new);
                }
            }
            return Ok(if r.cancelled {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        TargetAction::Remove { name } => {
            lib.target_remove(name)?;
            println!("removed target {name}; the store itself is untouched");
        }
        TargetAction::Set { name, public_url } => {
            let url = (public_url != "none").then_some(public_url.as_str());
            lib.set_public_url(name, url)?;
            match url {
                Some(u) => println!("target {name}: shared albums' links start with {u}"),
                None => println!("target {name}: no public address"),
            }
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

/// The first line of `file`: a recovery code or a passphrase. A weak one is used but warned of.
pub(crate) fn read_passphrase(file: &Path) -> Result<String> {
    let text = if file == Path::new("-") {
        // `-`: typed at a terminal without echo, or a password manager's command piped in.
        if std::io::stdin().is_terminal() {
            rpassword::prompt_password("Recovery code or passphrase: ")?
        } else {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line
        }
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?
    };
    let pw = text.lines().next().unwrap_or("").trim().to_owned();
    if pw.is_empty() {
        if file == Path::new("-") {
            anyhow::bail!("no recovery code or passphrase was given");
        }
        anyhow::bail!("{} holds no passphrase on its first line", file.display());
    }
    let distinct = pw.chars().collect::<std::collections::BTreeSet<_>>().len();
    if pw.chars().count() < 12 || distinct < 6 {
        eprintln!(
            "warning: this passphrase is short or repetitive; anyone who gets the store can try \
             guesses offline. A recovery code made by `--encrypt` alone is 120 random bits."
        );
    }
    Ok(pw)
}

/// The recovery code, shown once, and the rclone lines that read the store without Shoebox.
fn print_recovery(
    name: &str,
    scheme: &str,
    opts: &std::collections::BTreeMap<String, String>,
    code: &str,
) {
    println!(
        "\nRECOVERY CODE — write it down and keep it apart from this computer. Without it nobody\n\
         can read this store: not Shoebox on a new computer, not rclone, not us.\n\n    {code}\n\n\
         To read the store with rclone alone, add to rclone.conf{}:\n\n{}",
        if scheme == "fs" {
            String::new()
        } else {
            format!(" (after a remote named {name}-raw for the {scheme} store itself)")
        },
        shoebox_engine::rclone_config(name, scheme, opts, code)
    );
}
