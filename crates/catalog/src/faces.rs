//! Faces and people: the faces found in each photo, the people they are grouped into, and
//! the edits a person makes to them (a name, a merge, a face removed, a person hidden), which
//! travel to the other devices as `person:<uid>` fields.
//!
//! What travels is what a hand decided. Automatic groups are made on each device from its
//! own scan (the same models on the same photos find the same faces), so a face is named on
//! another device by a label on its person, `face:<photo>:<key>`, where `key` is the face's
//! centre in thousandths of the picture: the same face found there matches within
//! [`KEY_SLACK`].

use crate::changes::apply::is_uid;
use crate::*;
use rusqlite::Transaction;

/// How far apart (in thousandths of the picture, on each axis) two devices' keys for the
/// same face may be.
pub const KEY_SLACK: i32 = 30;

/// A face as the scan found it, in fractions of the picture (0…1).
#[derive(Debug, Clone)]
pub struct NewFace {
    /// Left, top, width, height.
    pub bbox: [f32; 4],
    pub score: f32,
    pub descriptor: [f32; 128],
}

/// A face in the catalog.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FaceRow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// The photo.
    pub hash: String,
    pub key: String,
    /// Left, top, width, height, in fractions of the picture.
    pub bbox: [f32; 4],
    pub score: f32,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub person: Option<i64>,
    pub name: Option<String>,
}

/// A face as grouping sees it.
#[derive(Debug, Clone)]
pub struct KnownFace {
    pub id: i64,
    pub person: Option<i64>,
    /// Placed (or taken out) by a hand.
    pub pinned: bool,
    pub descriptor: [f32; 128],
}

/// A person: a group of faces, named or not.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: Option<String>,
    pub hidden: bool,
    /// Faces on photos not in the trash.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub faces: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub photos: u64,
    /// The face to show for the person: the largest.
    pub cover: Option<FaceRow>,
}

/// An edit to travel to the other devices: (target, field, value).
pub type Edit = (String, String, serde_json::Value);

/// The key of a face centred at (`cx`, `cy`) (fractions of the picture).
pub fn face_key(cx: f32, cy: f32) -> String {
    let k = |v: f32| (v.clamp(0.0, 0.999) * 1000.0).round().min(999.0) as i32;
    format!("{:03},{:03}", k(cx), k(cy))
}

fn parse_key(key: &str) -> Option<(i32, i32)> {
    let (x, y) = key.split_once(',')?;
    let ok = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit());
    (ok(x) && ok(y)).then(|| Some((x.parse().ok()?, y.parse().ok()?)))?
}

/// Whether `field` of a `person:` target is one that travels.
pub(crate) fn is_person_field(field: &str) -> bool {
    match field {
        "name" | "hidden" | "merged_into" => true,
        f => f
            .strip_prefix("face:")
            .and_then(|r| r.split_once(':'))
            .is_some_and(|(h, k)| shoebox_layout::is_hash(h) && parse_key(k).is_some()),
    }
}

fn descriptor_blob(d: &[f32; 128]) -> Vec<u8> {
    d.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn descriptor_of(b: &[u8]) -> Option<[f32; 128]> {
    if b.len() != 512 {
        return None;
    }
    let mut d = [0f32; 128];
    for (v, c) in d.iter_mut().zip(b.chunks_exact(4)) {
        *v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(d)
}

const FACE_COLUMNS: &str = "f.id, f.hash, f.key, f.x, f.y, f.w, f.h, f.score, f.person_id, p.name";

fn face_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FaceRow> {
    Ok(FaceRow {
        id: r.get(0)?,
        hash: r.get(1)?,
        key: r.get(2)?,
        bbox: [
            r.get::<_, f64>(3)? as f32,
            r.get::<_, f64>(4)? as f32,
            r.get::<_, f64>(5)? as f32,
            r.get::<_, f64>(6)? as f32,
        ],
        score: r.get::<_, f64>(7)? as f32,
        person: r.get(8)?,
        name: r.get(9)?,
    })
}

/// The face of photo `hash` nearest to `key`, within [`KEY_SLACK`].
fn face_at(tx: &Connection, hash: &str, key: &str) -> Result<Option<i64>> {
    let Some((x, y)) = parse_key(key) else {
        return Ok(None);
    };
    let mut stmt = tx.prepare_cached("SELECT id, key FROM faces WHERE hash = ?1")?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([hash], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, k)| {
            let (fx, fy) = parse_key(&k)?;
            let d = (fx - x).abs().max((fy - y).abs());
            (d <= KEY_SLACK).then_some((d, id))
        })
        .min()
        .map(|(_, id)| id))
}

