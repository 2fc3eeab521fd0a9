//! Reading rows: the asset columns every query selects, and an asset or store object from a row.

use crate::*;
use rusqlite::{Connection, OpenFlags, Row};
use shoebox_types::{CaptureTime, Gps, Kind, Metadata, Place, TimeSource};
use std::path::Path;
use std::time::Duration;

pub(crate) const ASSET_COLUMNS: &str = "hash, path, original_name, size, kind, mime, taken_local, taken_offset, \
    taken_source, width, height, orientation, make, model, lens, iso, exposure_time, f_number, \
    focal_length_mm, gps_lat, gps_lon, gps_alt, duration_ms, description, imported_at, thumb_state, \
    favourite, trashed_at, origin, motion_of, rating, rotation, orig_taken_local, orig_taken_offset, \
    place_city, place_region, place_country, place_cc, gps_fixed, orig_gps_lat, orig_gps_lon, \
    orig_gps_alt, motion_offset, (SELECT group_concat(word, char(31)) FROM (SELECT word FROM asset_keywords WHERE photo = hash \
     ORDER BY word)) AS keywords";

impl Catalog {
    /// Opens (creating if needed) and migrates the catalog at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let wrap = |source| Error::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(wrap)?;
        // A file that is not a database fails here, before anything is written to it.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| damaged_or(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Damaged {
                path: path.to_owned(),
                detail: format!("journal mode is {mode}, expected wal"),
            });
        }
        // FULL: a committed import survives power loss, not only a crash of the process. On macOS
        // that also takes F_FULLFSYNC (`fullfsync`); a plain fsync there does not reach the disk.
        // `trusted_schema=OFF`: a catalog that came from a store cannot run functions from its
        // views or triggers.
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;",
        )
        .map_err(wrap)?;
        #[cfg(target_os = "macos")]
        conn.execute_batch("PRAGMA fullfsync=ON; PRAGMA checkpoint_fullfsync=ON;")
            .map_err(wrap)?;
        let mut cat = Catalog {
            conn,
            path: path.to_owned(),
        };
        migrations::migrate(&mut cat.conn, path)?;
        Ok(cat)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a catalog that came from somewhere we do not trust (another device's snapshot on a
    /// store) to read it: read-only, no extensions, `trusted_schema=OFF`, and refused unless
    /// `integrity_check` says ok, its schema is one this build knows, and it holds no views or
    /// triggers but Shoebox's own, word for word (a planted one could run on our reads or
    /// writes).
    pub fn open_untrusted(path: &Path) -> Result<Self> {
        let wrap = |source| Error::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        conn.execute_batch("PRAGMA trusted_schema=OFF; PRAGMA query_only=ON;")
            .map_err(wrap)?;
        let cat = Catalog {
            conn,
            path: path.to_owned(),
        };
        let damaged = |detail: String| Error::Damaged {
            path: path.to_owned(),
            detail,
        };
        let check = cat
            .integrity_check()
            .map_err(|e| damaged(format!("not a readable catalog: {e}")))?;
        if check != "ok" {
            return Err(damaged(check));
        }
        let version = cat.schema_version()?;
        if version > migrations::SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.to_owned(),
                found: version,
                supported: migrations::SCHEMA_VERSION,
            });
        }
        if version < 1 {
            return Err(damaged("no Shoebox schema in it".into()));
        }
        // Shoebox's own triggers (from v12 they keep the search index fresh) are let through
        // when they are exactly, name and text, what some version of its migrations wrote;
        // anything else is planted.
        let ours = migrations::known_schema_objects()?;
        let planted: Vec<String> = schema_objects(&cat.conn)?
            .into_iter()
            .filter(|o| !ours.contains(o))
            .map(|(kind, name, _)| format!("{kind} {name}"))
            .collect();
        if !planted.is_empty() {
            return Err(damaged(format!(
                "holds {} that Shoebox never writes: {}",
                if planted.len() == 1 {
                    "an object"
                } else {
                    "objects"
                },
                planted.join(", ")
            )));
        }
        Ok(cat)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite found.
    pub fn integrity_check(&self) -> Result<String> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows.join("; "))
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Opens a catalog fetched from a store: checked as [`Self::open_untrusted`] says, then opened
    /// (and migrated) as a working copy.
    /// Its search index and month counts are built again here from the catalog's rows: what a
    /// store held in their own tables is never used.
    pub fn open_from_store(path: &Path) -> Result<Self> {
        drop(Catalog::open_untrusted(path)?);
        let cat = Catalog::open(path)?;
        cat.rebuild_derived()?;
        Ok(cat)
    }

    /// Builds again what is derived from the photos' rows (the search index, the month
    /// counts), for a catalog that came from a store.
    pub fn rebuild_derived(&self) -> Result<()> {
        self.rebuild_search()?;
        self.recount_months()
    }
}

