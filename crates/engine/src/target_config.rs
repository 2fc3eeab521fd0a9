//! Backup targets: the list in the catalog, adding, testing and removing one, the
//! store identity check, and the status `shoebox status` shows per target.

use crate::{Error, Library, Result, secrets};
use serde::Serialize;
use shoebox_store::{Store, Target, TestReport};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub(crate) const TARGETS_KEY: &str = "targets";

/// A target a backup, verify or sync could not do: its name and why. The other targets'
/// reports are not affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetFailed {
    pub target: String,
    pub error: String,
}

impl TargetFailed {
    pub(crate) fn new(target: &str, error: impl ToString) -> Self {
        TargetFailed {
            target: target.to_owned(),
            error: error.to_string(),
        }
    }
}

/// One target's outcome of a backup, verify or sync.
pub type PerTarget<T> = std::result::Result<T, TargetFailed>;

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

    pub(crate) fn save_targets(&self, t: &[Target]) -> Result<()> {
        let json = serde_json::to_string(t).map_err(|e| Error::Setting(e.to_string()))?;
        Ok(self.catalog.set_setting(TARGETS_KEY, &json)?)
    }

    pub(crate) fn secrets_scope(&self, target: &str) -> String {
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
    pub(crate) fn check_identity(&self, t: &Target) -> Result<Option<String>> {
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
    pub(crate) fn target_with_secrets(
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
