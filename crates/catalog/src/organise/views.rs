//! What the timeline and the map read: views (all, favourites, an album, the trash, a search, an area, a person), buckets by month, a month's photos, map cells.

use crate::{ASSET_COLUMNS, Asset, Catalog, Result, asset_from_row};
use rusqlite::{params, params_from_iter};
use serde::{Deserialize, Serialize};

/// Which photos a timeline shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "album", rename_all = "snake_case")]
pub enum View {
    /// Everything not in the trash.
    All,
    Favourites,
    Album(i64),
    Trash,
    /// What a search finds (see [`Catalog::search`]).
    Search(String, crate::SearchFilter),
    /// Photos taken inside an area of the map: south, west, north, east in millionths of a
    /// degree (a cluster of the Places view).
    Area([i64; 4]),
    /// Photos a person is in (a person of the People page).
    Person(i64),
}

impl View {
    /// The `WHERE` clause and its parameters, numbered from `first` (an album id is an
    /// integer, written in).
    fn filter(&self, first: usize) -> (String, Vec<String>) {
        let fixed = |s: &str| (s.to_owned(), Vec::new());
        match self {
            // A Live Photo's video is shown with its photo, never on its own.
            View::All => fixed("trashed_at IS NULL AND motion_of IS NULL"),
            View::Favourites => fixed("trashed_at IS NULL AND favourite = 1 AND motion_of IS NULL"),
            View::Album(id) => (
                format!(
                    "trashed_at IS NULL AND motion_of IS NULL \
                     AND hash IN (SELECT hash FROM album_assets WHERE album_id = {id})"
                ),
                Vec::new(),
            ),
            View::Trash => fixed("trashed_at IS NOT NULL AND motion_of IS NULL"),
            View::Person(id) => (
                format!(
                    "trashed_at IS NULL AND motion_of IS NULL \
                     AND hash IN (SELECT hash FROM faces WHERE person_id = {id})"
                ),
                Vec::new(),
            ),
            View::Search(q, f) => crate::tidy::search_sql(q, f, first),
            View::Area([s, w, n, e]) => (
                format!(
                    "trashed_at IS NULL AND motion_of IS NULL AND gps_lat IS NOT NULL \
                     AND gps_lat >= {} AND gps_lat <= {} AND gps_lon >= {} AND gps_lon <= {}",
                    *s as f64 / 1e6,
                    *n as f64 / 1e6,
                    *w as f64 / 1e6,
                    *e as f64 / 1e6
                ),
                Vec::new(),
            ),
        }
    }
}

/// A cluster of the Places view: the photos with a position inside one cell of a grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceCell {
    /// Where its photos are on average.
    pub lat: f64,
    pub lon: f64,
    pub count: u64,
    /// Its newest photo, for a thumbnail.
    pub cover: String,
    /// The cell: south, west, north, east (degrees).
    pub bounds: [f64; 4],
}

/// A month of the timeline: `2023-07` and how many assets it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bucket {
    /// `YYYY-MM`.
    pub month: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// Rows of (month, count) as buckets.
