//! Encrypted targets: recovery codes, the `rclone.conf` that reads a store with rclone
//! alone, and changing a target's password.

use crate::{Error, Library, Result, secrets};
use shoebox_store::Store;
use shoebox_types::Progress;
use std::sync::atomic::AtomicBool;
/// A new random password for an encrypted target, written as the recovery code a person keeps:
/// six groups of four letters and digits (120 bits).
pub fn new_recovery_code() -> String {
    let p = shoebox_crypt::new_password();
    p.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// For a target whose options ask for encryption and whose secrets give no password (a new
/// encrypted target): a new recovery code, put in the secrets and returned to be shown once.
pub fn make_recovery_code(
    options: &std::collections::BTreeMap<String, String>,
    secrets: &mut std::collections::BTreeMap<String, String>,
) -> Option<String> {
    let asked = options
        .get("encryption")
        .is_some_and(|e| e == "rclone-crypt");
    if !asked || secrets.contains_key("crypt_password") {
        return None;
    }
    let code = new_recovery_code();
    secrets.insert("crypt_password".into(), code.clone());
    Some(code)
}

/// A password as `rclone.conf` holds it (`rclone obscure`).
pub fn rclone_obscure(password: &str) -> String {
    shoebox_crypt::obscure::obscure(password)
}

/// The `rclone.conf` lines that read an encrypted target's store with rclone alone: a crypt
/// remote over the folder, or over a remote named `<name>-raw` for the S3 or WebDAV store itself
/// (which a person configures with their own keys).
pub fn rclone_config(
    name: &str,
    scheme: &str,
    options: &std::collections::BTreeMap<String, String>,
    code: &str,
) -> String {
    let root = options.get("root").map(|r| r.trim_matches('/'));
    let remote = match (scheme, options.get("bucket")) {
        ("fs", _) => options.get("root").cloned().unwrap_or_default(),
        (_, Some(bucket)) => format!(
            "{name}-raw:{bucket}{}",
            root.filter(|r| !r.is_empty())
                .map(|r| format!("/{r}"))
                .unwrap_or_default()
        ),
        (_, None) => format!("{name}-raw:{}", root.unwrap_or("")),
    };
    format!(
        "[{name}-crypt]\ntype = crypt\nremote = {remote}\nfilename_encryption = standard\n\
         directory_name_encryption = true\npassword = {}\n",
        rclone_obscure(code)
    )
}

impl Library {
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
}
