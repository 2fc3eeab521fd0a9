//! `shoebox search`: find photos by words and filters.

use crate::*;
use shoebox_engine::SearchFilter;

#[derive(clap::Args)]
pub struct Args {
    /// Words, all of which must match (as prefixes): file name, camera and lens, caption,
    /// album names, keywords, and dates ("2019", "july 2019", "2019-07", "2019-07-14").
    #[arg(default_value = "")]
    pub query: String,
    /// Only photos, or only videos.
    #[arg(long, value_parser = ["photo", "video"])]
    pub kind: Option<String>,
    /// Only favourites.
    #[arg(long)]
    pub favourite: bool,
    /// At least this many stars.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=5), default_value_t = 0)]
    pub rating: u8,
    /// Only photos with a place (GPS).
    #[arg(long)]
    pub has_place: bool,
    /// Words of the camera's make or model.
    #[arg(long)]
    pub camera: Option<String>,
    /// Search the trash too.
    #[arg(long)]
    pub trash: bool,
    /// The same fields as `ls --json`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<ExitCode> {
    let lib = open(cli)?;
    let filter = SearchFilter {
        kind: args.kind.clone(),
        favourites: args.favourite,
        min_rating: args.rating,
        has_place: args.has_place,
        camera: args.camera.clone(),
        trash: args.trash,
    };
    let found = lib.search(&args.query, &filter)?;
    cmd::ls::print_listing(&lib, &found, args.json)?;
    if !args.json {
        eprintln!("{} found", found.len());
    }
    Ok(ExitCode::SUCCESS)
}
