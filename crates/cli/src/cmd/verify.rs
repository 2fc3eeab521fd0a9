//! `shoebox verify`: compare a target with the catalog and re-hash the library's originals.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub target: Option<String>,
    /// Read every object back and check its checksum.
    #[arg(long)]
    pub deep: bool,
    /// Read back this percentage of objects (when not --deep).
    #[arg(long, value_name = "PERCENT", default_value_t = 0.0)]
    pub sample: f64,
    /// Re-upload what the store lost or has damaged; fetch back damaged or lost originals.
    #[arg(long)]
    pub repair: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args {
        target,
        deep,
        sample,
        repair,
        json,
    } = args;
    let mut lib = open(cli)?;
    let bar = progress::Bar::new(!json && std::io::stderr().is_terminal(), "Verifying");
    let opts = shoebox_engine::VerifyOptions {
        deep: *deep,
        sample_percent: *sample,
        repair: *repair,
        concurrency: 8,
    };
    let results = lib.verify(target.as_deref(), &opts, &|p| bar.update(p))?;
    bar.finish();
    per_target(
        &results,
        *json,
        |rep| rep.is_clean(),
        |rep| {
            for p in &rep.problems {
                println!(
                    "  {:<13} {}: {}{}",
                    p.kind,
                    p.key,
                    p.detail,
                    if p.repaired { " — repaired" } else { "" }
                );
            }
            println!(
                "{}: {} object(s) checked, {} read back, {} original(s) re-hashed, {} problem(s){}",
                rep.target,
                rep.objects,
                rep.objects_read_back,
                rep.originals_checked,
                rep.problems.len(),
                if rep.problems.is_empty() {
                    String::new()
                } else if rep.is_clean() {
                    ", all repaired".into()
                } else {
                    " (run with --repair to mend them)".into()
                }
            );
        },
    )
}
