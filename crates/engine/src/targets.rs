//! Backup targets of a library: configuration, and the backup, verify and restore jobs.

use crate::{Error, Library, Result, secrets};
use serde::Serialize;
use shoebox_store::{
    BackupOptions, BackupReport, RestoreReport, Store, Target, TestReport, VerifyOptions,
    VerifyReport,
};
use shoebox_types::Progress;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const TARGETS_KEY: &str = "targets";
const DEVICE_KEY: &str = "device_id";
/// The library folder the device id belongs to.
const DEVICE_BOUND_KEY: &str = "device_bound_to";

/// What `shoebox status` shows per target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetStatus {
    pub name: String,
    pub scheme: String,
    pub location: String,
    pub enabled: bool,
    pub objects: u64,
    pub bytes: u64,
    /// Originals not yet on this target.
    pub pending_uploads: u64,
    pub last_backup: Option<String>,
    pub last_result: Option<String>,
    pub last_verify: Option<String>,
    pub last_verify_ok: Option<bool>,
    pub last_error: Option<String>,
}

/// The folder the default target backs up to: `~/Shoebox Backup`.
pub fn default_backup_dir() -> PathBuf {
    dirs::home_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("Shoebox Backup")
}

fn split_secrets(
    opts: BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    opts.into_iter()
        .partition(|(k, _)| !shoebox_store::SECRET_KEYS.contains(&k.as_str()))
}

