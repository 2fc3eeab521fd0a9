//! `shoebox check`: re-hash every original against the catalog. Reports; never deletes.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { json } = args;
    let lib = open(cli)?;
    let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Checking");
    let r = lib.check(&|p| bar.update(p))?;
    bar.finish();
    if *json {
        print_json(&r)?;
    } else {
        for p in &r.problems {
            println!("{:<9}  {}: {}", p.kind, p.path, p.detail);
        }
        println!(
            "Checked {} original(s), {}: {} ok, {} problem(s). Catalog: {}.",
            r.checked,
            human(r.bytes),
            r.ok,
            r.problems.len(),
            r.catalog_integrity
        );
    }
    Ok(if r.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
