//! Finding and tidying (issue 14): search, ratings, keywords, rotation and corrected dates.
//! Every edit here is a catalog edit like a favourite: it is backed up with the catalog and
//! reaches the other devices of the library at their next sync. Originals are never touched.

use crate::{Error, Library, Result};
use shoebox_catalog::{Asset, SearchFilter};
use shoebox_layout::Hash;
use shoebox_types::CaptureTime;

/// Which way to turn a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Left,
    Right,
}

/// A change of capture time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFix {
    /// This date and time (with the offset given, or the photo's own when none is given).
    To(CaptureTime),
    /// Moved by this many seconds (a camera set to the wrong clock or time zone).
    Shift(i64),
    /// Back to what the file says.
    Undo,
}

/// A photo's position and place after a change: (hash, position, place).
pub type Placed = (
    Hash,
    Option<shoebox_types::Gps>,
    Option<shoebox_types::Place>,
);

/// A change of position.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceFix {
    /// These coordinates (degrees).
    At { lat: f64, lon: f64 },
    /// The town a person names: "Trastevere", "Paris, Texas" (see [`crate::places::town_named`]).
    Town(String),
    /// Back to what the file says.
    Undo,
}

impl Library {
    /// Sets the position of photos by hand (or undoes it): the file keeps its own, the catalog
    /// keeps both, and the place in words follows the position in use. Returns each photo's
    /// position and place now.
    pub fn set_place(&mut self, hashes: &[Hash], fix: &PlaceFix) -> Result<Vec<Placed>> {
        let value = match fix {
            PlaceFix::Undo => serde_json::Value::Null,
            PlaceFix::At { lat, lon } => {
                if !(lat.abs() <= 90.0 && lon.abs() <= 180.0) {
                    return Err(Error::Setting(format!(
                        "{lat}, {lon} is not a position: latitude -90 to 90, longitude -180 to 180"
                    )));
                }
                serde_json::json!({ "lat": lat, "lon": lon })
            }
            PlaceFix::Town(q) => {
                let (t, _) = crate::places::town_named(q)?;
                serde_json::json!({ "lat": t.lat, "lon": t.lon })
            }
        };
        let mut found = Vec::new();
        for h in hashes {
            found.push(self.show(h.as_str())?.hash);
        }
        self.catalog.set_tidy(&found, "gps", &value)?;
        self.record("gps", &found, value)?;
        self.fill_places()?;
        found
            .into_iter()
            .map(|h| {
                let a = self.show(h.as_str())?;
                Ok((h, a.meta.gps, a.place))
            })
            .collect()
    }

    /// The photos matching what a person typed and the filter, newest first.
    pub fn search(&self, query: &str, filter: &SearchFilter) -> Result<Vec<Asset>> {
        Ok(self.catalog.search(query, filter)?)
    }

    /// Sets the rating (0–5) of photos.
    pub fn rate(&mut self, hashes: &[Hash], stars: u8) -> Result<usize> {
        if stars > 5 {
            return Err(Error::Setting(format!(
                "a rating is 0 to 5 stars, not {stars}"
            )));
        }
        let v = serde_json::json!(stars);
        let n = self.catalog.set_tidy(hashes, "rating", &v)?;
        self.record("rating", hashes, v)?;
        Ok(n)
    }

    /// Adds (`on`) or removes a keyword.
    pub fn keyword(&mut self, hashes: &[Hash], word: &str, on: bool) -> Result<usize> {
        let word = word.split_whitespace().collect::<Vec<_>>().join(" ");
        if !shoebox_catalog::is_keyword(&word) {
            return Err(Error::Setting(format!(
                "{word:?} cannot be a keyword: 1 to 100 characters, no control characters"
            )));
        }
        let field = format!("keyword:{word}");
        let v = serde_json::json!(on);
        let n = self.catalog.set_tidy(hashes, &field, &v)?;
        self.record(&field, hashes, v)?;
        Ok(n)
    }

    /// Turns photos a quarter left or right (shown so by thumbnails and the viewer; the
    /// original is untouched). Returns each photo's new rotation.
    pub fn rotate(&mut self, hashes: &[Hash], turn: Turn) -> Result<Vec<(Hash, u16)>> {
        let mut out = Vec::new();
        for h in hashes {
            let a = self.show(h.as_str())?;
            let r = match turn {
                Turn::Right => (a.rotation + 90) % 360,
                Turn::Left => (a.rotation + 270) % 360,
            };
            let v = serde_json::json!(r);
            self.catalog
                .set_tidy(std::slice::from_ref(&a.hash), "rotation", &v)?;
            self.record("rotation", std::slice::from_ref(&a.hash), v)?;
            out.push((a.hash, r));
        }
        Ok(out)
    }

    /// Corrects the capture time of photos (or undoes the correction). The file keeps its
    /// date; the catalog keeps both, and the timeline and exports use the corrected one.
    /// Returns each photo's date now.
    pub fn set_date(&mut self, hashes: &[Hash], fix: &DateFix) -> Result<Vec<(Hash, CaptureTime)>> {
        let mut out = Vec::new();
        for h in hashes {
            let a = self.show(h.as_str())?;
            let one = std::slice::from_ref(&a.hash);
            let value = match fix {
                DateFix::Undo => serde_json::Value::Null,
                DateFix::To(t) => {
                    let t = CaptureTime {
                        local: t.local,
                        offset_minutes: t.offset_minutes.or(a.meta.taken_at.offset_minutes),
                    };
                    serde_json::json!(t.to_string())
                }
                DateFix::Shift(secs) => {
                    let base = a.meta.taken_at;
                    let local = base
                        .local
                        .checked_add_signed(chrono::Duration::seconds(*secs))
                        .ok_or_else(|| Error::Setting(format!("{secs} s is too far")))?;
                    serde_json::json!(CaptureTime { local, ..base }.to_string())
                }
            };
            self.catalog.set_tidy(one, "taken", &value)?;
            self.record("taken", one, value)?;
            out.push((a.hash.clone(), self.show(a.hash.as_str())?.meta.taken_at));
        }
        Ok(out)
    }
}