impl Library {
    /// The configured targets; a new library has one: a local folder.
    pub fn targets(&self) -> Result<Vec<Target>> {
        match self.catalog.setting(TARGETS_KEY)? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::Setting(format!("stored targets are unreadable: {e}"))),
            None => Ok(vec![Target::local(
                "local",
                &default_backup_dir().display().to_string(),
            )]),
        }
    }

    fn save_targets(&self, t: &[Target]) -> Result<()> {
        let json = serde_json::to_string(t).map_err(|e| Error::Setting(e.to_string()))?;
        Ok(self.catalog.set_setting(TARGETS_KEY, &json)?)
    }

    fn secrets_scope(&self, target: &str) -> String {
        format!("{}#{target}", self.root().display())
    }

    /// A target as a form (or `target add`) gives it: secret options split off, and an empty
    /// secret taken as the one stored for a target of that name.
    fn target_from_form(
        &self,
        name: &str,
        scheme: &str,
        options: BTreeMap<String, String>,
        secrets_given: BTreeMap<String, String>,
    ) -> (Target, BTreeMap<String, String>) {
        let (options, mut secret) = split_secrets(options);
        secret.extend(secrets_given);
        self.keep_stored_secrets(name, &mut secret);
        let target = Target {
            name: name.to_owned(),
            scheme: scheme.to_owned(),
            options,
            enabled: true,
            secrets: secret.keys().cloned().collect(),
        };
        (target, secret)
    }

    /// An empty secret when editing a target keeps the stored one (forms never read secrets
    /// back).
    fn keep_stored_secrets(&self, name: &str, secret: &mut BTreeMap<String, String>) {
        if secret.values().any(|v| v.is_empty()) {
            let kept = self
                .target_with_secrets(name)
                .map(|(_, s, _)| s)
                .unwrap_or_default();
            secret.retain(|k, v| {
                if v.is_empty() {
                    match kept.get(k) {
                        Some(old) => *v = old.clone(),
                        None => return false,
                    }
                }
                true
            });
        }
    }

    /// Adds (or replaces) a target. Secret options go to the secrets store; returns where. An
    /// empty secret value keeps the one stored for a target of that name.
    pub fn target_add(
        &mut self,
        name: &str,
        scheme: &str,
        options: BTreeMap<String, String>,
        secrets_given: BTreeMap<String, String>,
    ) -> Result<Option<String>> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::Setting(
                "a target name uses letters, digits, - and _ only".into(),
            ));
        }
        let (target, secret) = self.target_from_form(name, scheme, options, secrets_given);
        // Fail now, not at the first backup, if OpenDAL cannot build it.
        let store = Store::open(&target, &secret)?;
        if shoebox_store::is_encrypted(&target) {
            // An encrypted store already there must open with this password: a wrong one is
            // said now and nothing is saved. (A store that cannot be reached is checked at the
            // first backup or sync.)
            if let Err(e) = store.identity()
                && matches!(
                    e,
                    shoebox_store::Error::Remote {
                        class: "credentials",
                        ..
                    } | shoebox_store::Error::Config { .. }
                )
            {
                return Err(e.into());
            }
        }
        let mut all = self.targets()?;
        // Pointed somewhere else (another bucket, folder or server): what the catalog knew this
        // name held says nothing about the new place, so it is forgotten and the next backup
        // uploads everything there.
        let moved = all
            .iter()
            .find(|t| t.name == name)
            .is_some_and(|old| old.scheme != target.scheme || old.options != target.options);
        all.retain(|t| t.name != name);
        all.push(target);
        if moved {
            self.catalog.forget_target(name)?;
        }
        let mut where_ = None;
        if !secret.is_empty() {
            where_ = Some(secrets::save(&self.secrets_scope(name), &secret)?);
        }
        self.save_targets(&all)?;
        Ok(where_)
    }

    /// Changes an encrypted target's password to `new_password`, or to a new recovery code when
    /// none is given: everything on its store is read with the old keys and written again with
    /// the new ones (see [`shoebox_store::RekeyReport`]). Resumable: the password being changed
    /// to is kept on this computer before anything is written, so running it again (with no
    /// password, or the same one) goes on, also after a crash. The new password is the one kept
    /// from the moment it is in force on the store; the old one only until the old objects are
    /// gone. Returns the report and the new password (to show as the recovery code). Other
    /// computers then need it (`target add … --encrypt --passphrase-file`).
    pub fn target_change_password(
        &mut self,
        name: &str,
        new_password: Option<&str>,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Result<(shoebox_store::RekeyReport, String)> {
        // One change or backup of this library at a time.
        let _lock = self.write_lock(&|| {})?;
        let (t, mut secret, _) = self.target_with_secrets(name)?;
        if !shoebox_store::is_encrypted(&t) {
            return Err(Error::Setting(format!(
                "target {name} is not encrypted: it has no password to change"
            )));
        }
        let scope = self.secrets_scope(name);
        // Not among the target's listed secrets: there only while a change is under way.
        secret.extend(secrets::load_present(
            &scope,
            &["crypt_password_next", "crypt_password_old"],
        )?);
        let current = secret.get("crypt_password").cloned().unwrap_or_default();
        let mut open_with = secret.clone();
        let new = if let Some(old) = secret.get("crypt_password_old").cloned() {
            // The switch happened already: only the same new password may finish the change.
            if new_password.is_some_and(|n| n != current) {
                return Err(Error::Setting(format!(
                    "the change of target {name}'s password is half done: finish it first (run \
                     it again without a new password, or with the one it is changing to)"
                )));
            }
            open_with.insert("crypt_password".into(), old);
            current.clone()
        } else {
            let new = match (new_password, secret.get("crypt_password_next")) {
                // Copies made under the other one would stay on the store, unreadable.
                (Some(n), Some(next)) if n != next => {
                    return Err(Error::Setting(format!(
                        "a change of target {name}'s password to another one was begun and not \
                         finished; run it again without a new password to finish it (then \
                         change again if you want this one)"
                    )));
                }
                (Some(n), _) => n.to_owned(),
                (None, Some(next)) => next.clone(),
                (None, None) => crate::new_recovery_code(),
            };
            if secret.get("crypt_password_next") != Some(&new) {
                secret.insert("crypt_password_next".into(), new.clone());
                secrets::save(&scope, &secret)?;
            }
            new
        };
        let old = open_with.get("crypt_password").cloned().unwrap_or_default();
        let store = Store::open(&t, &open_with)?;
        let report = store.change_password(
            &new,
            secret.get("crypt_password2").map(String::as_str),
            &self.device_id()?,
            progress,
            cancel,
        )?;
        if report.switched {
            secret.insert("crypt_password".into(), new.clone());
            secret.remove("crypt_password_next");
            if report.cancelled {
                secret.insert("crypt_password_old".into(), old);
            } else {
                secret.remove("crypt_password_old");
            }
            secrets::save(&scope, &secret)?;
        }
        Ok((report, new))
    }

    pub fn target_remove(&mut self, name: &str) -> Result<()> {
        let mut all = self.targets()?;
        let before = all.len();
        all.retain(|t| t.name != name);
        if all.len() == before {
            return Err(Error::Setting(format!(
                "no target named {name:?} (see `shoebox target list`)"
            )));
        }
        secrets::forget(&self.secrets_scope(name))?;
        self.save_targets(&all)?;
        // A target added later under the same name starts from nothing.
        Ok(self.catalog.forget_target(name)?)
    }

    /// The id of the store `t` remembers, after checking that the store still carries it.
    /// Refuses a store without `shoebox.json` that this target wrote to before (a disk not
    /// mounted, a bucket emptied) and a store with another id (replaced).
    fn check_identity(&self, t: &Target) -> Result<Option<String>> {
        let key = format!("store_id:{}", t.name);
        let known = self.catalog.setting(&key)?;
        let where_ = t.describe();
        let hint = match t.scheme.as_str() {
            "fs" => "is the disk mounted and the folder right?",
            "s3" => "is the bucket right, and was it emptied?",
            _ => "is the address right, and was the store emptied?",
        };
        let reset = format!(
            "if this is a new, empty store on purpose, run `shoebox target reset {}` and the \
             next backup uploads everything again",
            t.name
        );
        let used = known.is_some() || self.catalog.store_totals(&t.name)?.0 > 0;
        // (A folder target whose folder is gone is refused by `open_target`.)
        let (store, _) = self.open_target(&t.name)?;
        store.check_not_rekeying(&self.device_id()?)?;
        if known.is_none() {
            // A marker whose first write was cut short: no one could have remembered its id.
            store.rewrite_torn_marker()?;
        }
        let (found, format) = match store.identity()? {
            Some((id, f)) => (Some(id), f),
            None => (None, shoebox_store::FORMAT),
        };
        let res = match (&known, &found) {
            (Some(k), Some(f)) if k != f => Err(Error::Setting(format!(
                "{where_} is another Shoebox store than the one target {} backed up to \
                 (id {f}, expected {k}); {hint} Nothing was written. {reset}",
                t.name
            ))),
            (Some(_), None) => Err(Error::Setting(format!(
                "{where_} has no shoebox.json, but target {} backed up there before: {hint} \
                 Nothing was written. {reset}",
                t.name
            ))),
            (None, None) if used => Err(Error::Setting(format!(
                "{where_} has no shoebox.json, but the catalog says target {} holds \
                     photos there: {hint} Nothing was written. {reset}",
                t.name
            ))),
            // First contact with a store that has an id: it is remembered after this backup
            // (devices starting on a new store at once may still be writing theirs).
            (None, Some(_)) => Ok(None),
            _ => Ok(known),
        }?;
        if format != shoebox_store::FORMAT {
            // The store this target knows, in an older format (upgraded in place) or a newer
            // one (refused).
            store.upgrade()?;
        }
        Ok(res)
    }

    /// Forgets what target `name` held and which store it was, keeping its configuration: the
    /// next backup treats the store as new and uploads everything (`shoebox target reset`).
    pub fn target_reset(&mut self, name: &str) -> Result<()> {
        if !self.targets()?.iter().any(|t| t.name == name) {
            return Err(Error::Setting(format!(
                "no target named {name:?} (see `shoebox target list`)"
            )));
        }
        Ok(self.catalog.forget_target(name)?)
    }

    /// A configured target and its secrets, and where each secret came from.
    fn target_with_secrets(
        &self,
        name: &str,
    ) -> Result<(Target, BTreeMap<String, String>, Vec<String>)> {
        let t = self
            .targets()?
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| {
                Error::Setting(format!(
                    "no target named {name:?} (see `shoebox target list`)"
                ))
            })?;
        let (secret, from) = secrets::load(&self.secrets_scope(name), name, &t.secrets)?;
        Ok((t, secret, from))
    }

    /// Opens a target with its secrets; also says where the secrets came from.
    pub fn open_target(&self, name: &str) -> Result<(Store, Vec<String>)> {
        let (t, secret, from) = self.target_with_secrets(name)?;
        // Opening a folder store creates its folder: never where a disk that held this
        // library's store is not mounted now (fetching an original, verifying, syncing).
        if t.scheme == "fs"
            && let Some(root) = t.options.get("root")
            && !std::path::Path::new(root).exists()
            && (self.catalog.setting(&format!("store_id:{name}"))?.is_some()
                || self.catalog.store_totals(name)?.0 > 0)
        {
            return Err(Error::Setting(format!(
                "{root} is not there, but target {name} backed up there before: is the disk \
                 mounted and the folder right? Nothing was written. If this is a new, empty \
                 store on purpose, run `shoebox target reset {name}` and the next backup \
                 uploads everything again"
            )));
        }
        Ok((Store::open(&t, &secret)?, from))
    }

    pub fn target_test(&self, name: &str) -> Result<TestReport> {
        Ok(self.open_target(name)?.0.test())
    }

    /// Tests a target before it is saved (the form's *Test*): reach, list, write, read back,
    /// and what the place already holds — a Shoebox library and its devices, or nothing yet.
    /// Writes nothing but the probe it deletes.
    /// An empty secret is the one stored for the target called `name` (a form being edited).
    pub fn target_probe(
        &self,
        name: &str,
        scheme: &str,
        options: BTreeMap<String, String>,
        secrets_given: BTreeMap<String, String>,
    ) -> Result<TestReport> {
        let (target, secret) = self.target_from_form(name, scheme, options, secrets_given);
        if scheme == "fs"
            && let Some(root) = target.options.get("root")
            && !Path::new(root).is_dir()
        {
            return Ok(TestReport {
                status: "missing".into(),
                message: format!("{root} is not a folder on this computer"),
            });
        }
        let store = Store::open(&target, &secret)?;
        let mut r = store.test();
        if r.status != "ok" && r.status != "read_only" {
            return Ok(r);
        }
        match store.identity() {
            Ok(Some((_, format))) => {
                let heads = store.other_heads("").unwrap_or_default();
                let names: Vec<String> = heads
                    .iter()
                    .map(|h| h.name.clone().unwrap_or_else(|| h.device.clone()))
                    .collect();
                r.message = if names.is_empty() {
                    format!("{} It holds a Shoebox backup (format {format}).", r.message)
                } else {
                    format!(
                        "{} It holds a Shoebox library (format {format}) shared by {}: {}.",
                        r.message,
                        if names.len() == 1 {
                            "1 device".to_owned()
                        } else {
                            format!("{} devices", names.len())
                        },
                        names.join(", ")
                    )
                };
            }
            Ok(None) => {
                r.message = format!("{} No Shoebox library there yet.", r.message);
            }
            Err(e) => {
                r.status = "error".into();
                r.message = e.to_string();
            }
        }
        Ok(r)
    }

    /// This library's device id on stores. Bound to the computer and the folder where its
    /// catalog lives: a catalog restored or copied to another folder or another computer gets a
    /// new id, so it never writes under (or prunes as) the device it came from.
    pub(crate) fn device_id(&self) -> Result<String> {
        let (path, here) = self.binding();
        if let Some(id) = self.catalog.setting(DEVICE_KEY)? {
            match self.catalog.setting(DEVICE_BOUND_KEY)? {
                Some(b) if b == here => return Ok(id),
                // A library from before ids were bound (or bound to its folder alone) keeps
                // its id, bound from now on.
                None => {
                    self.catalog.set_setting(DEVICE_BOUND_KEY, &here)?;
                    return Ok(id);
                }
                Some(b) if b == path => {
                    self.catalog.set_setting(DEVICE_BOUND_KEY, &here)?;
                    return Ok(id);
                }
                Some(_) => {}
            }
        }
        self.new_device_id(&here)
    }

    /// Gives this library a new device id (see [`Self::device_id`]): what it wrote under the
    /// old one stays there; its photos and edits are announced again under the new one.
    fn new_device_id(&self, here: &str) -> Result<String> {
        let id = format!("{:016x}", fastrand::u64(..));
        self.catalog.set_setting(DEVICE_KEY, &id)?;
        self.catalog.set_setting(DEVICE_BOUND_KEY, here)?;
        self.catalog.forget_pushes()?;
        Ok(id)
    }

    /// A catalog older than what its device wrote to a store (restored from an old copy over
    /// itself): its next edits would reuse sequence numbers the store already has, so it takes
    /// a new device id instead.
    pub(crate) fn rolled_back(&self) -> Result<String> {
        tracing::warn!("this catalog is older than what its device wrote; taking a new device id");
        self.new_device_id(&self.binding().1)
    }

    /// Where this catalog lives: its folder, and the folder on this computer (what a device id
    /// is bound to).
    fn binding(&self) -> (String, String) {
        let path = self
            .root()
            .canonicalize()
            .unwrap_or_else(|_| self.root().to_owned())
            .display()
            .to_string();
        let here = format!("{}|{path}", machine_id());
        (path, here)
    }

    pub(crate) fn chosen(&self, name: Option<&str>) -> Result<Vec<Target>> {
        let all = self.targets()?;
        match name {
            Some(n) => {
                let t: Vec<_> = all.into_iter().filter(|t| t.name == n).collect();
                if t.is_empty() {
                    return Err(Error::Setting(format!(
                        "no target named {n:?} (see `shoebox target list`)"
                    )));
                }
                Ok(t)
            }
            None => Ok(all.into_iter().filter(|t| t.enabled).collect()),
        }
    }

    /// Backs up to one target, or to every enabled one. A target that cannot be reached is
    /// reported in its own report and does not stop the others. Setting `cancel` stops after
    /// the transfers that finish (the rest is picked up by the next backup).
    pub fn backup(
        &mut self,
        target: Option<&str>,
        progress: &dyn Fn(&Progress),
        waiting: &dyn Fn(),
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<Vec<std::result::Result<BackupReport, (String, String)>>> {
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
    ) -> Result<Vec<std::result::Result<BackupReport, (String, String)>>> {
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
                    out.push(Err((t.name.clone(), e.to_string())));
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
            out.push(res.map_err(|e| (t.name.clone(), e.to_string())));
        }
        Ok(out)
    }

    pub fn verify(
        &mut self,
        target: Option<&str>,
        opts: &VerifyOptions,
        progress: &dyn Fn(&Progress),
    ) -> Result<Vec<std::result::Result<VerifyReport, (String, String)>>> {
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
            out.push(res.map_err(|e| (t.name.clone(), e.to_string())));
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

    /// Per-target figures for `status`: aggregates in SQL, so a 100k-photo library answers in
    /// milliseconds.
    pub fn target_status(&self) -> Result<Vec<TargetStatus>> {
        let mut out = Vec::new();
        for t in self.targets()? {
            let (objects, bytes) = self.catalog.store_totals(&t.name)?;
            let st = self.catalog.store_state(&t.name)?;
            out.push(TargetStatus {
                location: t.describe(),
                name: t.name.clone(),
                scheme: t.scheme.clone(),
                enabled: t.enabled,
                objects,
                bytes,
                pending_uploads: self.catalog.count_missing_on(&t.name)?,
                last_backup: st.last_backup,
                last_result: st.last_result,
                last_verify: st.last_verify,
                last_verify_ok: st.last_verify_ok,
                last_error: st.last_error,
            });
        }
        Ok(out)
    }
}

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