pub(crate) fn bucket_rows(
    stmt: &mut rusqlite::Statement<'_>,
    p: impl rusqlite::Params,
) -> Result<Vec<Bucket>> {
    let rows = stmt.query_map(p, |r| {
        Ok(Bucket {
            month: r.get(0)?,
            count: r.get::<_, i64>(1)? as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn next_month(m: &str) -> Option<String> {
    let (y, mo) = m.split_once('-')?;
    let (y, mo): (i32, u32) = (y.parse().ok()?, mo.parse().ok()?);
    if !(1..=12).contains(&mo) {
        return None;
    }
    Some(if mo == 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    })
}

impl Catalog {
    pub(crate) fn bump_generation(&self) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('generation', '1') \
             ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [],
        )?;
        Ok(())
    }

    /// The photos with a position on the timeline, counted in cells of `cell` degrees inside
    /// `[south, west, north, east]`.
    pub fn place_cells(&self, cell: f64, area: [f64; 4]) -> Result<Vec<PlaceCell>> {
        let cell = if cell.is_finite() {
            cell.clamp(1e-4, 90.0)
        } else {
            10.0
        };
        let [s, w, n, e] = area;
        // Cells are floor(degrees / cell) (SQLite's bundled build has no floor(): a cast rounds
        // toward zero, and one is taken off below zero). max() picks the newest photo's row,
        // and its hash with it.
        let mut stmt = self.conn.prepare_cached(
            "SELECT CAST(gps_lat / ?1 AS INTEGER) - (gps_lat / ?1 < CAST(gps_lat / ?1 AS INTEGER)) AS gy, \
                    CAST(gps_lon / ?1 AS INTEGER) - (gps_lon / ?1 < CAST(gps_lon / ?1 AS INTEGER)) AS gx, \
                    count(*), avg(gps_lat), avg(gps_lon), max(taken_local), hash \
             FROM assets WHERE trashed_at IS NULL AND motion_of IS NULL \
             AND gps_lat IS NOT NULL AND gps_lat BETWEEN ?2 AND ?4 AND gps_lon BETWEEN ?3 AND ?5 \
             GROUP BY gy, gx",
        )?;
        let rows = stmt.query_map(params![cell, s, w, n, e], |r| {
            let (gy, gx): (i64, i64) = (r.get(0)?, r.get(1)?);
            Ok(PlaceCell {
                count: r.get::<_, i64>(2)? as u64,
                lat: r.get(3)?,
                lon: r.get(4)?,
                cover: r.get(6)?,
                bounds: [
                    gy as f64 * cell,
                    gx as f64 * cell,
                    (gy + 1) as f64 * cell,
                    (gx + 1) as f64 * cell,
                ],
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Month buckets of a view counted from its photos (what the kept counts must equal, and
    /// how a search or an area of the map is counted).
    pub fn buckets_counted(&self, view: &View) -> Result<Vec<Bucket>> {
        if matches!(view, View::Search(..)) {
            self.refresh_search()?;
        }
        let (filter, args) = view.filter(1);
        let sql = format!(
            "SELECT substr(taken_local, 1, 7) AS m, COUNT(*) FROM assets WHERE {filter} \
             GROUP BY m ORDER BY m DESC"
        );
        bucket_rows(&mut self.conn.prepare(&sql)?, params_from_iter(args.iter()))
    }

    /// Counts the months again from the photos (a catalog from a store: its counts are not
    /// taken as they came).
    pub fn recount_months(&self) -> Result<()> {
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM month_counts; \
             INSERT INTO month_counts \
               SELECT CASE WHEN trashed_at IS NULL THEN 'all' ELSE 'trash' END, \
                      substr(taken_local, 1, 7), count(*) \
               FROM assets WHERE motion_of IS NULL GROUP BY 1, 2; \
             INSERT INTO month_counts \
               SELECT 'favourites', substr(taken_local, 1, 7), count(*) FROM assets \
               WHERE motion_of IS NULL AND trashed_at IS NULL AND favourite = 1 GROUP BY 2; \
             DELETE FROM album_month_counts; \
             INSERT INTO album_month_counts \
               SELECT aa.album_id, substr(a.taken_local, 1, 7), count(*) \
               FROM album_assets aa JOIN assets a ON a.hash = aa.hash \
               WHERE a.trashed_at IS NULL AND a.motion_of IS NULL GROUP BY 1, 2; \
             COMMIT;",
        )?;
        Ok(())
    }

    /// Month buckets of a view, newest first. The whole timeline, the favourites, the trash
    /// and albums read counts kept by triggers; a search counts what it finds.
    pub fn buckets(&self, view: &View) -> Result<Vec<Bucket>> {
        let kept = match view {
            View::All => "all",
            View::Favourites => "favourites",
            View::Trash => "trash",
            View::Album(id) => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT month, n FROM album_month_counts WHERE album_id = ?1 AND n > 0 \
                     ORDER BY month DESC",
                )?;
                return bucket_rows(&mut stmt, [id]);
            }
            View::Search(..) | View::Area(_) | View::Person(_) => {
                return self.buckets_counted(view);
            }
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT month, n FROM month_counts WHERE view = ?1 AND n > 0 ORDER BY month DESC",
        )?;
        bucket_rows(&mut stmt, [kept])
    }

    /// The assets of one month (`YYYY-MM`) of a view, newest first.
    pub fn assets_in_month(&self, view: &View, month: &str) -> Result<Vec<Asset>> {
        self.assets_in_month_page(view, month, 0, i64::MAX as u64)
    }

    /// `limit` assets of one month of a view from `offset`, newest first (a month of thousands
    /// is shown a page at a time).
    pub fn assets_in_month_page(
        &self,
        view: &View,
        month: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Asset>> {
        let Some(end) = next_month(month) else {
            return Ok(Vec::new());
        };
        if matches!(view, View::Search(..)) {
            self.refresh_search()?;
        }
        let (filter, args) = view.filter(5);
        // A range on the indexed sort key, not substr(), so the index serves it.
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE taken_local >= ?1 AND taken_local < ?2 \
             AND {filter} ORDER BY taken_local DESC, path \
             LIMIT CAST(?3 AS INTEGER) OFFSET CAST(?4 AS INTEGER)"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (limit, offset) = (limit.min(i64::MAX as u64).to_string(), offset.to_string());
        let all: Vec<&str> = [month, end.as_str(), limit.as_str(), offset.as_str()]
            .into_iter()
            .chain(args.iter().map(String::as_str))
            .collect();
        let rows = stmt.query_map(params_from_iter(all), asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
