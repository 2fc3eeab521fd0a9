//! Applying another device's changes: field edits, album edits, `gone` records, and what a change does to a photo that arrived early or was purged here.

use super::*;
use crate::*;
use rusqlite::OptionalExtension;

pub(crate) fn is_uid(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Applies a winning album field. An album deleted on any device stays deleted (its name and
/// memberships are kept as values, so every device agrees whatever order the edits come in).
pub(crate) fn apply_album(
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
pub(crate) fn apply_gone(
    tx: &rusqlite::Transaction<'_>,
    hash: &str,
    key: &str,
    target: &str,
) -> Result<bool> {
    tx.execute(
        "DELETE FROM store_objects WHERE hash = ?1 AND kind = 'original' AND key = ?2 \
         AND target = ?3",
        params![hash, key, target],
    )?;
    drop_if_lost(tx, hash)
}

/// A photo just added takes the values and album memberships its edits gave it before.
pub(crate) fn take_early_values(tx: &rusqlite::Transaction<'_>, hash: &str) -> Result<()> {
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

/// Sets a photo's field from a travelling value (as stored, JSON); true when a row changed.
/// The tidy fields (rating, rotation, date, keywords) go through their own checks.
pub(crate) fn set_column(
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

impl Catalog {
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
                        // A name some disk cannot hold is placed under a safe one, and said so.
                        let Some((placed, renamed)) =
                            free_remote_path(&tx, path, hash, &mut taken, on_disk)?
                        else {
                            out.rejected
                                .push(format!("photo {hash}: unusable path {path:?}"));
                            continue;
                        };
                        if let Some(why) = renamed {
                            out.renamed.push(format!(
                                "photo {hash}: announced at {path:?}, which has {why}; placed at \
                                 {placed:?}"
                            ));
                        }
                        let row = NewAsset {
                            hash: hash.clone(),
                            path: placed,
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
                    let person = hash.strip_prefix("person:");
                    let retiring = hash
                        .strip_prefix("device:")
                        .is_some_and(|d| is_uid(d) && field == "retired");
                    let known_field = retiring
                        || person
                            .is_some_and(|uid| is_uid(uid) && crate::faces::is_person_field(field))
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
                    let tidy =
                        crate::tidy::is_tidy_field(field) && album.is_none() && person.is_none();
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
                        None if person.is_some() => crate::faces::apply_person(
                            &tx,
                            person.unwrap_or_default(),
                            field,
                            value,
                        )?,
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
                    if field == "trashed" && value.is_null() && album.is_none() && person.is_none()
                    {
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
