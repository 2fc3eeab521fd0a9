//! Verify (and repair) a target: every object's size, some or all read back and hashed.

use crate::{Error, Library, Result};
use shoebox_store::{VerifyOptions, VerifyReport};
use shoebox_types::Progress;
impl Library {
    pub fn verify(
        &mut self,
        target: Option<&str>,
        opts: &VerifyOptions,
        progress: &dyn Fn(&Progress),
    ) -> Result<Vec<crate::PerTarget<VerifyReport>>> {
        let _lock = self.write_lock(&|| {})?;
        let mut out = Vec::new();
        for t in self.chosen(target)? {
            // A store that is not the one this target wrote to is not verified (or "repaired"
            // by uploading everything into an empty mount point).
            let res = self
                .check_identity(&t)
                .and_then(|_| self.open_target(&t.name))
                .and_then(|(store, _)| {
                    let mut r = store
                        .verify(&self.paths, &mut self.catalog, opts, progress)
                        .map_err(Error::from)?;
                    self.verify_own_log(&store, opts, &mut r)?;
                    if opts.deep {
                        // The schedule's monthly deep verify counts from the last one done,
                        // found problems or not (they are reported, not read again at once).
                        self.catalog.set_setting(
                            &crate::schedule::deep_verified_key(&t.name),
                            &shoebox_catalog::now(),
                        )?;
                    }
                    Ok(r)
                });
            out.push(res.map_err(|e| crate::TargetFailed::new(&t.name, e)));
        }
        Ok(out)
    }

    /// Checks this device's change-log segments on the store; with `repair`, writes the lost or
    /// damaged ones again from the local log (other devices cannot: one writer per prefix).
    fn verify_own_log(
        &mut self,
        store: &shoebox_store::Store,
        opts: &VerifyOptions,
        r: &mut VerifyReport,
    ) -> Result<()> {
        let dev = self.device_id()?;
        let Some(head) = store.read_head(&dev)? else {
            return Ok(());
        };
        for seg in store.damaged_segments(&head, opts.deep)? {
            let mut repaired = false;
            let mut detail = "this device's change-log segment is lost or damaged on the store; \
                              other devices wait for it"
                .to_owned();
            if opts.repair {
                let changes: Vec<_> = if seg.key.contains("/checkpoint-") {
                    self.catalog.compacted_changes(seg.last)?
                } else {
                    self.catalog
                        .changes_after(seg.first - 1)?
                        .into_iter()
                        .take_while(|(s, _)| *s <= seg.last)
                        .collect()
                };
                match store.rewrite_segment(&head, &seg, &changes) {
                    Ok(()) => repaired = true,
                    Err(e) => detail = format!("{detail}; repair failed: {e}"),
                }
            }
            r.problems.push(shoebox_store::VerifyProblem {
                kind: "segment".into(),
                key: seg.key.clone(),
                detail,
                repaired,
            });
        }
        Ok(())
    }
}
