//! The library shared across devices: hybrid logical clocks, this device's log of edits, and
//! merging the other devices' edits, last writer wins per (photo, field).
//!
//! Every edit is stamped with a [`Hlc`]; a (photo, field) takes the value of the edit with the
//! greatest stamp, whatever order the edits arrive in, so every device that has seen the same
//! edits holds the same catalog. A device whose wall clock is wrong cannot win forever: a device
//! that sees its stamps moves its own clock past them, so its next edits are later.

use crate::*;
use rusqlite::OptionalExtension;

/// A hybrid logical clock reading. Its text form (`ms.counter.device`, zero-padded) sorts as the
/// clock does, ties broken by device id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub ms: u64,
    pub counter: u32,
    pub device: String,
}

impl Hlc {
    pub fn encode(&self) -> String {
        format!("{:013}.{:06}.{}", self.ms, self.counter, self.device)
    }
    pub fn parse(s: &str) -> Option<Hlc> {
        let mut it = s.splitn(3, '.');
        let ms = it.next()?.parse().ok()?;
        let counter = it.next()?.parse().ok()?;
        let device = it.next()?.to_owned();
        (!device.is_empty()).then_some(Hlc {
            ms,
            counter,
            device,
        })
    }
    /// The next reading after `last` at wall time `wall_ms`.
    pub fn tick(last: Option<&Hlc>, wall_ms: u64, device: &str) -> Hlc {
        match last {
            Some(l) if l.ms >= wall_ms => Hlc {
                ms: l.ms,
                counter: l.counter + 1,
                device: device.to_owned(),
            },
            _ => Hlc {
                ms: wall_ms,
                counter: 0,
                device: device.to_owned(),
            },
        }
    }
}

/// One edit as it travels between devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// A photo imported on the device that writes this, and where its original is on the store.
    Asset {
        hash: String,
        path: String,
        original_name: String,
        size: u64,
        meta: Box<shoebox_types::Metadata>,
        thumb_state: String,
        key: String,
    },
    /// A field of a photo: `favourite` (bool), `caption` (text or null), `trashed` (the time it
    /// went to the trash, or null when restored).
    Set {
        hash: String,
        field: String,
        value: serde_json::Value,
    },
}

/// An edit with its clock reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub hlc: String,
    #[serde(flatten)]
    pub op: Op,
}

/// The fields that travel, and the asset column each one sets.
pub const FIELDS: &[(&str, &str)] = &[
    ("favourite", "favourite"),
    ("caption", "description"),
    ("trashed", "trashed_at"),
    ("motion_of", "motion_of"),
];

fn column_of(field: &str) -> Option<&'static str> {
    FIELDS.iter().find(|(f, _)| *f == field).map(|(_, c)| *c)
}

/// Another device of the library, as this one knows it.
#[derive(Debug, Clone, Serialize)]
pub struct Peer {
    pub device: String,
    pub name: Option<String>,
    /// How far its change log has been applied here.
    pub applied_seq: i64,
    /// When its log was last read.
    pub last_seen: Option<String>,
    /// Photos it imported that this library has.
    pub photos: i64,
}

/// What applying other devices' edits did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Applied {
    /// Photos new to this library (their originals stay on the store).
    pub new_assets: Vec<String>,
    /// Field edits that won and changed something.
    pub fields: usize,
    /// Edits skipped because a later one had already won.
    pub superseded: usize,
    /// Edits that could not be used (a malformed photo path or hash), with why.
    pub rejected: Vec<String>,
}

const HLC_KEY: &str = "hlc_last";
const REPLAY_KEY: &str = "replay_logs";

impl Catalog {
    /// This device's clock: the greatest reading it made or saw. Only its time and counter
    /// matter (a reading made here takes this device's id), so a clock stored with no device,
    /// as catalogs before the fix of a joining device's clock have it, still counts.
    fn last_hlc(&self) -> Result<Option<Hlc>> {
        Ok(self.setting(HLC_KEY)?.as_deref().and_then(|s| {
            let mut it = s.splitn(3, '.');
            Some(Hlc {
                ms: it.next()?.parse().ok()?,
                counter: it.next()?.parse().ok()?,
                device: it.next().unwrap_or_default().to_owned(),
            })
        }))
    }