/// The person row of `uid`, made if this device has not heard of it yet; a person merged
/// into another is followed to where it went (a few steps at most, so a loop cannot hang).
fn person_of_uid(tx: &Connection, uid: &str, follow: bool) -> Result<i64> {
    let mut uid = uid.to_owned();
    for _ in 0..8 {
        tx.execute("INSERT OR IGNORE INTO people (uid) VALUES (?1)", [&uid])?;
        let (id, into): (i64, Option<String>) = tx.query_row(
            "SELECT id, merged_into FROM people WHERE uid = ?1",
            [&uid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        match into {
            Some(next) if follow && next != uid => uid = next,
            _ => return Ok(id),
        }
    }
    Ok(tx.query_row("SELECT id FROM people WHERE uid = ?1", [&uid], |r| r.get(0))?)
}

fn mark_search_dirty(tx: &Connection, person: i64) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO search_dirty SELECT a.id FROM assets a JOIN faces f ON f.hash = a.hash WHERE f.person_id = ?1",
        [person],
    )?;
    Ok(())
}

/// Applies a winning `person:<uid>` field from another device.
pub(crate) fn apply_person(
    tx: &Transaction<'_>,
    uid: &str,
    field: &str,
    value: &serde_json::Value,
) -> Result<bool> {
    let id = person_of_uid(tx, uid, false)?;
    match field {
        "name" => {
            let name = value.as_str().map(str::trim).filter(|s| !s.is_empty());
            tx.execute(
                "UPDATE people SET name = ?2 WHERE id = ?1",
                params![id, name],
            )?;
            mark_search_dirty(tx, id)?;
            Ok(true)
        }
        "hidden" => {
            tx.execute(
                "UPDATE people SET hidden = ?2 WHERE id = ?1",
                params![id, value.as_bool().unwrap_or(false)],
            )?;
            Ok(true)
        }
        "merged_into" => {
            let Some(into) = value.as_str().filter(|u| is_uid(u) && *u != uid) else {
                return Ok(false);
            };
            let target = person_of_uid(tx, into, true)?;
            if target == id {
                return Ok(false);
            }
            tx.execute(
                "UPDATE people SET merged_into = ?2 WHERE id = ?1",
                params![id, into],
            )?;
            tx.execute(
                "UPDATE faces SET person_id = ?2 WHERE person_id = ?1",
                params![id, target],
            )?;
            mark_search_dirty(tx, target)?;
            Ok(true)
        }
        f => {
            let Some((hash, key)) = f.strip_prefix("face:").and_then(|r| r.split_once(':')) else {
                return Ok(false);
            };
            let Some(face) = face_at(tx, hash, key)? else {
                return Ok(false);
            };
            label_face(tx, face, id, value.as_bool().unwrap_or(false))
        }
    }
}

/// Puts `face` in person `person` (or, with `is` false, out of it if it was there), by hand.
fn label_face(tx: &Connection, face: i64, person: i64, is: bool) -> Result<bool> {
    let person = if is {
        let uid: Option<String> =
            tx.query_row("SELECT uid FROM people WHERE id = ?1", [person], |r| {
                r.get(0)
            })?;
        match uid {
            Some(u) => person_of_uid(tx, &u, true)?,
            None => person,
        }
    } else {
        person
    };
    let n = if is {
        tx.execute(
            "UPDATE faces SET person_id = ?2, pinned = 1 WHERE id = ?1",
            params![face, person],
        )?
    } else {
        tx.execute(
            "UPDATE faces SET person_id = NULL, pinned = 1 WHERE id = ?1 AND person_id = ?2",
            params![face, person],
        )?
    };
    if n > 0 {
        tx.execute(
            "INSERT OR IGNORE INTO search_dirty SELECT a.id FROM assets a JOIN faces f ON f.hash = a.hash WHERE f.id = ?1",
            [face],
        )?;
    }
    Ok(n > 0)
}

