//! Finding and tidying: ratings, rotations, keywords, corrected capture times, and search.
//!
//! Each of these is a field of a photo that travels to the other devices like a favourite:
//! `rating` (0–5), `rotation` (0, 90, 180, 270), `taken` (a corrected capture time, or null to
//! go back to the file's), `gps` (a corrected position `{"lat", "lon"}`, or null to go back to
//! the file's) and `keyword:<word>` (true or false, one field per word, so words
//! added on two devices are both kept). Local edits and other devices' edits go through the
//! same [`apply_tidy`], which checks the value.

use crate::{ASSET_COLUMNS, Asset, Catalog, Result, asset_from_row};
use rusqlite::{Transaction, TransactionBehavior, params};
use shoebox_layout::Hash;
use shoebox_types::CaptureTime;

/// Whether `field` is one of this module's.
pub(crate) fn is_tidy_field(field: &str) -> bool {
    matches!(field, "rating" | "rotation" | "taken" | "gps")
        || field.strip_prefix("keyword:").is_some_and(is_keyword)
}

/// A keyword as stored: trimmed, 1 to 100 characters, no control characters.
pub fn is_keyword(w: &str) -> bool {
    !w.is_empty() && w.trim() == w && w.chars().count() <= 100 && !w.chars().any(char::is_control)
}

/// Applies a value of one of this module's fields to a photo. `Ok(None)`: the value is not one
/// the field takes (nothing changed); `Ok(Some(changed))` otherwise.
pub(crate) fn apply_tidy(
    tx: &Transaction<'_>,
    hash: &str,
    field: &str,
    value: &serde_json::Value,
) -> Result<Option<bool>> {
    let n = match field {
        "rating" => {
            let Some(r) = value.as_i64().filter(|r| (0..=5).contains(r)) else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE assets SET rating = ?2 WHERE hash = ?1 AND rating != ?2",
                params![hash, r],
            )?
        }
        "rotation" => {
            let Some(r) = value.as_i64().filter(|r| matches!(r, 0 | 90 | 180 | 270)) else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE assets SET rotation = ?2 WHERE hash = ?1 AND rotation != ?2",
                params![hash, r],
            )?
        }
        "taken" => match value {
            serde_json::Value::Null => tx.execute(
                "UPDATE assets SET taken_local = orig_taken_local, taken_offset = orig_taken_offset, \
                 orig_taken_local = NULL, orig_taken_offset = NULL \
                 WHERE hash = ?1 AND orig_taken_local IS NOT NULL",
                [hash],
            )?,
            serde_json::Value::String(s) => {
                let Some(t) = CaptureTime::parse(s) else {
                    return Ok(None);
                };
                // The file's own date is kept the first time; a later correction replaces the
                // correction. (SQLite reads every right-hand side from the row as it was.)
                tx.execute(
                    "UPDATE assets SET \
                     orig_taken_local = coalesce(orig_taken_local, taken_local), \
                     orig_taken_offset = CASE WHEN orig_taken_local IS NULL THEN taken_offset \
                                         ELSE orig_taken_offset END, \
                     taken_local = ?2, taken_offset = ?3 WHERE hash = ?1",
                    params![hash, t.local_key(), t.offset_minutes],
                )?
            }
            _ => return Ok(None),
        },
        "gps" => {
            // The place in words is looked up again for the position in use.
            const UNPLACED: &str =
                "place_city = NULL, place_region = NULL, place_country = NULL, place_cc = NULL";
            if value.is_null() {
                tx.execute(
                    &format!(
                        "UPDATE assets SET gps_lat = orig_gps_lat, gps_lon = orig_gps_lon, \
                         gps_alt = orig_gps_alt, orig_gps_lat = NULL, orig_gps_lon = NULL, \
                         orig_gps_alt = NULL, gps_fixed = 0, {UNPLACED} \
                         WHERE hash = ?1 AND gps_fixed = 1"
                    ),
                    [hash],
                )?
            } else {
                let (Some(lat), Some(lon)) = (
                    value.get("lat").and_then(|v| v.as_f64()),
                    value.get("lon").and_then(|v| v.as_f64()),
                ) else {
                    return Ok(None);
                };
                if !(lat.abs() <= 90.0 && lon.abs() <= 180.0) {
                    return Ok(None);
                }
                // The file's own position is kept the first time (SQLite reads every
                // right-hand side from the row as it was).
                tx.execute(
                    &format!(
                        "UPDATE assets SET \
                         orig_gps_lat = CASE WHEN gps_fixed = 0 THEN gps_lat ELSE orig_gps_lat END, \
                         orig_gps_lon = CASE WHEN gps_fixed = 0 THEN gps_lon ELSE orig_gps_lon END, \
                         orig_gps_alt = CASE WHEN gps_fixed = 0 THEN gps_alt ELSE orig_gps_alt END, \
                         gps_fixed = 1, gps_lat = ?2, gps_lon = ?3, gps_alt = NULL, {UNPLACED} \
                         WHERE hash = ?1 AND NOT (gps_fixed = 1 AND gps_lat IS ?2 AND gps_lon IS ?3)"
                    ),
                    params![hash, lat, lon],
                )?
            }
        }
        _ => {
            let Some(word) = field.strip_prefix("keyword:").filter(|w| is_keyword(w)) else {
                return Ok(None);
            };
            match value.as_bool() {
                Some(true) => tx.execute(
                    "INSERT OR IGNORE INTO asset_keywords (photo, word) \
                     SELECT hash, ?2 FROM assets WHERE hash = ?1",
                    params![hash, word],
                )?,
                Some(false) => tx.execute(
                    "DELETE FROM asset_keywords WHERE photo = ?1 AND word = ?2",
                    params![hash, word],
                )?,
                None => return Ok(None),
            }
        }
    };
    Ok(Some(n > 0))
}

