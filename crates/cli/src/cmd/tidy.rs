//! `shoebox rate`, `keyword`, `rotate` and `set-date`: tidying photos. Catalog edits, like a
//! favourite: backed up, synced to the other devices, the originals never touched.

use crate::*;
use shoebox_engine::{CaptureTime, DateFix, PlaceFix, Turn};

fn hashes_of(lib: &Library, photos: &[String]) -> Result<Vec<shoebox_engine::Hash>> {
    photos.iter().map(|p| Ok(lib.show(p)?.hash)).collect()
}

#[derive(clap::Args)]
pub struct RateArgs {
    /// Hashes (or their first characters) or library paths, then the stars (0–5).
    #[arg(required = true, num_args = 2..)]
    pub args: Vec<String>,
}

pub fn rate(cli: &Cli, a: &RateArgs) -> Result<ExitCode> {
    let (stars, photos) = a.args.split_last().expect("two or more");
    let stars: u8 = stars
        .parse()
        .ok()
        .filter(|s| *s <= 5)
        .ok_or_else(|| anyhow::anyhow!("the last argument is the stars, 0 to 5: {stars:?}"))?;
    let mut lib = open(cli)?;
    let hashes = hashes_of(&lib, photos)?;
    let n = lib.rate(&hashes, stars)?;
    println!("{n} photo(s) rated {stars}");
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct KeywordArgs {
    #[command(subcommand)]
    pub action: KeywordAction,
}

#[derive(clap::Subcommand)]
pub enum KeywordAction {
    /// Add a keyword to photos.
    Add {
        word: String,
        #[arg(required = true)]
        photos: Vec<String>,
    },
    /// Remove a keyword from photos.
    Remove {
        word: String,
        #[arg(required = true)]
        photos: Vec<String>,
    },
}

pub fn keyword(cli: &Cli, a: &KeywordArgs) -> Result<ExitCode> {
    let mut lib = open(cli)?;
    let (word, photos, on) = match &a.action {
        KeywordAction::Add { word, photos } => (word, photos, true),
        KeywordAction::Remove { word, photos } => (word, photos, false),
    };
    let hashes = hashes_of(&lib, photos)?;
    let n = lib.keyword(&hashes, word, on)?;
    println!(
        "{n} photo(s) {} {word:?}",
        if on { "given" } else { "no longer have" }
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RotateArgs {
    /// Hashes (or their first characters) or library paths, then `left` or `right`.
    #[arg(required = true, num_args = 2..)]
    pub args: Vec<String>,
}

pub fn rotate(cli: &Cli, a: &RotateArgs) -> Result<ExitCode> {
    let (way, photos) = a.args.split_last().expect("two or more");
    let turn = match way.as_str() {
        "left" => Turn::Left,
        "right" => Turn::Right,
        other => anyhow::bail!("the last argument is left or right, not {other:?}"),
    };
    let mut lib = open(cli)?;
    let hashes = hashes_of(&lib, photos)?;
    for (h, r) in lib.rotate(&hashes, turn)? {
        println!("{}  {r}°", h.short(12));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct SetDateArgs {
    /// Hashes (or their first characters) or library paths.
    #[arg(required = true)]
    pub photos: Vec<String>,
    /// The date and time: `2019-07-14T10:20:00`, with an offset (`+02:00`) if known.
    #[arg(long, conflicts_with_all = ["shift", "undo"])]
    pub to: Option<String>,
    /// Move by an amount: `+2h`, `-30m`, `+1d`, `-1d2h30m`, `+45s`.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "undo")]
    pub shift: Option<String>,
    /// Go back to the date the file gives.
    #[arg(long)]
    pub undo: bool,
}

#[derive(clap::Args)]
pub struct SetPlaceArgs {
    /// Hashes (or their first characters) or library paths.
    #[arg(required = true)]
    pub photos: Vec<String>,
    /// A town of 1,000 people or more, with its region or country after a comma if its name is
    /// not enough: `Trastevere`, `Paris, Texas`, `San Jose, Costa Rica`.
    #[arg(long, conflicts_with_all = ["gps", "undo"])]
    pub city: Option<String>,
    /// A position in degrees: `41.89,12.47` (south and west negative).
    #[arg(long, allow_hyphen_values = true, conflicts_with = "undo")]
    pub gps: Option<String>,
    /// Go back to the position the file gives (or none).
    #[arg(long)]
    pub undo: bool,
}

pub fn set_place(cli: &Cli, a: &SetPlaceArgs) -> Result<ExitCode> {
    let fix = match (&a.city, &a.gps, a.undo) {
        (Some(c), None, false) => PlaceFix::Town(c.clone()),
        (None, Some(g), false) => {
            let parsed = g
                .split_once(',')
                .and_then(|(la, lo)| Some((la.trim().parse().ok()?, lo.trim().parse().ok()?)));
            let Some((lat, lon)) = parsed else {
                anyhow::bail!("{g:?} is not a position: give LAT,LON in degrees, e.g. 41.89,12.47");
            };
            PlaceFix::At { lat, lon }
        }
        (None, None, true) => PlaceFix::Undo,
        _ => anyhow::bail!("give one of --city NAME, --gps LAT,LON or --undo"),
    };
    let mut lib = open(cli)?;
    let hashes = hashes_of(&lib, &a.photos)?;
    for (h, gps, place) in lib.set_place(&hashes, &fix)? {
        let at = gps.map_or("no position".to_owned(), |g| {
            format!("{:.5}, {:.5}", g.lat, g.lon)
        });
        let name = place.map_or(String::new(), |p| format!("  {}", p.name));
        println!("{}  {at}{name}", h.short(12));
    }
    Ok(ExitCode::SUCCESS)
}

/// `+1d2h30m` → seconds.
fn parse_shift(s: &str) -> Option<i64> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let mut total = 0i64;
    let mut num = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        total += n * match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
    }
    (num.is_empty() && !rest.is_empty()).then_some(sign * total)
}

pub fn set_date(cli: &Cli, a: &SetDateArgs) -> Result<ExitCode> {
    let fix = match (&a.to, &a.shift, a.undo) {
        (Some(t), None, false) => DateFix::To(CaptureTime::parse(t).ok_or_else(|| {
            anyhow::anyhow!("{t:?} is not a date: give 2019-07-14T10:20:00 (and +02:00 if known)")
        })?),
        (None, Some(s), false) => DateFix::Shift(
            parse_shift(s)
                .ok_or_else(|| anyhow::anyhow!("{s:?} is not an amount like +2h, -30m, +1d2h"))?,
        ),
        (None, None, true) => DateFix::Undo,
        _ => anyhow::bail!("give one of --to DATE, --shift AMOUNT or --undo"),
    };
    let mut lib = open(cli)?;
    let hashes = hashes_of(&lib, &a.photos)?;
    for (h, t) in lib.set_date(&hashes, &fix)? {
        println!("{}  {t}", h.short(12));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_shift;

    #[test]
    fn shifts_parse() {
        assert_eq!(parse_shift("+2h"), Some(7200));
        assert_eq!(parse_shift("-30m"), Some(-1800));
        assert_eq!(parse_shift("1d2h30m"), Some(86_400 + 7_200 + 1_800));
        assert_eq!(parse_shift("+45s"), Some(45));
        assert_eq!(parse_shift("2"), None);
        assert_eq!(parse_shift("+2x"), None);
        assert_eq!(parse_shift(""), None);
    }
}