/// A target described on the command line: secret options split off.
pub fn adhoc_target(
    scheme: &str,
    options: BTreeMap<String, String>,
    secret: BTreeMap<String, String>,
) -> (Target, BTreeMap<String, String>) {
    let (options, mut s) = split_secrets(options);
    s.extend(secret);
    (
        Target {
            name: "restore".into(),
            scheme: scheme.into(),
            options,
            enabled: true,
            secrets: s.keys().cloned().collect(),
        },
        s,
    )
}

/// A configured target of the library at `lib` and its secrets, for `restore --target`.
pub fn target_of(lib: &Library, name: &str) -> Result<(Target, BTreeMap<String, String>)> {
    let (t, s, _) = lib.target_with_secrets(name)?;
    Ok((t, s))
}

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
        let hashes: Vec<String> = orphans.iter().map(|o| o.hash.clone()).collect();
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
            let Some(p) = purges.get(&o.hash) else {
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
            if purges.get(&o.hash).is_some_and(|p| !p.frontier.is_empty()) {
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
        let photos: Vec<String> = gone
            .iter()
            .filter(|o| o.kind == "original")
            .map(|o| o.hash.clone())
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

/// This computer and user account, for binding a device id: the OS's machine id (Linux
/// `/etc/machine-id`, macOS `IOPlatformUUID`, Windows `MachineGuid`), else an id made once for
/// this user account and kept outside any library (`<config dir>/shoebox/device-key`), so two
/// computers that read no machine id are still two. `SHOEBOX_MACHINE_ID` stands in for the OS's
/// id (tests; empty: none readable).
fn machine_id() -> String {
    static OS: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let os = match std::env::var("SHOEBOX_MACHINE_ID") {
        Ok(v) => Some(v),
        Err(_) => OS.get_or_init(os_machine_id).clone(),
    };
    match os.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        Some(id) => id,
        None => match user_device_key() {
            Ok(k) => format!("user:{k}"),
            Err(e) => {
                // Still distinct per account where the file cannot be kept: the user's home.
                tracing::warn!("no machine id and no place for this account's own: {e}");
                format!("home:{}", dirs::home_dir().unwrap_or_default().display())
            }
        },
    }
}

/// The OS's id of this computer, where it has one that can be read.
fn os_machine_id() -> Option<String> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let run = |prog: &str, args: &[&str]| {
        std::process::Command::new(prog)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let id = if cfg!(target_os = "macos") {
        run("ioreg", &["-rd1", "-c", "IOPlatformExpertDevice"]).and_then(|out| {
            out.lines()
                .find(|l| l.contains("\"IOPlatformUUID\""))
                .and_then(|l| l.rsplit('"').nth(1).map(str::to_owned))
        })
    } else if cfg!(windows) {
        run(
            "reg",
            &[
                "query",
                r"HKLM\SOFTWARE\Microsoft\Cryptography",
                "/v",
                "MachineGuid",
            ],
        )
        .and_then(|out| {
            out.lines()
                .find(|l| l.contains("MachineGuid"))
                .and_then(|l| l.split_whitespace().last().map(str::to_owned))
        })
    } else {
        read("/etc/machine-id").or_else(|| read("/var/lib/dbus/machine-id"))
    };
    id.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// This user account's own device key: 128 random bits, made at first use.
fn user_device_key() -> std::io::Result<String> {
    let dir = dirs::config_dir()
        .ok_or_else(|| std::io::Error::other("no config folder"))?
        .join("shoebox");
    let f = dir.join("device-key");
    let valid = |k: &str| k.len() == 32 && k.bytes().all(|c| c.is_ascii_hexdigit());
    if let Ok(k) = std::fs::read_to_string(&f)
        && valid(k.trim())
    {
        return Ok(k.trim().to_owned());
    }
    std::fs::create_dir_all(&dir)?;
    let k = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let tmp = dir.join(format!("device-key.{:08x}.tmp", fastrand::u32(..)));
    shoebox_layout::write_synced(&tmp, k.as_bytes()).map_err(std::io::Error::other)?;
    // Two programs starting at once: the first one's key stays. A damaged key file is
    // replaced (it could not have bound any device).
    if std::fs::symlink_metadata(&f).is_ok()
        && !std::fs::read_to_string(&f).is_ok_and(|k| valid(k.trim()))
    {
        std::fs::rename(&tmp, &f)?;
        return Ok(k);
    }
    match shoebox_layout::place_no_replace(&tmp, &f) {
        Ok(()) => Ok(k),
        Err(_) => {
            let _ = std::fs::remove_file(&tmp);
            let k = std::fs::read_to_string(&f)?.trim().to_owned();
            if valid(&k) {
                Ok(k)
            } else {
                Err(std::io::Error::other(format!(
                    "{} is unreadable",
                    f.display()
                )))
            }
        }
    }
}