/// What a search looks for besides its words.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SearchFilter {
    /// `photo` or `video`.
    pub kind: Option<String>,
    pub favourites: bool,
    /// At least this many stars.
    pub min_rating: u8,
    /// Only photos with a place (GPS).
    pub has_place: bool,
    /// Words of the camera's make or model.
    pub camera: Option<String>,
    /// Also photos in the trash.
    pub trash: bool,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// What the index holds for a photo: every word a person may search it by.
fn body_of(a: &Asset, albums: &[String]) -> String {
    let mut words: Vec<String> = vec![a.original_name.clone()];
    if let Some(name) = a.path.rsplit('/').next()
        && name != a.original_name
    {
        words.push(name.to_owned());
    }
    for s in [
        &a.meta.make,
        &a.meta.model,
        &a.meta.lens,
        &a.meta.description,
    ]
    .into_iter()
    .flatten()
    {
        words.push(s.clone());
    }
    words.extend(albums.iter().cloned());
    if let Some(p) = &a.place {
        words.extend([p.city.clone(), p.region.clone(), p.country.clone()]);
    }
    words.extend(a.keywords.iter().cloned());
    words.push(a.meta.kind.as_str().to_owned());
    // Dates: the year, the month's name, and tokens for a whole month and a whole day (a
    // query's `2019-07` and `2019-07-14` are turned into these).
    let d = a.meta.taken_at.local.date();
    use chrono::Datelike;
    words.push(format!("{:04}", d.year()));
    words.push(MONTHS[d.month0() as usize].to_owned());
    words.push(format!("m{:04}{:02}", d.year(), d.month()));
    words.push(format!("d{:04}{:02}{:02}", d.year(), d.month(), d.day()));
    words.join(" ")
}

