//! One-click backup: originals, thumbnails and this device's change log to each target.

use crate::{Error, Library, Result};
use shoebox_store::{BackupOptions, BackupReport};
use shoebox_types::Progress;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
impl Library {
    /// Backs up to one target, or to every enabled one. A target that cannot be reached is
    /// reported in its own report and does not stop the others. Setting `cancel` stops after
    /// the transfers that finish (the rest is picked up by the next backup).
    pub fn backup(
        &mut self,
        target: Option<&str>,
        progress: &dyn Fn(&Progress),
        waiting: &dyn Fn(),
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<Vec<crate::PerTarget<BackupReport>>> {
        self.backup_checked(target, progress, waiting, cancel, true)
    }

    /// [`Self::backup`]; `check_store` false skips the store-identity request when the caller
    /// has just made it (the second backup of a sync).
    pub(crate) fn backup_checked(
        &mut self,
        target: Option<&str>,
        progress: &dyn Fn(&Progress),
        waiting: &dyn Fn(),
        cancel: Option<Arc<AtomicBool>>,
        check_store: bool,
    ) -> Result<Vec<crate::PerTarget<BackupReport>>> {
        let _lock = self.write_lock(waiting)?;
        let mut opts = BackupOptions {
            concurrency: 8,
            device_id: self.device_id()?,
            thumb_sizes: vec![self.settings().grid_size, self.settings().preview_size],
            cancel: cancel.clone(),
            marker_known: false,
        };
        let mut out = Vec::new();
        for t in self.chosen(target)? {
            if cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst)) {
                break;
            }
            // Is this still the store this target backed up to? One small request, even when
            // nothing is new: a disk not mounted or a bucket emptied must not pass for a backup.
            let checked = if check_store {
                self.check_identity(&t)
            } else {
                self.catalog
                    .setting(&format!("store_id:{}", t.name))
                    .map_err(Error::from)
            };
            let known_id = match checked {
                Ok(k) => k,
                Err(e) => {
                    let mut st = self.catalog.store_state(&t.name)?;
                    st.last_error = Some(e.to_string());
                    self.catalog.set_store_state(&t.name, &st)?;
                    out.push(Err(crate::TargetFailed::new(&t.name, e)));
                    continue;
                }
            };
            // A known id was read (and its format brought up to date) just now, or earlier in
            // this sync.
            opts.marker_known = known_id.is_some();
            // Nothing new for this target: done without a request more.
            let sidecars_pending = self
                .catalog
                .setting(&crate::export::sidecars_pending_key(&t.name))?
                .is_some();
            if !sidecars_pending
                && shoebox_store::up_to_date(&self.catalog, &t.name, &opts.thumb_sizes)?
            {
                out.push(Ok(BackupReport {
                    target: t.name.clone(),
                    ..Default::default()
                }));
                continue;
            }
            let res = self.open_target(&t.name).and_then(|(store, _)| {
                let mut r = store
                    .backup(&self.paths, &mut self.catalog, &opts, progress)
                    .map_err(Error::from)?;
                if !r.cancelled {
                    self.write_sidecars(&store, &t.name, &mut r)?;
                }
                Ok(r)
            });
            if res.is_ok()
                && known_id.is_none()
                && let Ok((store, _)) = self.open_target(&t.name)
                && let Ok(Some((id, _))) = store.identity()
            {
                // The first backup wrote the store's shoebox.json: remember whose it is.
                self.catalog
                    .set_setting(&format!("store_id:{}", t.name), &id)?;
            }
            if let Err(e) = &res {
                // Also when the target could not even be opened: the status panel shows it and
                // prune refuses until a backup or verify succeeds again.
                let mut st = self.catalog.store_state(&t.name)?;
                st.last_error = Some(e.to_string());
                self.catalog.set_store_state(&t.name, &st)?;
            }
            out.push(res.map_err(|e| crate::TargetFailed::new(&t.name, e)));
        }
        Ok(out)
    }
}
