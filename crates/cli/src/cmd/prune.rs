//! `shoebox prune`: delete from a target the photos this library no longer has (emptied from the trash).

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub target: String,
    /// Largest share of the target's objects one prune may delete, in percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 10.0)]
    pub max_share: f64,
    /// Only list what would be deleted.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed when not run from a terminal).
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args {
        target,
        max_share,
        dry_run,
        yes,
        json,
    } = args;
    let mut lib = open(cli)?;
    let share = (max_share / 100.0).clamp(0.0, 1.0);
    // Look first; ask; then delete exactly what was shown.
    let plan = lib.prune(target, share, true)?;
    let confirmed = *dry_run || plan.candidates.is_empty() || plan.refused.is_some() || *yes || {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "prune would delete {} object(s) ({}) from {target}; pass --yes to confirm",
                plan.candidates.len(),
                human(plan.candidate_bytes)
            );
        }
        eprint!(
            "Delete {} object(s) ({}) of photos no longer in this library from {target}? [y/N] ",
            plan.candidates.len(),
            human(plan.candidate_bytes)
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        matches!(answer.trim(), "y" | "Y" | "yes")
    };
    let nothing_to_do = plan.candidates.is_empty();
    let r = if *dry_run || plan.refused.is_some() || nothing_to_do || !confirmed {
        plan
    } else {
        lib.prune(target, share, false)?
    };
    if *json {
        print_json(&r)?;
    } else {
        for k in if *dry_run { &r.candidates } else { &r.deleted } {
            println!(
                "  {} {k}",
                if *dry_run { "would delete" } else { "deleted" }
            );
        }
        if !r.kept_for_other_devices.is_empty() {
            println!(
                "{target}: kept {} object(s) that another device of this store still relies on",
                r.kept_for_other_devices.len()
            );
        }
        for k in &r.refused_keys {
            println!(
                "{target}: never deleted: {k} (recorded for a photo, but not named as that \
                 photo's original or thumbnail; a damaged or forged log?)"
            );
        }
        if !r.waiting.is_empty() {
            println!(
                "{target}: {} object(s) wait before they can go:",
                r.waiting.len()
            );
            for w in &r.waiting_for {
                println!("  - {w}");
            }
        }
        match &r.refused {
            Some(why) => println!("{target}: nothing more deleted — {why}"),
            None if !confirmed => println!("{target}: nothing deleted"),
            None if *dry_run => println!(
                "{target}: {} object(s) ({}) would be deleted of {}",
                r.candidates.len(),
                human(r.candidate_bytes),
                r.objects
            ),
            None => println!(
                "{target}: deleted {} object(s) of photos no longer in this library",
                r.deleted.len()
            ),
        }
    }
    Ok(if r.refused.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