/// The FTS5 expression for what a person typed: every word must match (as a prefix, so results
/// come as they type); `2019-07` and `2019-07-14` match that month or day. `None` when nothing
/// searchable was typed.
pub fn fts_query(q: &str) -> Option<String> {
    let mut parts = Vec::new();
    for term in q.split_whitespace() {
        let digits: Vec<&str> = term.split('-').collect();
        let all_num = digits
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        match digits.as_slice() {
            [y, m] if all_num && y.len() == 4 && m.len() <= 2 => {
                parts.push(format!("m{y}{:0>2}", m));
                continue;
            }
            [y, m, d] if all_num && y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                parts.push(format!("d{y}{:0>2}{:0>2}", m, d));
                continue;
            }
            _ => {}
        }
        // A quoted string is tokenized like the index ("IMG_2001" is the phrase img 2001,
        // "Saint-Tropez" saint tropez); its last token matches as a prefix.
        if term.chars().any(char::is_alphanumeric) {
            parts.push(format!("\"{}\"*", term.replace('"', "\"\"")));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

impl Catalog {
    /// Sets a tidy field of photos (a local edit); returns how many changed. Errors when the
    /// value is not one the field takes.
    pub fn set_tidy(
        &mut self,
        hashes: &[Hash],
        field: &str,
        value: &serde_json::Value,
    ) -> Result<usize> {
        if !is_tidy_field(field) {
            return Err(crate::Error::Invalid(format!(
                "{field} is not a field of a photo"
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        for h in hashes {
            match apply_tidy(&tx, h.as_str(), field, value)? {
                Some(changed) => n += changed as usize,
                None => {
                    return Err(crate::Error::Invalid(format!(
                        "{value} is not a value {field} takes"
                    )));
                }
            }
        }
        tx.commit()?;
        self.bump_generation()?;
        Ok(n)
    }

    /// Photos with a position whose place has not been looked up yet, at most `limit`:
    /// (id, latitude, longitude).
    pub fn places_pending(&self, limit: usize) -> Result<Vec<(i64, f64, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, gps_lat, gps_lon FROM assets \
             WHERE place_cc IS NULL AND gps_lat IS NOT NULL LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records looked-up places (`None`: no town near the position).
    pub fn set_places(&mut self, found: &[(i64, Option<shoebox_types::Place>)]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE assets SET place_city = ?2, place_region = ?3, place_country = ?4, \
                 place_cc = ?5 WHERE id = ?1",
            )?;
            for (id, p) in found {
                match p {
                    Some(p) => {
                        stmt.execute(params![id, p.city, p.region, p.country, p.country_code])?
                    }
                    None => stmt.execute(params![
                        id,
                        Option::<String>::None,
                        Option::<String>::None,
                        Option::<String>::None,
                        ""
                    ])?,
                };
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Drops the search index and marks every photo for indexing again (a catalog that came
    /// from a store).
    pub fn rebuild_search(&self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; \
             DROP TABLE IF EXISTS search_index; \
             CREATE VIRTUAL TABLE search_index USING fts5(body, tokenize = 'unicode61 remove_diacritics 2'); \
             INSERT OR IGNORE INTO search_dirty SELECT id FROM assets; \
             COMMIT;",
        )?;
        Ok(())
    }

    /// Brings the search index up to date with the photos that changed since (new, edited,
    /// added to an album, renamed album, keywords). Returns how many rows it rewrote.
    pub fn refresh_search(&self) -> Result<usize> {
        let dirty: usize = self
            .conn
            .query_row("SELECT count(*) FROM search_dirty", [], |r| {
                r.get::<_, i64>(0)
            })? as usize;
        if dirty == 0 {
            return Ok(0);
        }
        // A write from a query (`&self`): no other statement of this connection is open here.
        // Immediate: what is read and what is cleared are the same dirty rows.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        {
            // One pass over the dirty photos, their album names fetched in the same breath.
            let sql = format!(
                "SELECT {ASSET_COLUMNS}, id, \
                 (SELECT group_concat(al.name, ' ') FROM album_assets aa \
                  JOIN albums al ON al.id = aa.album_id WHERE aa.hash = assets.hash) AS album_names, \
                 (SELECT group_concat(DISTINCT p.name) FROM faces f JOIN people p ON p.id = f.person_id \
                  WHERE f.hash = assets.hash AND p.hidden = 0) AS people_names \
                 FROM assets WHERE id IN (SELECT id FROM search_dirty)"
            );
            let mut get = tx.prepare(&sql)?;
            let rows = get.query_map([], |r| {
                Ok((
                    r.get::<_, i64>("id")?,
                    asset_from_row(r)?,
                    r.get::<_, Option<String>>("album_names")?,
                    r.get::<_, Option<String>>("people_names")?,
                ))
            })?;
            let mut del = tx.prepare_cached("DELETE FROM search_index WHERE rowid = ?1")?;
            let mut put =
                tx.prepare_cached("INSERT INTO search_index (rowid, body) VALUES (?1, ?2)")?;
            for row in rows {
                let (id, a, albums, people) = row?;
                del.execute([id])?;
                // Album names and the names of the people in it are words of the photo.
                let albums: Vec<String> = albums.into_iter().chain(people).collect();
                put.execute(params![id, body_of(&a, &albums)])?;
            }
            // Deleted photos: their rows go.
            tx.execute(
                "DELETE FROM search_index WHERE rowid IN \
                 (SELECT id FROM search_dirty WHERE id NOT IN (SELECT id FROM assets))",
                [],
            )?;
            tx.execute("DELETE FROM search_dirty", [])?;
        }
        tx.commit()?;
        Ok(dirty)
    }

    /// The photos matching what a person typed and the filter, newest first. An empty query
    /// with a filter lists what the filter lets through.
    pub fn search(&self, query: &str, filter: &SearchFilter) -> Result<Vec<Asset>> {
        self.refresh_search()?;
        let (sql, args) = search_sql(query, filter, 1);
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE {sql} ORDER BY taken_local DESC, path"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The `WHERE` clause of a search and its parameters.
/// Parameters are numbered from `first`.
pub(crate) fn search_sql(
    query: &str,
    filter: &SearchFilter,
    first: usize,
) -> (String, Vec<String>) {
    let n = |args: &Vec<String>| first + args.len() - 1;
    let mut clauses = vec!["motion_of IS NULL".to_owned()];
    let mut args = Vec::new();
    if !filter.trash {
        clauses.push("trashed_at IS NULL".into());
    }
    match fts_query(query) {
        Some(q) => {
            args.push(q);
            clauses.push(format!(
                "id IN (SELECT rowid FROM search_index WHERE search_index MATCH ?{})",
                n(&args)
            ));
        }
        // Words that hold nothing searchable (only punctuation) match nothing.
        None if !query.trim().is_empty() => clauses.push("0".into()),
        None => {}
    }
    if let Some(k) = &filter.kind {
        args.push(k.clone());
        clauses.push(format!("kind = ?{}", n(&args)));
    }
    if filter.favourites {
        clauses.push("favourite = 1".into());
    }
    if filter.min_rating > 0 {
        clauses.push(format!("rating >= {}", filter.min_rating.min(5)));
    }
    if filter.has_place {
        clauses.push("gps_lat IS NOT NULL".into());
    }
    if let Some(c) = &filter.camera {
        for w in c.split_whitespace() {
            args.push(format!(
                "%{}%",
                w.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            ));
            let i = n(&args);
            clauses.push(format!(
                "(coalesce(make, '') || ' ' || coalesce(model, '')) LIKE ?{i} ESCAPE '\\'"
            ));
        }
    }
    (clauses.join(" AND "), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_become_prefix_words_and_date_tokens() {
        assert_eq!(fts_query("rome").as_deref(), Some("\"rome\"*"));
        assert_eq!(
            fts_query("  July 2019 ").as_deref(),
            Some("\"July\"* AND \"2019\"*")
        );
        assert_eq!(fts_query("2019-07").as_deref(), Some("m201907"));
        assert_eq!(fts_query("2019-7-4").as_deref(), Some("d20190704"));
        assert_eq!(fts_query("IMG_2001").as_deref(), Some("\"IMG_2001\"*"));
        assert_eq!(
            fts_query("\"quoted\" AND").as_deref(),
            Some("\"\"\"quoted\"\"\"* AND \"AND\"*")
        );
        assert_eq!(fts_query("-- ..."), None);
        assert_eq!(fts_query(""), None);
    }
}
