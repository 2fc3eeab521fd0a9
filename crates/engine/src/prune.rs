//! Prune: deletes from a store what no device of the library needs any more.

use crate::{Library, Result};
use serde::Serialize;
use shoebox_layout::Hash;
/// What `shoebox prune` found and did on one target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PruneReport {
    pub target: String,
    /// Objects of photos deleted from this library (emptied from the trash).
    pub candidates: Vec<String>,
    pub candidate_bytes: u64,
    /// Objects the target holds according to the catalog.
    pub objects: u64,
    pub deleted: Vec<String>,
    /// Candidates another device of the store still relies on (the same photo backed up
    /// there, or a thumbnail of a photo it has): not deleted now; a later prune deletes them
    /// once no device relies on them.
    pub kept_for_other_devices: Vec<String>,
    /// Candidates whose deletion other devices have not seen yet, or still in the grace period
    /// (`prune_grace_days`): a later prune deletes them.
    pub waiting: Vec<String>,
    /// Why they wait, for people.
    pub waiting_for: Vec<String>,
    /// Why nothing (or not everything) was deleted.
    pub refused: Option<String>,
    /// Objects recorded for photos gone from this library whose keys are not that photo's
    /// original or thumbnail (a forged or damaged log): never deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_keys: Vec<String>,
}

/// Whether a store object recorded in the catalog is named as the store format names that
/// photo's original or thumbnail: the only objects prune may delete.
fn photo_object_key(o: &shoebox_catalog::StoreObject) -> bool {
    let Ok(h) = shoebox_layout::Hash::parse(&o.hash) else {
        return false;
    };
    match o.kind.strip_prefix("thumb-") {
        Some(size) => shoebox_layout::parse_thumb_key(&o.key)
            .is_some_and(|(kh, ks)| kh == h && size.parse() == Ok(ks)),
        None => {
            o.kind == "original" && shoebox_layout::original_key_problem(&h, &o.key, None).is_none()
        }
    }
}

