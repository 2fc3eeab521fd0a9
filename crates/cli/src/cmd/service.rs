//! `shoebox service`: run `shoebox watch run` in the background for this user (a systemd user
//! unit on Linux), so a NAS or a Raspberry Pi imports from its watch folders and backs up on the
//! schedule without anyone logged in at a desktop.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: ServiceAction,
}

#[derive(Subcommand)]
pub enum ServiceAction {
    /// Write the unit and start it now and at every boot (`--no-start`: only write it).
    Install {
        /// Only write the unit file; start it yourself with systemctl.
        #[arg(long)]
        no_start: bool,
        /// Unit name, for a second library on the same account.
        #[arg(long, default_value = "shoebox")]
        name: String,
    },
    /// Stop the service and remove its unit (the library and its settings stay).
    Uninstall {
        #[arg(long, default_value = "shoebox")]
        name: String,
    },
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    match &args.action {
        ServiceAction::Install { no_start, name } => install(cli, name, *no_start),
        ServiceAction::Uninstall { name } => uninstall(name),
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!("{name:?} cannot name a unit; use letters, digits, - and _");
    }
    Ok(())
}

/// `~/.config/systemd/user` (or under `$XDG_CONFIG_HOME`).
fn unit_dir() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| anyhow::anyhow!("neither XDG_CONFIG_HOME nor HOME is set"))?;
    Ok(base.join("systemd").join("user"))
}

/// One word of an `ExecStart=` line, quoted as systemd reads it: inside double quotes, `\` and
/// `"` escaped, and `%` and `$` doubled (systemd's specifiers and variables).
fn exec_word(w: &str) -> String {
    let mut out = String::from("\"");
    for c in w.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The unit: `shoebox --library ROOT watch run`, restarted after a failure, at low priority.
fn unit_text(exe: &Path, root: &Path) -> String {
    let words = [
        exe.display().to_string(),
        "--library".into(),
        root.display().to_string(),
        "watch".into(),
        "run".into(),
    ];
    let exec = words
        .iter()
        .map(|w| exec_word(w))
        .collect::<Vec<_>>()
        .join(" ");
    // The description is free text, but systemd still expands specifiers in it.
    let described = root.display().to_string().replace('%', "%%");
    format!(
        "# Written by `shoebox service install`; removed by `shoebox service uninstall`.\n\
         [Unit]\n\
         Description=Shoebox: watch folders and scheduled backups of {described}\n\
         Wants=network-online.target\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={exec}\n\
         Restart=on-failure\n\
         RestartSec=30\n\
         # Imports and backups should not make the machine slow for anything else.\n\
         Nice=10\n\
         IOSchedulingClass=idle\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n"
    )
}

fn systemctl(args: &[&str]) -> Result<()> {
    let out = std::process::Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .map_err(|e| anyhow::anyhow!("systemctl could not be run: {e}"))?;
    if !out.status.success() {
        anyhow::bail!(
            "`systemctl --user {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn install(cli: &Cli, name: &str, no_start: bool) -> Result<ExitCode> {
    check_name(name)?;
    if !cfg!(target_os = "linux") {
        anyhow::bail!(
            "`shoebox service` writes a systemd unit and works on Linux; on macOS and Windows \
             see the README (Running without the app) for launchd and Task Scheduler"
        );
    }
    // The library must open (it is created on first use) before a service runs on it.
    let lib = open(cli)?;
    let root = lib.root().to_path_buf();
    let exe = std::env::current_exe()?;
    let dir = unit_dir()?;
    let file = dir.join(format!("{name}.service"));
    let text = unit_text(&exe, &root);
    if let Ok(old) = std::fs::read_to_string(&file)
        && !old.contains(&exec_word(&root.display().to_string()))
    {
        anyhow::bail!(
            "{} already runs Shoebox for another library; give this one its own name \
             with --name, or `shoebox service uninstall` that one first",
            file.display()
        );
    }
    std::fs::create_dir_all(&dir)?;
    let tmp = dir.join(format!(".{name}.service.tmp"));
    std::fs::write(&tmp, &text)?;
    std::fs::rename(&tmp, &file)?;
    println!("wrote {}", file.display());
    for t in lib.schedule(chrono::Utc::now())? {
        if !t.active {
            println!(
                "note: target {} is not backed up on the schedule until it has been backed up \
                 once: `shoebox backup --target {}`",
                t.target, t.target
            );
        }
    }
    if no_start {
        println!(
            "start it with: systemctl --user daemon-reload && systemctl --user enable --now {name}.service"
        );
        return Ok(ExitCode::SUCCESS);
    }
    systemctl(&["daemon-reload"])
        .and_then(|()| systemctl(&["enable", "--now", &format!("{name}.service")]))
        .map_err(|e| {
            anyhow::anyhow!(
                "{e}\nThe unit is written but not running. Is systemd your init system, and are \
                 you in a login session (or is lingering on: `loginctl enable-linger $USER`)? \
                 Without systemd, have your init system run: {}",
                text.lines()
                    .find_map(|l| l.strip_prefix("ExecStart="))
                    .unwrap_or_default()
            )
        })?;
    println!(
        "started {name}.service; it runs at every boot once lingering is on \
         (`loginctl enable-linger $USER`, for a machine nobody logs in to). \
         Logs: journalctl --user -u {name}"
    );
    Ok(ExitCode::SUCCESS)
}

fn uninstall(name: &str) -> Result<ExitCode> {
    check_name(name)?;
    let file = unit_dir()?.join(format!("{name}.service"));
    if !file.exists() {
        anyhow::bail!("{} does not exist: nothing to remove", file.display());
    }
    // Stopped first where systemd runs; without it there is nothing running to stop.
    let stopped = systemctl(&["disable", "--now", &format!("{name}.service")]);
    std::fs::remove_file(&file)?;
    let _ = systemctl(&["daemon-reload"]);
    println!("removed {}", file.display());
    if let Err(e) = stopped {
        eprintln!("note: {e}");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_words_survive_spaces_quotes_and_specifiers() {
        assert_eq!(
            exec_word(r#"/home/a b/50% "x"\$HOME"#),
            r#""/home/a b/50%% \"x\"\\$$HOME""#
        );
        let u = unit_text(Path::new("/usr/bin/shoebox"), Path::new("/srv/My Photos"));
        assert!(u.contains(
            "ExecStart=\"/usr/bin/shoebox\" \"--library\" \"/srv/My Photos\" \"watch\" \"run\"\n"
        ));
        assert!(check_name("shoebox-2").is_ok());
        assert!(check_name("../x").is_err() && check_name("").is_err());
    }
}
