//! What the other devices of a store still reference, read from their newest snapshots: what prune must keep.

use crate::backup::Pointer;
use crate::{Error, Result, Store};
use shoebox_catalog::Catalog;
use std::collections::HashSet;
use std::path::Path;

/// What the other devices of a store reference, read from their newest snapshots.
#[derive(Debug, Default)]
pub struct OthersRefs {
    /// Device ids whose snapshots were read.
    pub devices: Vec<String>,
    /// Store keys they record, and the paths of their photos (older devices stored originals
    /// at their library paths).
    pub keys: HashSet<String>,
    /// Content hashes of their photos (thumbnail keys are named by these).
    pub hashes: HashSet<String>,
    /// For each device read, how far its snapshot had applied every other device's log.
    pub applied: std::collections::HashMap<String, std::collections::HashMap<String, i64>>,
    /// Devices that write a change log but have no snapshot yet: what they rely on is unknown.
    pub unknown: Vec<String>,
}

impl Store {
    /// Reads every other device's newest snapshot (as untrusted catalogs) and collects what it
    /// relies on. Fails, rather than guessing, when any device's pointer or snapshot cannot be
    /// read: a torn or missing object means "not known", never "nothing referenced".
    pub fn others_refs(
        &self,
        own_device: &str,
        retired: &[String],
        tmp_dir: &Path,
    ) -> Result<OthersRefs> {
        self.rt.block_on(async {
            let entries = self.list_or_empty("catalogs/", true).await?;
            let mut refs = OthersRefs::default();
            for e in entries {
                let Some(dev) = e
                    .path()
                    .strip_prefix("catalogs/")
                    .and_then(|s| s.strip_suffix("/latest.json"))
                else {
                    continue;
                };
                if dev == own_device || dev.contains('/') || retired.iter().any(|r| r == dev) {
                    continue;
                }
                let b = self.op.read(e.path()).await.map_err(|e| self.store_err(&e))?;
                let p: Pointer = serde_json::from_slice(&b.to_vec()).map_err(|err| {
                    Error::Store(format!(
                        "device {dev}'s pointer {} is unreadable ({err}); what it relies on is unknown",
                        e.path()
                    ))
                })?;
                if p.format > crate::FORMAT {
                    return Err(Error::TooNew {
                        found: p.format,
                        supported: crate::FORMAT,
                    });
                }
                let path = tmp_dir.join(format!("others-{:08x}.db", fastrand::u32(..)));
                let got = async {
                    self.fetch_snapshot(&p, &path).await?;
                    let cat = Catalog::open_untrusted(&path)?;
                    refs.hashes.extend(cat.all_hashes()?);
                    refs.keys.extend(cat.referenced_keys()?);
                    refs.applied.insert(dev.to_owned(), cat.applied_map()?);
                    Ok::<_, Error>(())
                }
                .await;
                let _ = std::fs::remove_file(&path);
                got?;
                refs.devices.push(dev.to_owned());
            }
            for dev in self.device_folders().await? {
                let dev = dev.as_str();
                if crate::is_device_id(dev)
                    && dev != own_device
                    && !retired.iter().any(|r| r == dev)
                    && !refs.devices.iter().any(|d| d == dev)
                {
                    refs.unknown.push(dev.to_owned());
                }
            }
            Ok(refs)
        })
    }
}
