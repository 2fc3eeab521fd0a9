//! Other devices' originals in this catalog: remembering one announced in a log, a photo purged here and restored elsewhere, dropping what no device has, and a path for a remote photo that never takes a file already on disk.

use super::*;
use crate::*;
use rusqlite::OptionalExtension;

pub(crate) enum Restored {
    No,
    FromOwnLog,
    NeedsReplay,
}

/// A photo deleted for good here and restored from the trash on another device since: brought
/// back from this device's own log (its import is there: it comes back with its original on
/// the store, fetched when opened, as `device`'s), or, when another device imported it, by
/// reading the logs again.
pub(crate) fn restore_purged(
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
    let Some((path, _)) = free_remote_path(tx, &path, hash, taken, on_disk)? else {
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
pub(crate) fn remember_original(
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
pub(crate) fn purged_in_trash(tx: &rusqlite::Transaction<'_>, hash: &str) -> Result<bool> {
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
pub(crate) fn drop_if_lost(tx: &rusqlite::Transaction<'_>, hash: &str) -> Result<bool> {
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

/// A path for another device's photo: its own, unless unsafe or taken here (by a photo of the
/// catalog, names compared case-folded as on macOS and Windows disks, or by a file on disk the
/// catalog does not know), then `stem (n).ext` in the same folder.
pub(crate) fn free_remote_path(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    hash: &str,
    taken: &mut std::collections::HashMap<String, std::collections::HashSet<String>>,
    on_disk: &dyn Fn(&str) -> bool,
) -> Result<Option<(String, Option<&'static str>)>> {
    // A name some disk cannot hold (`aux.jpg`, a trailing dot) is made safe here, with why.
    let Ok((portable, why)) = shoebox_layout::RelPath::portable(path) else {
        return Ok(None);
    };
    let path = portable.as_str();
    let Some((folder, name)) = path.rsplit_once('/') else {
        return Ok(None);
    };
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
            return Ok(Some((candidate, why)));
        }
    }
    Ok(None)
}
