//! `shoebox caption`: set a photo's caption (its description); an empty text clears it.

use crate::*;

#[derive(clap::Args)]
pub struct Args {
    /// A hash (or its first characters) or a library path.
    pub photo: String,
    pub text: String,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let Args { photo, text } = args;
    let mut lib = open(cli)?;
    let hash = lib.show(photo)?.hash;
    let text = (!text.is_empty()).then_some(text.as_str());
    lib.set_caption(&hash, text)?;
    Ok(ExitCode::SUCCESS)
}