impl Library {
    /// Deletes from `target` the objects of photos this library no longer has. The only way
    /// anything is deleted from a store. Refuses when the target's last backup or verify ended
    /// with an error, and when more than `max_share` (0–1) of its objects would go. With
    /// `dry_run`, only reports.
    pub fn prune(&mut self, target: &str, max_share: f64, dry_run: bool) -> Result<PruneReport> {
        let _lock = self.write_lock(&|| {})?;
        // Only a photo's own objects are ever deleted: a key that came from another device's
        // log or an old catalog and names anything else stays, and is reported.
        let (orphans, refused): (Vec<_>, Vec<_>) = self
            .catalog
            .store_orphans(target)?
            .into_iter()
            .partition(photo_object_key);
        let (objects, _) = self.catalog.store_totals(target)?;
        let mut r = PruneReport {
            target: target.to_owned(),
            candidates: orphans.iter().map(|o| o.key.clone()).collect(),
            candidate_bytes: orphans.iter().map(|o| o.size).sum(),
            objects,
            refused_keys: refused.into_iter().map(|o| o.key).collect(),
            ..Default::default()
        };
        if orphans.is_empty() {
            return Ok(r);
        }
        let st = self.catalog.store_state(target)?;
        if let Some(e) = st.last_error.filter(|e| !e.is_empty()) {
            r.refused = Some(format!(
                "the last backup or verify of {target} ended with an error ({e}); \
                 run `shoebox verify --target {target}` until it is clean, then prune"
            ));
            return Ok(r);
        }
        let share = orphans.len() as f64 / objects.max(1) as f64;
        if share > max_share {
            r.refused = Some(format!(
                "pruning would delete {} of the {} objects on {target} ({:.0}%), more than the \
                 allowed {:.0}%; if that is what you want, raise --max-share",
                orphans.len(),
                objects,
                share * 100.0,
                max_share * 100.0
            ));
            return Ok(r);
        }
        // Other devices may have recorded the same object as theirs ("already there"): read
        // what their newest snapshots rely on, and keep that. Unknown means keep everything.
        let (store, _) = self.open_target(target)?;
        let own = self.device_id()?;
        store.check_not_rekeying(&own)?;
        let retired = self.catalog.retired_devices()?;
        let refs = match store.others_refs(&own, &retired, &self.paths.tmp()) {
            Ok(refs) => refs,
            Err(e) => {
                r.refused = Some(format!(
                    "cannot tell what the other devices of {target} rely on ({e}); nothing \
                     deleted"
                ));
                return Ok(r);
            }
        };
        let (kept, orphans): (Vec<_>, Vec<_>) = orphans.into_iter().partition(|o| {
            refs.keys.contains(&o.key) || (o.kind != "original" && refs.hashes.contains(&o.hash))
        });
        r.kept_for_other_devices = kept.iter().map(|o| o.key.clone()).collect();
        // Two phases: the deletion must have reached every other active device (each one's
        // newest snapshot has read the logs that tell of the photo as far as this device had
        // when it emptied its trash), and, on a shared store, be older than the grace period.
        let hashes: Vec<Hash> = orphans
            .iter()
            .filter_map(|o| Hash::parse(&o.hash).ok())
            .collect();
        let purges = self.catalog.purges(&hashes)?;
        let shared = !refs.devices.is_empty() || !refs.unknown.is_empty();
        let grace_ms = self.settings().prune_grace_days.saturating_mul(86_400_000);
        let now = self.now_ms();
        let mut why = std::collections::BTreeSet::new();
        let (waiting, orphans): (Vec<_>, Vec<_>) = orphans.into_iter().partition(|o| {
            if let Some(u) = refs.unknown.first() {
                why.insert(format!(
                    "device {u} writes a change log on {target} but has no catalog snapshot \
                     there yet (it is syncing now, or stopped half-way); what it relies on is \
                     unknown until its next sync"
                ));
                return true;
            }
            let Some(p) = purges.get(o.hash.as_str()) else {
                return false;
            };
            let mut wait = false;
            if shared && p.at_ms.saturating_add(grace_ms) > now {
                let days = self.settings().prune_grace_days;
                why.insert(format!(
                    "the grace period: photos deleted for good stay on a shared store for \
                     {days} day(s) (`shoebox settings set prune_grace_days N`)"
                ));
                wait = true;
            }
            for d in &refs.devices {
                let seen = refs.applied.get(d);
                for (x, seq) in &p.frontier {
                    let read = if x == d {
                        i64::MAX
                    } else {
                        seen.and_then(|m| m.get(x)).copied().unwrap_or(0)
                    };
                    if read < *seq {
                        let name = self
                            .catalog
                            .peers()
                            .ok()
                            .and_then(|ps| ps.into_iter().find(|p| &p.device == d))
                            .and_then(|p| p.name)
                            .map(|n| format!("{n} ({d})"))
                            .unwrap_or_else(|| d.clone());
                        why.insert(format!(
                            "device {name} has not synced since the deletion (it must sync \
                             once, or be retired with `shoebox device retire` if it is gone for \
                             good)"
                        ));
                        wait = true;
                    }
                }
            }
            wait
        });
        r.waiting = waiting.iter().map(|o| o.key.clone()).collect();
        r.waiting_for = why.into_iter().collect();
        r.candidates = orphans.iter().map(|o| o.key.clone()).collect();
        r.candidate_bytes = orphans.iter().map(|o| o.size).sum();
        if dry_run {
            return Ok(r);
        }
        // Devices that learn of these photos later (from the logs) must not count on them:
        // told before the bytes go, so a crash in between leaves a record of a delete still to
        // do (this catalog keeps the objects, and the next prune deletes them), never bytes
        // gone that a log still offers.
        for o in orphans.iter().filter(|o| o.kind == "original") {
            if purges
                .get(o.hash.as_str())
                .is_some_and(|p| !p.frontier.is_empty())
            {
                self.record(
                    &format!("gone:{}", o.key),
                    std::slice::from_ref(&o.hash),
                    serde_json::json!(true),
                )?;
            }
        }
        // The kept ones stay recorded as this library's leftovers: a later prune deletes them
        // once no device relies on them (it let go too, or was retired).
        let (deleted, err) = store.delete(&r.candidates);
        let gone: Vec<_> = orphans
            .into_iter()
            .filter(|o| deleted.contains(&o.key))
            .collect();
        self.catalog.forget_store_objects(target, &gone)?;
        // The sidecars of the originals deleted go with them.
        let photos: Vec<Hash> = gone
            .iter()
            .filter(|o| o.kind == "original")
            .filter_map(|o| Hash::parse(&o.hash).ok())
            .collect();
        let sidecars = self.catalog.sidecar_keys(target, &photos)?;
        let (sidecars_gone, sidecar_err) = store.delete(&sidecars);
        self.catalog.forget_sidecars(target, &sidecars_gone)?;
        let err = err.or(sidecar_err);
        r.deleted = deleted.into_iter().chain(sidecars_gone).collect();
        r.refused = err.map(|e| format!("stopped: {e}"));
        Ok(r)
    }
}
