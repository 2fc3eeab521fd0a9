//! Restore a library from a store, and the settings a snapshot offers that restore does
//! not take unless asked.

use crate::target_config::TARGETS_KEY;
use crate::{Error, Library, Result};
use serde::Serialize;
use shoebox_store::{RestoreReport, Store, Target};
use shoebox_types::Progress;
use std::collections::BTreeMap;
use std::path::Path;
/// What a restore did, and the settings of the snapshot it came from that were not taken.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    #[serde(flatten)]
    pub report: RestoreReport,
    /// Settings the snapshot names besides the store restored from (its other targets, its
    /// watch folders): whoever can write to a store chose them, so they wait for the person
    /// to adopt them ([`Library::adopt_offered_settings`]). `None`: there were none.
    pub offered_settings: Option<OfferedSettings>,
    /// They were adopted (`--adopt-settings`).
    pub adopted_settings: bool,
}

/// Settings a restored snapshot named that the restored library does not use until the person
/// adopts them: nothing is watched or uploaded on a store's word.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct OfferedSettings {
    pub targets: Vec<Target>,
    pub watch_folders: Vec<crate::WatchFolderSetting>,
}

const OFFERED_KEY: &str = "restore_offered_settings";

/// Builds a new library in `dir` from a store alone (a configured target of another library,
/// or one described on the spot). The library keeps, of the snapshot's targets, the one whose
/// store it was restored from; its other targets and its watch folders are offered, and taken
/// only with `adopt_settings`.
pub fn restore(
    target: &Target,
    secret: &BTreeMap<String, String>,
    dir: &Path,
    progress: &dyn Fn(&Progress),
    adopt_settings: bool,
) -> Result<Restored> {
    let store = Store::open(target, secret)?;
    let report = store.restore(dir, 8, progress)?;
    let store_id = store.identity()?.map(|(id, _)| id);
    // Opening the new library reconciles it and proves the catalog is usable.
    let mut lib = Library::open(dir)?;
    // The catalog is the snapshot's as it came (a restore run again takes it again).
    let mut kept = Vec::new();
    let mut offered = OfferedSettings::default();
    if lib.catalog.setting(TARGETS_KEY)?.is_some() {
        for t in lib.targets()? {
            // The store restored from: by its id, or (a first backup's snapshot is taken before
            // the id is remembered) by where it is.
            let id = lib.catalog.setting(&format!("store_id:{}", t.name))?;
            let same_place = t.scheme == target.scheme && t.options == target.options;
            if (id.is_some() && id == store_id) || same_place {
                kept.push(t);
            } else {
                offered.targets.push(t);
            }
        }
        lib.save_targets(&kept)?;
    }
    let mut settings = lib.settings().clone();
    offered.watch_folders = std::mem::take(&mut settings.watch_folders);
    lib.save_settings(settings)?;
    if offered != OfferedSettings::default() {
        lib.catalog.set_setting(
            OFFERED_KEY,
            &serde_json::to_string(&offered).map_err(|e| Error::Setting(e.to_string()))?,
        )?;
    }
    // A restore run again over a finished one may find its catalog as it left it: what it
    // offered then is still waiting.
    let offered = lib.offered_settings()?;
    if adopt_settings {
        lib.adopt_offered_settings()?;
    }
    Ok(Restored {
        report,
        offered_settings: offered,
        adopted_settings: adopt_settings,
    })
}

impl Library {
    /// Settings of a restored snapshot waiting to be adopted (see [`restore`]).
    pub fn offered_settings(&self) -> Result<Option<OfferedSettings>> {
        self.catalog
            .setting(OFFERED_KEY)?
            .map(|j| {
                serde_json::from_str(&j)
                    .map_err(|e| Error::Setting(format!("offered settings are unreadable: {e}")))
            })
            .transpose()
    }

    /// Takes the settings a restored snapshot offered: its targets (a name this library uses
    /// already keeps this library's) and its watch folders.
    pub fn adopt_offered_settings(&mut self) -> Result<()> {
        let Some(o) = self.offered_settings()? else {
            return Ok(());
        };
        let mut targets = self.targets()?;
        for t in o.targets {
            if !targets.iter().any(|k| k.name == t.name) {
                targets.push(t);
            }
        }
        self.save_targets(&targets)?;
        let mut settings = self.settings().clone();
        for w in o.watch_folders {
            if !settings.watch_folders.contains(&w) {
                settings.watch_folders.push(w);
            }
        }
        self.save_settings(settings)?;
        Ok(self.catalog.delete_setting(OFFERED_KEY)?)
    }

    /// Declines the settings a restored snapshot offered.
    pub fn dismiss_offered_settings(&mut self) -> Result<()> {
        Ok(self.catalog.delete_setting(OFFERED_KEY)?)
    }
}