pub(crate) fn asset_from_row(r: &Row<'_>) -> rusqlite::Result<Asset> {
    let local: String = r.get("taken_local")?;
    let offset: Option<i32> = r.get("taken_offset")?;
    let taken_at = CaptureTime::parse(&local)
        .map(|t| CaptureTime {
            local: t.local,
            offset_minutes: offset,
        })
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                6,
                rusqlite::types::Type::Text,
                format!("bad capture time {local:?}").into(),
            )
        })?;
    let kind: String = r.get("kind")?;
    let source: String = r.get("taken_source")?;
    let lat: Option<f64> = r.get("gps_lat")?;
    let lon: Option<f64> = r.get("gps_lon")?;
    let thumb_state = ThumbState::parse(&r.get::<_, String>("thumb_state")?);
    Ok(Asset {
        hash: r.get("hash")?,
        path: r.get("path")?,
        original_name: r.get("original_name")?,
        size: r.get::<_, i64>("size")? as u64,
        meta: Metadata {
            kind: Kind::parse(&kind).unwrap_or(Kind::Photo),
            mime: r.get("mime")?,
            taken_at,
            taken_at_source: TimeSource::parse(&source).unwrap_or(TimeSource::Mtime),
            width: r.get("width")?,
            height: r.get("height")?,
            orientation: r.get("orientation")?,
            make: r.get("make")?,
            model: r.get("model")?,
            lens: r.get("lens")?,
            iso: r.get("iso")?,
            exposure_time: r.get("exposure_time")?,
            f_number: r.get("f_number")?,
            focal_length_mm: r.get("focal_length_mm")?,
            gps: match (lat, lon) {
                (Some(lat), Some(lon)) => Some(Gps {
                    lat,
                    lon,
                    alt: r.get("gps_alt")?,
                }),
                _ => None,
            },
            duration_ms: r.get::<_, Option<i64>>(22)?.map(|d| d as u64),
            description: r.get("description")?,
            motion_offset: r
                .get::<_, Option<i64>>("motion_offset")?
                .and_then(|o| u64::try_from(o).ok()),
        },
        imported_at: r.get("imported_at")?,
        has_thumbnail: thumb_state == ThumbState::Ok,
        thumb_state,
        favourite: r.get("favourite")?,
        trashed_at: r.get("trashed_at")?,
        device: r.get("origin")?,
        motion_of: r.get("motion_of")?,
        rating: r.get::<_, i64>("rating")?.clamp(0, 5) as u8,
        rotation: match r.get::<_, i64>("rotation")? {
            r @ (90 | 180 | 270) => r as u16,
            _ => 0,
        },
        gps_original: match r.get::<_, bool>("gps_fixed")? {
            false => None,
            true => Some(
                match (
                    r.get::<_, Option<f64>>("orig_gps_lat")?,
                    r.get::<_, Option<f64>>("orig_gps_lon")?,
                ) {
                    (Some(lat), Some(lon)) => Some(Gps {
                        lat,
                        lon,
                        alt: r.get("orig_gps_alt")?,
                    }),
                    _ => None,
                },
            ),
        },
        taken_at_original: match r.get::<_, Option<String>>("orig_taken_local")? {
            Some(l) => CaptureTime::parse(&l).map(|t| CaptureTime {
                local: t.local,
                offset_minutes: r.get::<_, Option<i32>>("orig_taken_offset").ok().flatten(),
            }),
            None => None,
        },
        place: match r.get::<_, Option<String>>("place_cc")? {
            Some(cc) if !cc.is_empty() => {
                let city: String = r
                    .get::<_, Option<String>>("place_city")?
                    .unwrap_or_default();
                let region: String = r
                    .get::<_, Option<String>>("place_region")?
                    .unwrap_or_default();
                let country: String = r
                    .get::<_, Option<String>>("place_country")?
                    .unwrap_or_default();
                Some(Place {
                    name: [city.as_str(), region.as_str(), country.as_str()]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                    city,
                    region,
                    country,
                    country_code: cc,
                })
            }
            _ => None,
        },
        keywords: r
            .get::<_, Option<String>>("keywords")?
            .map(|k| k.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

pub(crate) fn store_object_from_row(r: &Row<'_>) -> rusqlite::Result<StoreObject> {
    Ok(StoreObject {
        hash: r.get(0)?,
        kind: r.get(1)?,
        key: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        verified_at: r.get(4)?,
    })
}