/// The labels other devices (or this one) gave the faces of photo `hash` before this device
/// scanned it, applied now: the latest label for each face wins.
fn take_face_labels(tx: &Transaction<'_>, hash: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "SELECT substr(hash, 8), substr(field, 71), value, hlc FROM field_values \
         WHERE hash LIKE 'person:%' AND field LIKE 'face:' || ?1 || ':%' ORDER BY hlc",
    )?;
    let labels: Vec<(String, String, String, String)> = stmt
        .query_map([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (uid, key, value, _) in labels {
        if !is_uid(&uid) {
            continue;
        }
        if let Some(face) = face_at(tx, hash, &key)? {
            let person = person_of_uid(tx, &uid, false)?;
            label_face(tx, face, person, value == "true")?;
        }
    }
    Ok(())
}

impl Catalog {
    /// Photos not yet scanned for faces whose preview exists, after row `after`, in order.
    pub fn faces_pending(&self, after: i64, limit: usize) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, hash FROM assets WHERE id > ?1 AND kind = 'photo' AND thumb_state = 'ok' \
             AND motion_of IS NULL AND hash NOT IN (SELECT hash FROM face_scans) ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many photos [`Self::faces_pending`] would go through.
    pub fn faces_pending_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM assets WHERE kind = 'photo' AND thumb_state = 'ok' AND motion_of IS NULL \
             AND hash NOT IN (SELECT hash FROM face_scans)",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Every face's person, whether a hand put it there, and descriptor (for grouping).
    pub fn face_descriptors(&self) -> Result<Vec<KnownFace>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, person_id, pinned, descriptor FROM faces ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Vec<u8>>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, person, pinned, blob) = row?;
            if let Some(d) = descriptor_of(&blob) {
                out.push(KnownFace {
                    id,
                    person,
                    pinned,
                    descriptor: d,
                });
            }
        }
        Ok(out)
    }

    /// Records what scanning photo `hash` found (or why it was skipped) and applies the labels
    /// its faces were given elsewhere. Returns the ids of its faces no hand has placed, for
    /// grouping.
    pub fn save_faces(
        &mut self,
        hash: &str,
        found: std::result::Result<&[NewFace], &str>,
    ) -> Result<Vec<(i64, [f32; 128])>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM faces WHERE hash = ?1", [hash])?;
        let (n, skipped) = match found {
            Ok(faces) => {
                let mut put = tx.prepare_cached(
                    "INSERT OR IGNORE INTO faces (hash, key, x, y, w, h, score, descriptor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                for f in faces {
                    let [x, y, w, h] = f.bbox;
                    let key = face_key(x + w / 2.0, y + h / 2.0);
                    put.execute(params![
                        hash,
                        key,
                        x,
                        y,
                        w,
                        h,
                        f.score,
                        descriptor_blob(&f.descriptor)
                    ])?;
                }
                (faces.len(), None)
            }
            Err(why) => (0, Some(why)),
        };
        tx.execute(
            "INSERT INTO face_scans (hash, faces, skipped, scanned_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (hash) DO UPDATE SET faces = excluded.faces, skipped = excluded.skipped, scanned_at = excluded.scanned_at",
            params![hash, n as i64, skipped, now()],
        )?;
        take_face_labels(&tx, hash)?;
        let loose: Vec<(i64, [f32; 128])> = {
            let mut stmt = tx.prepare_cached("SELECT id, descriptor FROM faces WHERE hash = ?1 AND pinned = 0 AND person_id IS NULL")?;
            let rows = stmt.query_map([hash], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            rows.filter_map(|r| {
                r.map(|(id, b)| descriptor_of(&b).map(|d| (id, d)))
                    .transpose()
            })
            .collect::<rusqlite::Result<_>>()?
        };
        tx.commit()?;
        Ok(loose)
    }

    /// Puts faces into people as the automatic grouping decided: `Ok(person)` an existing
    /// one, `Err(n)` the n-th new person made for this call. Faces a hand has placed are
    /// left be. Returns the new people's ids, by `n`.
    pub fn group_faces(
        &mut self,
        placed: &[(i64, std::result::Result<i64, usize>)],
    ) -> Result<Vec<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut made: Vec<i64> = Vec::new();
        for (face, to) in placed {
            let loose: bool = tx
                .query_row("SELECT pinned = 0 FROM faces WHERE id = ?1", [face], |r| {
                    r.get(0)
                })
                .optional()?
                .unwrap_or(false);
            if !loose {
                continue;
            }
            let person = match to {
                Ok(p) => *p,
                Err(n) => {
                    while made.len() <= *n {
                        tx.execute("INSERT INTO people (uid) VALUES (NULL)", [])?;
                        made.push(tx.last_insert_rowid());
                    }
                    made[*n]
                }
            };
            tx.execute(
                "UPDATE faces SET person_id = ?2 WHERE id = ?1 AND pinned = 0",
                params![face, person],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO search_dirty SELECT a.id FROM assets a JOIN faces f ON f.hash = a.hash \
                 JOIN people p ON p.id = f.person_id WHERE f.id = ?1 AND p.name IS NOT NULL",
                [face],
            )?;
        }
        tx.commit()?;
        Ok(made)
    }

    /// People with faces on photos not in the trash, the most faces first; hidden people and
    /// people with a single unnamed face only with `all`.
    pub fn people(&self, all: bool) -> Result<Vec<Person>> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.name, p.hidden, count(f.id), count(DISTINCT f.hash) FROM people p \
             JOIN faces f ON f.person_id = p.id JOIN assets a ON a.hash = f.hash AND a.trashed_at IS NULL \
             WHERE p.merged_into IS NULL GROUP BY p.id ORDER BY p.name IS NULL, count(f.id) DESC, p.id",
        )?;
        let rows: Vec<(i64, Option<String>, bool, i64, i64)> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (id, name, hidden, faces, photos) in rows {
            if !all && (hidden || (name.is_none() && faces < 2)) {
                continue;
            }
            out.push(Person {
                id,
                name,
                hidden,
                faces: faces as u64,
                photos: photos as u64,
                cover: self.person_faces(id)?.into_iter().next(),
            });
        }
        Ok(out)
    }

    /// One person, whatever its state.
    pub fn person(&self, id: i64) -> Result<Option<Person>> {
        let row: Option<(Option<String>, bool)> = self
            .conn
            .query_row(
                "SELECT name, hidden FROM people WHERE id = ?1 AND merged_into IS NULL",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((name, hidden)) = row else {
            return Ok(None);
        };
        let faces = self.person_faces(id)?;
        let photos = faces
            .iter()
            .map(|f| f.hash.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len() as u64;
        Ok(Some(Person {
            id,
            name,
            hidden,
            faces: faces.len() as u64,
            photos,
            cover: faces.into_iter().next(),
        }))
    }

    /// A person's faces on photos not in the trash, the largest first.
    pub fn person_faces(&self, id: i64) -> Result<Vec<FaceRow>> {
        let sql = format!(
            "SELECT {FACE_COLUMNS} FROM faces f LEFT JOIN people p ON p.id = f.person_id \
             JOIN assets a ON a.hash = f.hash AND a.trashed_at IS NULL WHERE f.person_id = ?1 \
             ORDER BY f.w * f.h DESC, f.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([id], face_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The faces found in one photo, left to right.
    pub fn faces_of(&self, hash: &str) -> Result<Vec<FaceRow>> {
        let sql = format!(
            "SELECT {FACE_COLUMNS} FROM faces f LEFT JOIN people p ON p.id = f.person_id AND p.hidden = 0 \
             WHERE f.hash = ?1 ORDER BY f.x"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([hash], face_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The hashes of the photos a person is in, newest first.
    pub fn person_photos(&self, id: i64) -> Result<Vec<Asset>> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE trashed_at IS NULL AND hash IN \
             (SELECT hash FROM faces WHERE person_id = ?1) ORDER BY taken_local DESC, path"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([id], asset_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What the scan of photo `hash` found: how many faces, or why it was skipped.
    pub fn face_scan(&self, hash: &str) -> Result<Option<(u64, Option<String>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT faces, skipped FROM face_scans WHERE hash = ?1",
                [hash],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
    }

    /// The photos the scan skipped, with why.
    pub fn face_skips(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.path, s.skipped FROM face_scans s JOIN assets a ON a.hash = s.hash WHERE s.skipped IS NOT NULL ORDER BY a.path",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The person's uid, given now if it has none (a hand is about to touch it).
    fn person_uid(tx: &Connection, id: i64) -> Result<String> {
        let uid: Option<Option<String>> = tx
            .query_row(
                "SELECT uid FROM people WHERE id = ?1 AND merged_into IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        match uid {
            None => Err(Error::Invalid(format!(
                "there is no person {id}; `shoebox people --all` lists them"
            ))),
            Some(Some(u)) => Ok(u),
            Some(None) => {
                let u = format!("{:016x}", fastrand::u64(..));
                tx.execute("UPDATE people SET uid = ?2 WHERE id = ?1", params![id, u])?;
                Ok(u)
            }
        }
    }

    /// Labels for every face of `person` not yet placed by hand, which are pinned now: what
    /// tells the other devices which faces the person has.
    fn pin_faces(tx: &Connection, person: i64, uid: &str) -> Result<Vec<Edit>> {
        let mut stmt =
            tx.prepare("SELECT hash, key FROM faces WHERE person_id = ?1 AND pinned = 0")?;
        let faces: Vec<(String, String)> = stmt
            .query_map([person], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute("UPDATE faces SET pinned = 1 WHERE person_id = ?1", [person])?;
        Ok(faces
            .into_iter()
            .map(|(h, k)| {
                (
                    format!("person:{uid}"),
                    format!("face:{h}:{k}"),
                    serde_json::Value::Bool(true),
                )
            })
            .collect())
    }

    /// Names a person (an empty name takes the name away). Returns the edits to record.
    pub fn name_person(&mut self, id: i64, name: &str) -> Result<Vec<Edit>> {
        let name = name.trim();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let uid = Self::person_uid(&tx, id)?;
        tx.execute(
            "UPDATE people SET name = ?2 WHERE id = ?1",
            params![id, (!name.is_empty()).then_some(name)],
        )?;
        mark_search_dirty(&tx, id)?;
        let mut edits = Self::pin_faces(&tx, id, &uid)?;
        let value = if name.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::Value::String(name.to_owned())
        };
        edits.push((format!("person:{uid}"), "name".into(), value));
        tx.commit()?;
        Ok(edits)
    }

    /// Hides a person from the list of people (or shows it again).
    pub fn hide_person(&mut self, id: i64, hidden: bool) -> Result<Vec<Edit>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let uid = Self::person_uid(&tx, id)?;
        tx.execute(
            "UPDATE people SET hidden = ?2 WHERE id = ?1",
            params![id, hidden],
        )?;
        let mut edits = Self::pin_faces(&tx, id, &uid)?;
        edits.push((
            format!("person:{uid}"),
            "hidden".into(),
            serde_json::Value::Bool(hidden),
        ));
        tx.commit()?;
        Ok(edits)
    }

    /// Merges person `from` into `into`: its faces go there, and `into` takes `from`'s name
    /// if it has none.
    pub fn merge_people(&mut self, from: i64, into: i64) -> Result<Vec<Edit>> {
        if from == into {
            return Err(Error::Invalid(
                "a person cannot be merged into itself".into(),
            ));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let into_uid = Self::person_uid(&tx, into)?;
        let from_uid = Self::person_uid(&tx, from)?;
        let mut edits = Self::pin_faces(&tx, from, &into_uid)?;
        // Faces of `from` a hand had already placed are labelled again for `into`.
        let mut stmt = tx.prepare("SELECT hash, key FROM faces WHERE person_id = ?1")?;
        let all: Vec<(String, String)> = stmt
            .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        for (h, k) in all {
            let e = (
                format!("person:{into_uid}"),
                format!("face:{h}:{k}"),
                serde_json::Value::Bool(true),
            );
            if !edits.contains(&e) {
                edits.push(e);
            }
        }
        edits.extend(Self::pin_faces(&tx, into, &into_uid)?);
        tx.execute(
            "UPDATE faces SET person_id = ?2, pinned = 1 WHERE person_id = ?1",
            params![from, into],
        )?;
        let (from_name, into_name): (Option<String>, Option<String>) = (
            tx.query_row("SELECT name FROM people WHERE id = ?1", [from], |r| {
                r.get(0)
            })?,
            tx.query_row("SELECT name FROM people WHERE id = ?1", [into], |r| {
                r.get(0)
            })?,
        );
        if let (Some(n), None) = (&from_name, &into_name) {
            tx.execute(
                "UPDATE people SET name = ?2 WHERE id = ?1",
                params![into, n],
            )?;
            edits.push((
                format!("person:{into_uid}"),
                "name".into(),
                serde_json::Value::String(n.clone()),
            ));
        }
        tx.execute(
            "UPDATE people SET merged_into = ?2 WHERE id = ?1",
            params![from, into_uid],
        )?;
        edits.push((
            format!("person:{from_uid}"),
            "merged_into".into(),
            serde_json::Value::String(into_uid),
        ));
        mark_search_dirty(&tx, into)?;
        tx.commit()?;
        Ok(edits)
    }

    /// Takes a wrongly grouped face out of its person; it stays out (automatic grouping will
    /// not put it back there).
    pub fn remove_face(&mut self, face: i64) -> Result<Vec<Edit>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String, Option<i64>)> = tx
            .query_row(
                "SELECT hash, key, person_id FROM faces WHERE id = ?1",
                [face],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((hash, key, Some(person))) = row else {
            return Err(Error::Invalid(format!("face {face} is in no person")));
        };
        let uid = Self::person_uid(&tx, person)?;
        let mut edits = Self::pin_faces(&tx, person, &uid)?;
        edits.retain(|(_, f, _)| f != &format!("face:{hash}:{key}"));
        tx.execute(
            "INSERT OR IGNORE INTO search_dirty SELECT id FROM assets WHERE hash = ?1",
            [&hash],
        )?;
        tx.execute(
            "UPDATE faces SET person_id = NULL, pinned = 1 WHERE id = ?1",
            [face],
        )?;
        edits.push((
            format!("person:{uid}"),
            format!("face:{hash}:{key}"),
            serde_json::Value::Bool(false),
        ));
        tx.commit()?;
        Ok(edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, Hlc, Op};

    fn face(x: f32, seed: f32) -> NewFace {
        let mut d = [0f32; 128];
        d.iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = (i as f32 + seed).sin());
        NewFace {
            bbox: [x, 0.2, 0.1, 0.1],
            score: 0.9,
            descriptor: d,
        }
    }

    fn photo(i: usize) -> String {
        format!("{i:064x}")
    }

    /// Two photos, one face each, grouped into one person.
    fn two_faces() -> (tempfile::TempDir, Catalog, i64) {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
        crate::organise::tests::add_assets(&mut cat, 3);
        let mut loose = cat.save_faces(&photo(0), Ok(&[face(0.1, 0.0)])).unwrap();
        loose.extend(cat.save_faces(&photo(1), Ok(&[face(0.5, 0.0)])).unwrap());
        let made = cat
            .group_faces(&[(loose[0].0, Err(0)), (loose[1].0, Err(0))])
            .unwrap();
        (dir, cat, made[0])
    }

    #[test]
    fn a_scan_is_recorded_once_with_its_faces_or_why_it_was_skipped() {
        let (_d, mut cat, person) = two_faces();
        assert_eq!(cat.faces_pending(0, 10).unwrap().len(), 1);
        cat.save_faces(&photo(2), Err("4×4 is too small to find faces in"))
            .unwrap();
        assert!(cat.faces_pending(0, 10).unwrap().is_empty());
        assert_eq!(
            cat.face_scan(&photo(2)).unwrap(),
            Some((0, Some("4×4 is too small to find faces in".into())))
        );
        let p = cat.person(person).unwrap().unwrap();
        assert_eq!((p.faces, p.photos, p.name), (2, 2, None));
        assert_eq!(
            cat.faces_of(&photo(0)).unwrap()[0].key,
            face_key(0.15, 0.25)
        );
    }

    #[test]
    fn naming_labels_every_face_and_finds_the_photos_by_the_name() {
        let (_d, mut cat, person) = two_faces();
        let edits = cat.name_person(person, " Ada ").unwrap();
        assert_eq!(edits.len(), 3, "{edits:?}");
        assert!(edits.iter().all(|(t, _, _)| t.starts_with("person:")));
        assert_eq!(
            cat.person(person).unwrap().unwrap().name.as_deref(),
            Some("Ada")
        );
        let found = cat.search("ada", &Default::default()).unwrap();
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_removed_face_leaves_its_person_and_merging_moves_the_rest() {
        let (_d, mut cat, a) = two_faces();
        let f = cat.faces_of(&photo(1)).unwrap()[0].id;
        let edits = cat.remove_face(f).unwrap();
        assert_eq!(edits.last().unwrap().2, serde_json::Value::Bool(false));
        assert_eq!(cat.person(a).unwrap().unwrap().faces, 1);
        // The removed face, in a person of its own, merged back by hand.
        let b = cat.group_faces(&[(f, Err(0))]).unwrap();
        assert!(b.is_empty(), "a pinned face is not regrouped automatically");
        let loose = cat.save_faces(&photo(2), Ok(&[face(0.3, 9.0)])).unwrap();
        let c = cat.group_faces(&[(loose[0].0, Err(0))]).unwrap()[0];
        cat.name_person(c, "Bob").unwrap();
        cat.merge_people(c, a).unwrap();
        assert!(cat.person(c).unwrap().is_none());
        let merged = cat.person(a).unwrap().unwrap();
        assert_eq!((merged.faces, merged.name.as_deref()), (2, Some("Bob")));
        assert!(cat.merge_people(a, a).is_err());
        assert!(cat.name_person(999, "x").is_err());
    }

    /// What a person did on one device arrives on another, which scanned the same photos.
    #[test]
    fn names_merges_and_removals_travel_to_another_device() {
        let (_d, mut mine, a) = two_faces();
        let mut edits = mine.name_person(a, "Ada").unwrap();
        let f1 = mine.faces_of(&photo(1)).unwrap()[0].id;
        edits.extend(mine.remove_face(f1).unwrap());
        let (_d2, mut theirs, b) = two_faces();
        // Their scan put both faces in one unnamed person; the labels are applied over it,
        // with keys a little off (another device's preview).
        let changes: Vec<Change> = edits
            .iter()
            .enumerate()
            .map(|(n, (t, f, v))| Change {
                hlc: Hlc {
                    ms: 1_700_000_000_000 + n as u64,
                    counter: 0,
                    device: "aaaaaaaaaaaaaaaa".into(),
                }
                .encode(),
                op: Op::Set {
                    hash: t.clone(),
                    field: f.replace(",250", ",262"),
                    value: v.clone(),
                },
            })
            .collect();
        let applied = theirs
            .apply_remote("aaaaaaaaaaaaaaaa", None, &changes, 1, "t", &|_| false)
            .unwrap();
        assert!(applied.rejected.is_empty(), "{:?}", applied.rejected);
        let people = theirs.people(true).unwrap();
        let ada = people
            .iter()
            .find(|p| p.name.as_deref() == Some("Ada"))
            .expect("Ada arrived");
        assert_eq!(ada.faces, 1, "the face removed there is out here too");
        assert!(theirs.faces_of(&photo(1)).unwrap()[0].person.is_none());
        let _ = b;
        // A photo scanned after the labels came takes them.
        let (_d3, mut late) = {
            let dir = tempfile::tempdir().unwrap();
            let mut cat = Catalog::open(&dir.path().join("c.db")).unwrap();
            crate::organise::tests::add_assets(&mut cat, 3);
            (dir, cat)
        };
        late.apply_remote("aaaaaaaaaaaaaaaa", None, &changes, 1, "t", &|_| false)
            .unwrap();
        let loose = late.save_faces(&photo(0), Ok(&[face(0.1, 0.0)])).unwrap();
        assert!(loose.is_empty(), "the labelled face is placed by its label");
        assert_eq!(
            late.faces_of(&photo(0)).unwrap()[0].name.as_deref(),
            Some("Ada")
        );
        // A label for a field that is not a face's, or a bad key, is refused.
        let bad = Change {
            hlc: Hlc {
                ms: 1_800_000_000_000,
                counter: 0,
                device: "aaaaaaaaaaaaaaaa".into(),
            }
            .encode(),
            op: Op::Set {
                hash: "person:0123456789abcdef".into(),
                field: format!("face:{}:../x", photo(0)),
                value: true.into(),
            },
        };
        let applied = late
            .apply_remote("aaaaaaaaaaaaaaaa", None, &[bad], 99, "t", &|_| false)
            .unwrap();
        assert_eq!(applied.rejected.len(), 1);
    }
}