    /// A new clock reading for an edit made here; `wall_ms` is the wall clock.
    pub fn clock_now(&self, device: &str, wall_ms: u64) -> Result<Hlc> {
        Ok(self.clock_readings(device, wall_ms, 1)?.remove(0))
    }

    /// `n` consecutive clock readings, with one read and one write of the stored clock (a
    /// first sync announces every photo of the library at once).
    fn clock_readings(&self, device: &str, wall_ms: u64, n: usize) -> Result<Vec<Hlc>> {
        let mut last = self.last_hlc()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let h = Hlc::tick(last.as_ref(), wall_ms, device);
            last = Some(h.clone());
            out.push(h);
        }
        if let Some(l) = &last {
            self.set_setting(HLC_KEY, &l.encode())?;
        }
        Ok(out)
    }

    /// Moves this device's clock past a reading seen from another device.
    fn clock_seen(&self, seen: &Hlc) -> Result<()> {
        let last = self.last_hlc()?;
        if last
            .as_ref()
            .is_none_or(|l| (l.ms, l.counter) < (seen.ms, seen.counter))
        {
            let mine = Hlc {
                ms: seen.ms,
                counter: seen.counter,
                device: last.map(|l| l.device).unwrap_or_default(),
            };
            self.set_setting(HLC_KEY, &mine.encode())?;
        }
        Ok(())
    }

    /// Records edits made here of `field` on `hashes` (already applied to the assets): appended
    /// to this device's log and to the winning values.
    pub fn record_edit(
        &mut self,
        device: &str,
        wall_ms: u64,
        field: &str,
        hashes: &[String],
        value: &serde_json::Value,
    ) -> Result<()> {
        let stamps: Vec<String> = self
            .clock_readings(device, wall_ms, hashes.len())?
            .iter()
            .map(Hlc::encode)
            .collect();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut log = tx.prepare_cached("INSERT INTO changes (hlc, op) VALUES (?1, ?2)")?;
            let mut val = tx.prepare_cached(
                "INSERT INTO field_values (hash, field, hlc, value) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (hash, field) DO UPDATE SET hlc = excluded.hlc, value = excluded.value",
            )?;
            for (h, hlc) in hashes.iter().zip(&stamps) {
                let op = Op::Set {
                    hash: h.clone(),
                    field: field.to_owned(),
                    value: value.clone(),
                };
                log.execute(params![hlc, serde_json::to_string(&op).expect("json")])?;
                val.execute(params![h, field, hlc, value.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes this device's photos that `target` holds and the log has not named yet into the
    /// log, so other devices learn of them. Returns how many.
    pub fn announce_assets(&mut self, device: &str, wall_ms: u64, target: &str) -> Result<usize> {
        let rows: Vec<(Asset, String)> = {
            let sql = format!(
                "SELECT * FROM (SELECT {ASSET_COLUMNS}, id, announced, \
                 (SELECT o.key FROM store_objects o WHERE o.hash = assets.hash AND o.target = ?1 \
                  AND o.kind = 'original') AS store_key FROM assets) \
                 WHERE origin IS NULL AND announced = 0 AND store_key IS NOT NULL ORDER BY id"
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map([target], |r| {
                Ok((asset_from_row(r)?, r.get::<_, String>("store_key")?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if rows.is_empty() {
            return Ok(0);
        }
        let stamps: Vec<String> = self
            .clock_readings(device, wall_ms, rows.len())?
            .iter()
            .map(Hlc::encode)
            .collect();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut log = tx.prepare_cached("INSERT INTO changes (hlc, op) VALUES (?1, ?2)")?;
            let mut mark = tx.prepare_cached("UPDATE assets SET announced = 1 WHERE hash = ?1")?;
            for ((a, key), hlc) in rows.iter().zip(&stamps) {
                // The photo as its file describes it: a corrected date travels as its own edit.
                let mut meta = a.meta.clone();
                if let Some(t) = a.taken_at_original {
                    meta.taken_at = t;
                }
                // Likewise a position set by hand.
                if let Some(g) = a.gps_original {
                    meta.gps = g;
                }
                let op = Op::Asset {
                    hash: a.hash.clone(),
                    path: a.path.clone(),
                    original_name: a.original_name.clone(),
                    size: a.size,
                    meta: Box::new(meta),
                    thumb_state: a.thumb_state.as_str().to_owned(),
                    key: key.clone(),
                };
                log.execute(params![hlc, serde_json::to_string(&op).expect("json")])?;
                mark.execute([&a.hash])?;
            }
        }
        tx.commit()?;
        Ok(rows.len())
    }

    /// Photos just imported here take what the library's edits already say of them (a caption
    /// or an album given on another device before this one had the photo; the state of a photo
    /// deleted for good here and imported again). Returns those the edits still have in the
    /// trash: imported again, they are out of it (their purge records go; the caller records
    /// them as restored, so every device takes them out of the trash).
    pub fn take_shared_values(&mut self, hashes: &[String]) -> Result<Vec<String>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut revived = Vec::new();
        for h in hashes {
            let trashed: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM field_values WHERE hash = ?1 AND field = 'trashed' \
                 AND value != 'null')",
                [h],
                |r| r.get(0),
            )?;
            take_early_values(&tx, h)?;
            if trashed {
                tx.execute("UPDATE assets SET trashed_at = NULL WHERE hash = ?1", [h])?;
                tx.execute("DELETE FROM purges WHERE hash = ?1", [h])?;
                revived.push(h.clone());
            }
        }
        tx.commit()?;
        Ok(revived)
    }

    /// When applying asked for it (a photo restored elsewhere after it was deleted for good
    /// here), forgets how far every other device's log was read, so the next sync reads them
    /// all again. Returns whether it did.
    pub fn replay_if_asked(&self) -> Result<bool> {
        if self.setting(REPLAY_KEY)?.is_none() {
            return Ok(false);
        }
        self.conn.execute("UPDATE peers SET applied_seq = 0", [])?;
        self.delete_setting(REPLAY_KEY)?;
        Ok(true)
    }

    /// The device whose edit set a (photo, field) to its current value, when one did.
    pub fn field_set_by(&self, hash: &str, field: &str) -> Result<Option<String>> {
        let hlc: Option<String> = self
            .conn
            .query_row(
                "SELECT hlc FROM field_values WHERE hash = ?1 AND field = ?2",
                params![hash, field],
                |r| r.get(0),
            )
            .optional()?;
        Ok(hlc.as_deref().and_then(Hlc::parse).map(|h| h.device))
    }

    /// The sequence number of this device's latest edit (0: none).
    pub fn last_change_seq(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })?)
    }

    /// This device's edits after `seq`, oldest first, with their sequence numbers.
    pub fn changes_after(&self, seq: i64) -> Result<Vec<(i64, Change)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, hlc, op FROM changes WHERE seq > ?1 ORDER BY seq")?;
        let rows = stmt.query_map([seq], |r| {
            Ok((
                r.get::<_, i64>("seq")?,
                r.get::<_, String>("hlc")?,
                r.get::<_, String>("op")?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, hlc, op) = row?;
            let op: Op = serde_json::from_str(&op).map_err(|e| Error::Damaged {
                path: self.path.clone(),
                detail: format!("change {seq} is unreadable: {e}"),
            })?;
            out.push((seq, Change { hlc, op }));
        }
        Ok(out)
    }

    /// This device's log up to `upto`, compacted for a checkpoint: every photo's import and
    /// the last edit of each (photo, field), in log order. Deterministic, so a lost checkpoint
    /// can be written again byte for byte.
    pub fn compacted_changes(&self, upto: i64) -> Result<Vec<(i64, Change)>> {
        let all: Vec<(i64, Change)> = self
            .changes_after(0)?
            .into_iter()
            .take_while(|(s, _)| *s <= upto)
            .collect();
        let mut last: std::collections::HashMap<(String, String), i64> = Default::default();
        for (seq, c) in &all {
            let k = match &c.op {
                Op::Asset { hash, .. } => (hash.clone(), String::new()),
                Op::Set { hash, field, .. } => (hash.clone(), field.clone()),
            };
            last.insert(k, *seq);
        }
        Ok(all
            .into_iter()
            .filter(|(seq, c)| {
                let k = match &c.op {
                    Op::Asset { hash, .. } => (hash.clone(), String::new()),
                    Op::Set { hash, field, .. } => (hash.clone(), field.clone()),
                };
                last.get(&k) == Some(seq)
            })
            .collect())
    }

    /// Devices retired by any device of the library (they will never come back: what only
    /// they rely on may be pruned).
    pub fn retired_devices(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT substr(hash, 8) FROM field_values \
             WHERE hash LIKE 'device:%' AND field = 'retired' AND value = 'true' ORDER BY hash",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How far each other device's log has been applied here.
    pub fn peer_applied(&self, device: &str) -> Result<i64> {
        Ok(self
            .conn
            .query_row(
                "SELECT applied_seq FROM peers WHERE device = ?1",
                [device],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Every other device this library has heard of.
    pub fn peers(&self) -> Result<Vec<Peer>> {
        let mut stmt = self.conn.prepare(
            "SELECT device, name, applied_seq, last_seen, \
                 (SELECT count(*) FROM assets WHERE origin = peers.device) AS photos \
                 FROM peers ORDER BY device",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Peer {
                device: r.get("device")?,
                name: r.get("name")?,
                applied_seq: r.get("applied_seq")?,
                last_seen: r.get("last_seen")?,
                photos: r.get("photos")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Applies another device's edits, up to its sequence number `last`, in one transaction.
    /// New photos are added with the store key of their original on `target` (not fetched);
    /// fields take the value of the latest clock reading. `on_disk` says whether a library
    /// path holds a file already (one the catalog does not know: a new photo never takes it).
    pub fn apply_remote(
        &mut self,
        device: &str,
        name: Option<&str>,
        changes: &[Change],
        last: i64,
        target: &str,
        on_disk: &dyn Fn(&str) -> bool,
    ) -> Result<Applied> {
        let mut out = Applied::default();
        if let Some(latest) = changes.iter().filter_map(|c| Hlc::parse(&c.hlc)).max() {
            self.clock_seen(&latest)?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The names taken in each month folder, read once per folder (a first sync takes in a
        // whole library: tens of thousands of photos, often in one month).
        let mut taken = std::collections::HashMap::new();
        let mut replay = false;
        for c in changes {
            match &c.op {
                Op::Asset {
                    hash,
                    path,
                    original_name,
                    size,
                    meta,
                    thumb_state,
                    key,
                } => {
                    let Ok(h) = shoebox_layout::Hash::parse(hash) else {
                        out.rejected
                            .push(format!("photo {hash:?}: not a content hash"));
                        continue;
                    };
                    if let Some(why) = shoebox_layout::original_key_problem(&h, key, Some(path)) {
                        out.rejected.push(format!(
                            "photo {hash}: its original is said to be at {key:?}, which is \
                             {why}; not taken in"
                        ));
                        continue;
                    }
                    let known: Option<i64> = tx
                        .query_row("SELECT id FROM assets WHERE hash = ?1", [hash], |r| {
                            r.get(0)
                        })
                        .optional()?;
                    if known.is_none() && purged_in_trash(&tx, hash)? {
                        // Deleted for good here while in the trash: purged stays purged (a
                        // restore from the trash made later elsewhere brings it back).
                        out.superseded += 1;
                        continue;
                    }
                    if known.is_none() {
                        let Some(path) = free_remote_path(&tx, path, hash, &mut taken, on_disk)?
                        else {
                            out.rejected
                                .push(format!("photo {hash}: unusable path {path:?}"));
                            continue;
                        };
                        let row = NewAsset {
                            hash: hash.clone(),
                            path,
                            original_name: original_name.clone(),
                            size: *size,
                            meta: (**meta).clone(),
                            thumb_state: ThumbState::parse(thumb_state),
                            source_path: None,
                        };
                        crate::assets::insert_row(&tx, &row, &now(), Some(device))?;
                        out.new_assets.push(hash.clone());
                        take_early_values(&tx, hash)?;
                    }
                    remember_original(&tx, target, hash, key, *size)?;
                    if drop_if_lost(&tx, hash)? {
                        out.new_assets.retain(|h| h != hash);
                    }
                }
                Op::Set { hash, field, value } => {
                    let album = hash.strip_prefix("album:");
                    let retiring = hash
                        .strip_prefix("device:")
                        .is_some_and(|d| is_uid(d) && field == "retired");
                    let known_field = retiring
                        || match album {
                            Some(uid) => {
                                is_uid(uid)
                                    && (field == "name"
                                        || field == "deleted"
                                        || field
                                            .strip_prefix("member:")
                                            .is_some_and(shoebox_layout::is_hash))
                            }
                            None => {
                                column_of(field).is_some()
                                    || crate::tidy::is_tidy_field(field)
                                    || field.strip_prefix("gone:").is_some_and(|k| {
                                        shoebox_layout::Hash::parse(hash).is_ok_and(|h| {
                                            shoebox_layout::original_key_problem(&h, k, None)
                                                .is_none()
                                        })
                                    })
                            }
                        };
                    if !known_field {
                        out.rejected
                            .push(format!("unknown field {field:?} of {hash:?}"));
                        continue;
                    }
                    let current: Option<String> = tx
                        .query_row(
                            "SELECT hlc FROM field_values WHERE hash = ?1 AND field = ?2",
                            params![hash, field],
                            |r| r.get(0),
                        )
                        .optional()?;
                    let newer = match (&current, Hlc::parse(&c.hlc)) {
                        (_, None) => false,
                        (None, Some(_)) => true,
                        (Some(cur), Some(h)) => Hlc::parse(cur).is_none_or(|cur| h > cur),
                    };
                    if !newer {
                        out.superseded += 1;
                        continue;
                    }
                    // A tidy field's value is checked before it is kept.
                    let tidy = crate::tidy::is_tidy_field(field) && album.is_none();
                    let tidied = if tidy {
                        match crate::tidy::apply_tidy(&tx, hash, field, value)? {
                            Some(changed) => changed,
                            None => {
                                out.rejected
                                    .push(format!("{field} of {hash:?} cannot be {value}"));
                                continue;
                            }
                        }
                    } else {
                        false
                    };
                    let v = value.to_string();
                    tx.execute(
                        "INSERT INTO field_values (hash, field, hlc, value) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT (hash, field) DO UPDATE SET hlc = excluded.hlc, value = excluded.value",
                        params![hash, field, c.hlc, v],
                    )?;
                    let changed = match album {
                        _ if retiring => true,
                        _ if tidy => tidied,
                        Some(uid) => apply_album(&tx, uid, field, value)?,
                        None => match field.strip_prefix("gone:") {
                            Some(key) => {
                                let dropped = apply_gone(&tx, hash, key, target)?;
                                if dropped {
                                    out.new_assets.retain(|h| h != hash);
                                }
                                dropped
                            }
                            None => set_column(&tx, hash, field, &v)?,
                        },
                    };
                    if changed {
                        out.fields += 1;
                    }
                    if field == "trashed" && value.is_null() && album.is_none() {
                        // Restored from the trash elsewhere after it was deleted for good here:
                        // the delete had not seen the restore, so the photo comes back.
                        match restore_purged(&tx, hash, device, target, &mut taken, on_disk)? {
                            Restored::No => {}
                            Restored::FromOwnLog => {
                                out.new_assets.push(hash.clone());
                                out.fields += 1;
                            }
                            Restored::NeedsReplay => replay = true,
                        }
                    }
                }
            }
        }
        tx.execute(
            "INSERT INTO peers (device, name, applied_seq, last_seen) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (device) DO UPDATE SET applied_seq = max(applied_seq, excluded.applied_seq), \
             name = coalesce(excluded.name, name), last_seen = excluded.last_seen",
            params![device, name, last, now()],
        )?;
        if replay {
            // Its import is in another device's log, read already: every log is read again
            // from its start (or checkpoint) once this sync has read them ([`Catalog::
            // replay_if_asked`]). Rare, and harmless: the same edits apply to the same result.
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, '1') \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [REPLAY_KEY],
            )?;
        }
        tx.commit()?;
        if !out.new_assets.is_empty() || out.fields > 0 {
            self.bump_generation()?;
        }
        Ok(out)
    }
}

fn is_uid(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Applies a winning album field. An album deleted on any device stays deleted (its name and
/// memberships are kept as values, so every device agrees whatever order the edits come in).
fn apply_album(
    tx: &rusqlite::Transaction<'_>,
    uid: &str,
    field: &str,
    value: &serde_json::Value,
) -> Result<bool> {
    let key = format!("album:{uid}");
    let deleted: bool = tx
        .query_row(
            "SELECT value FROM field_values WHERE hash = ?1 AND field = 'deleted'",
            [&key],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .is_some_and(|v| v == "true");
    let id: Option<i64> = tx
        .query_row("SELECT id FROM albums WHERE uid = ?1", [uid], |r| r.get(0))
        .optional()?;
    if deleted {
        let Some(id) = id else { return Ok(false) };
        tx.execute("DELETE FROM album_assets WHERE album_id = ?1", [id])?;
        tx.execute("DELETE FROM albums WHERE id = ?1", [id])?;
        return Ok(true);
    }
    if field == "name" {
        let name = value.as_str().unwrap_or("Untitled");
        let id = match id {
            Some(id) => {
                tx.execute(
                    "UPDATE albums SET name = ?2 WHERE id = ?1",
                    params![id, name],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO albums (name, created_at, uid) VALUES (?1, ?2, ?3)",
                    params![name, now(), uid],
                )?;
                tx.last_insert_rowid()
            }
        };
        // Memberships that arrived before the album's name.
        tx.execute(
            "INSERT OR IGNORE INTO album_assets (album_id, hash, added_at) \
             SELECT ?1, substr(f.field, 8), ?3 FROM field_values f \
             JOIN assets a ON a.hash = substr(f.field, 8) \
             WHERE f.hash = ?2 AND f.field LIKE 'member:%' AND f.value = 'true'",
            params![id, key, now()],
        )?;
        return Ok(true);
    }
    let (Some(id), Some(photo)) = (id, field.strip_prefix("member:")) else {
        return Ok(false);
    };
    let n = if value.as_bool().unwrap_or(false) {
        tx.execute(
            "INSERT OR IGNORE INTO album_assets (album_id, hash, added_at) \
             SELECT ?1, hash, ?3 FROM assets WHERE hash = ?2",
            params![id, photo, now()],
        )?
    } else {
        tx.execute(
            "DELETE FROM album_assets WHERE album_id = ?1 AND hash = ?2",
            params![id, photo],
        )?
    };
    Ok(n > 0)
}

/// A prune deleted the original at `key` from the store (`gone:<key>`, written by the device
/// that pruned it once every device it knew had let go): this catalog no longer counts on it.
fn apply_gone(tx: &rusqlite::Transaction<'_>, hash: &str, key: &str, target: &str) -> Result<bool> {
    tx.execute(
        "DELETE FROM store_objects WHERE hash = ?1 AND kind = 'original' AND key = ?2 \
         AND target = ?3",
        params![hash, key, target],
    )?;
    drop_if_lost(tx, hash)
}

/// A photo just added takes the values and album memberships its edits gave it before.
fn take_early_values(tx: &rusqlite::Transaction<'_>, hash: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached("SELECT field, value FROM field_values WHERE hash = ?1")?;
    let early: Vec<(String, String)> = stmt
        .query_map([hash], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (f, v) in early {
        set_column(tx, hash, &f, &v)?;
    }
    let mut stmt = tx.prepare_cached(
        "SELECT substr(hash, 7) FROM field_values \
         WHERE field = 'member:' || ?1 AND value = 'true' AND hash LIKE 'album:%'",
    )?;
    let uids: Vec<String> = stmt
        .query_map([hash], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for uid in uids {
        apply_album(
            tx,
            &uid,
            &format!("member:{hash}"),
            &serde_json::Value::Bool(true),
        )?;
    }
    Ok(())
}

enum Restored {
    No,
    FromOwnLog,
    NeedsReplay,
}

/// A photo deleted for good here and restored from the trash on another device since: brought
/// back from this device's own log (its import is there: it comes back with its original on
/// the store, fetched when opened, as `device`'s), or, when another device imported it, by
/// reading the logs again.
fn restore_purged(
    tx: &rusqlite::Transaction<'_>,
    hash: &str,
    device: &str,
    target: &str,
    taken: &mut std::collections::HashMap<String, std::collections::HashSet<String>>,
    on_disk: &dyn Fn(&str) -> bool,
) -> Result<Restored> {
    let gone_here: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM purges WHERE hash = ?1) \
         AND NOT EXISTS (SELECT 1 FROM assets WHERE hash = ?1)",
        [hash],
        |r| r.get(0),
    )?;
    if !gone_here {
        return Ok(Restored::No);
    }
    tx.execute("DELETE FROM purges WHERE hash = ?1", [hash])?;
    let own: Option<String> = tx
        .query_row(
            "SELECT op FROM changes WHERE op LIKE '{\"op\":\"asset\",\"hash\":\"' || ?1 || '\"%' \
             ORDER BY seq DESC LIMIT 1",
            [hash],
            |r| r.get(0),
        )
        .optional()?;
    let Some(Op::Asset {
        path,
        original_name,
        size,
        meta,
        thumb_state,
        key,
        ..
    }) = own.and_then(|o| serde_json::from_str::<Op>(&o).ok())
    else {
        return Ok(Restored::NeedsReplay);
    };
    let Some(path) = free_remote_path(tx, &path, hash, taken, on_disk)? else {
        return Ok(Restored::NeedsReplay);
    };
    let row = NewAsset {
        hash: hash.to_owned(),
        path,
        original_name,
        size,
        meta: *meta,
        thumb_state: ThumbState::parse(&thumb_state),
        source_path: None,
    };
    crate::assets::insert_row(tx, &row, &now(), Some(device))?;
    take_early_values(tx, hash)?;
    remember_original(tx, target, hash, &key, size)?;
    Ok(Restored::FromOwnLog)
}

/// Records that `target` holds photo `hash`'s original at `key` (another device put it there),
/// unless a prune already deleted those bytes (`gone:<key>`).
fn remember_original(
    tx: &rusqlite::Transaction<'_>,
    target: &str,
    hash: &str,
    key: &str,
    size: u64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO store_objects (target, hash, kind, key, size, uploaded_at, verified_at) \
         SELECT ?1, ?2, 'original', ?3, ?4, ?5, NULL WHERE NOT EXISTS \
         (SELECT 1 FROM field_values WHERE hash = ?2 AND field = 'gone:' || ?3) \
         ON CONFLICT (target, hash, kind) DO NOTHING",
        params![target, hash, key, size as i64, now()],
    )?;
    Ok(())
}

/// A photo deleted for good here (its trash emptied) whose latest trash state is still "in
/// the trash": whatever names it again was seen by that delete.
fn purged_in_trash(tx: &rusqlite::Transaction<'_>, hash: &str) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM purges WHERE hash = ?1) AND NOT EXISTS \
         (SELECT 1 FROM field_values WHERE hash = ?1 AND field = 'trashed' AND value = 'null')",
        [hash],
        |r| r.get(0),
    )?)
}

/// Drops another device's photo that sits in the trash here and whose original no store holds
/// any more (deleted for good everywhere, then pruned): a trash entry that could never be
/// restored. A photo not in the trash stays (its thumbnails and metadata).
fn drop_if_lost(tx: &rusqlite::Transaction<'_>, hash: &str) -> Result<bool> {
    // Almost every photo taken in is not in the trash: answered by the row alone.
    let trashed_remote: bool = tx
        .query_row(
            "SELECT origin IS NOT NULL AND trashed_at IS NOT NULL FROM assets WHERE hash = ?1",
            [hash],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if !trashed_remote {
        return Ok(false);
    }
    let n = tx.execute(
        "DELETE FROM assets WHERE hash = ?1 AND origin IS NOT NULL AND trashed_at IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM store_objects o WHERE o.hash = ?1 AND o.kind = 'original')",
        [hash],
    )?;
    if n > 0 {
        tx.execute("DELETE FROM album_assets WHERE hash = ?1", [hash])?;
    }
    Ok(n > 0)
}

/// Sets a photo's field from a travelling value (as stored, JSON); true when a row changed.
/// The tidy fields (rating, rotation, date, keywords) go through their own checks.
fn set_column(
    tx: &rusqlite::Transaction<'_>,
    hash: &str,
    field: &str,
    value: &str,
) -> Result<bool> {
    let v: serde_json::Value = serde_json::from_str(value).unwrap_or(serde_json::Value::Null);
    if crate::tidy::is_tidy_field(field) {
        return Ok(crate::tidy::apply_tidy(tx, hash, field, &v)?.unwrap_or(false));
    }
    let Some(col) = column_of(field) else {
        return Ok(false);
    };
    let sql = format!("UPDATE assets SET {col} = ?2 WHERE hash = ?1");
    let n = match (field, &v) {
        ("favourite", v) => tx.execute(&sql, params![hash, v.as_bool().unwrap_or(false)])?,
        (_, serde_json::Value::String(s)) => tx.execute(&sql, params![hash, s])?,
        (_, _) => tx.execute(&sql, params![hash, Option::<String>::None])?,
    };
    Ok(n > 0)
}

/// A path for another device's photo: its own, unless unsafe or taken here (by a photo of the
/// catalog, names compared case-folded as on macOS and Windows disks, or by a file on disk the
/// catalog does not know), then `stem (n).ext` in the same folder.
fn free_remote_path(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    hash: &str,
    taken: &mut std::collections::HashMap<String, std::collections::HashSet<String>>,
    on_disk: &dyn Fn(&str) -> bool,
) -> Result<Option<String>> {
    let Some((folder, name)) = path.rsplit_once('/') else {
        return Ok(None);
    };
    if shoebox_layout::RelPath::parse(path).is_err() {
        return Ok(None);
    }
    if !taken.contains_key(folder) {
        let mut stmt = tx.prepare_cached(
            "SELECT path FROM assets WHERE path >= ?1 || '/' AND path < ?1 || '0'",
        )?;
        let names = stmt
            .query_map([folder], |r| r.get::<_, String>(0))?
            .map(|p| p.map(|p| shoebox_layout::fold_key(&p)))
            .collect::<rusqlite::Result<std::collections::HashSet<String>>>()?;
        taken.insert(folder.to_owned(), names);
    }
    let names = taken.get_mut(folder).expect("just filled");
    let (stem, ext) = shoebox_layout::split_ext(name);
    let candidates = (1..10_000u32)
        .map(|i| match i {
            1 => path.to_owned(),
            _ => format!("{folder}/{stem} ({i}){ext}"),
        })
        .chain(std::iter::once(format!("{folder}/{stem}.{hash}{ext}")));
    for candidate in candidates {
        let key = shoebox_layout::fold_key(&candidate);
        if !names.contains(&key)
            && shoebox_layout::RelPath::parse(&candidate).is_ok()
            && !on_disk(&candidate)
        {
            // Taken from now on, by the row the caller inserts.
            names.insert(key);
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
