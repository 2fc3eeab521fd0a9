//! Backup targets: status, the form, a test, a password change.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// A backup target with its figures, as the status panel and the settings show it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TargetInfo {
    pub name: String,
    /// `fs`, `s3`, `webdav`, or another OpenDAL scheme.
    pub scheme: String,
    /// Human description: the folder, `s3://bucket at endpoint`, the URL.
    pub location: String,
    pub enabled: bool,
    /// Options without secrets.
    pub options: BTreeMap<String, String>,
    /// Names of the secrets it has (never their values).
    pub secrets: Vec<String>,
    pub objects: u32,
    pub bytes: f64,
    pub pending_uploads: u32,
    pub last_backup: Option<String>,
    pub last_result: Option<String>,
    pub last_verify: Option<String>,
    pub last_verify_ok: Option<bool>,
    pub last_error: Option<String>,
}

/// A target as the settings form edits it. Secrets are written to the keychain and never read
/// back; leave one empty to keep the stored value.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct TargetForm {
    pub name: String,
    pub scheme: String,
    pub options: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TargetTest {
    /// `ok`, `unreachable`, `tls`, `credentials`, `missing`, `read_only` or `error`.
    pub status: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SavedTarget {
    /// Where the secrets went: the OS keychain, or a 0600 file and why.
    pub secrets_in: Option<String>,
    /// A new encrypted target's recovery code (its password), shown once.
    pub recovery_code: Option<String>,
    /// The `rclone.conf` lines that read the encrypted store without Shoebox.
    pub rclone_config: Option<String>,
}

/// What changing an encrypted target's password did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PasswordChange {
    /// Objects written under the new password this time.
    pub copied: u32,
    /// Objects that had their copy from an earlier, stopped run.
    pub already: u32,
    /// Objects of the old password removed.
    pub deleted: u32,
    /// Bytes re-encrypted.
    pub bytes: f64,
    /// The new password is in force on the store.
    pub switched: bool,
    /// Stopped; *Change password* again goes on.
    pub cancelled: bool,
    /// The new recovery code Shoebox made, once in force (shown once).
    pub recovery_code: Option<String>,
    /// The `rclone.conf` lines for the new password.
    pub rclone_config: Option<String>,
}
