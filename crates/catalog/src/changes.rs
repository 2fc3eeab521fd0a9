//! The library shared across devices: hybrid logical clocks, this device's log of edits, and
//! merging the other devices' edits, last writer wins per (photo, field).
//!
//! Every edit is stamped with a [`Hlc`]; a (photo, field) takes the value of the edit with the
//! greatest stamp, whatever order the edits arrive in, so every device that has seen the same
//! edits holds the same catalog. A device whose wall clock is wrong cannot win forever: a device
//! that sees its stamps moves its own clock past them, so its next edits are later.

pub(crate) mod apply;
mod originals;

use crate::*;
use apply::take_early_values;
use originals::{
    Restored, drop_if_lost, free_remote_path, purged_in_trash, remember_original, restore_purged,
};
use rusqlite::OptionalExtension;
use shoebox_layout::Hash;

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
    /// Photos taken in under another name than the one announced, which a disk here could not
    /// hold (`aux.jpg`, a trailing dot), with both names.
    pub renamed: Vec<String>,
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
    /// to this device's log and to the winning values. Text, not [`Hash`]: a target may also be
    /// an album (`album:…`), a person (`person:…`) or a device (`device:…`).
    pub fn record_edit(
        &mut self,
        device: &str,
        wall_ms: u64,
        field: &str,
        hashes: &[String],
        value: &serde_json::Value,
    ) -> Result<()> {
        let edits: Vec<crate::Edit> = hashes
            .iter()
            .map(|h| (h.clone(), field.to_owned(), value.clone()))
            .collect();
        self.record_edits(device, wall_ms, &edits)
    }

    /// Records several edits made here, each (target, field, value), in one transaction.
    pub fn record_edits(
        &mut self,
        device: &str,
        wall_ms: u64,
        edits: &[crate::Edit],
    ) -> Result<()> {
        let stamps: Vec<String> = self
            .clock_readings(device, wall_ms, edits.len())?
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
            for ((h, field, value), hlc) in edits.iter().zip(&stamps) {
                let op = Op::Set {
                    hash: h.clone(),
                    field: field.clone(),
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
                    hash: a.hash.to_string(),
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
    pub fn take_shared_values(&mut self, hashes: &[Hash]) -> Result<Vec<Hash>> {
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
            take_early_values(&tx, h.as_str())?;
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
    pub fn field_set_by(&self, hash: &Hash, field: &str) -> Result<Option<String>> {
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
}

#[cfg(test)]
mod tests;
