//! Stores through OpenDAL — local folders, S3/MinIO, WebDAV and whatever else OpenDAL speaks —
//! in a self-describing format: backup, verify, repair and restore.
//!
//! ```no_run
//! use shoebox_store::{Store, Target};
//! let target = Target::local("backup", "/mnt/usb/Shoebox Backup");
//! let store = Store::open(&target, &Default::default()).unwrap();
//! println!("{}", store.test().message);
//! ```
//!
//! The layout on the store (see ARCHITECTURE.md): `shoebox.json`, `originals/YYYY/MM/<name>`
//! (the library's own relative paths), `thumbs/<2 hex>/<hash>-<size>.jpg`,
//! `catalogs/<device>/<snapshot>.db` and `catalogs/<device>/latest.json`, written last.

mod backup;
mod changes;
pub mod crypt;
mod error;
pub mod faults;
mod fetch;
mod keys;
mod marker;
mod rekey;
mod restore;
mod share;
mod transfer;
mod verify;

pub use backup::{BackupOptions, BackupReport, Failed, up_to_date};
pub use changes::OwnHead;
pub use changes::{CHANGES_FORMAT, Head, SegmentRef, is_device_id};
pub use error::{Error, Result};
pub use keys::{local_path_for, unsafe_key_reason};
pub use marker::Marker;
pub use rekey::RekeyReport;
pub use restore::RestoreReport;
pub use restore::others::OthersRefs;
pub use share::{MAX_PRESIGN, is_share_id};
pub use verify::{VerifyOptions, VerifyProblem, VerifyReport};

pub(crate) use fetch::{blake3_hex, fetch_to_file, fetch_to_file_with, hash_object};
pub(crate) use marker::Rekeying;
use opendal::Operator;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The store format this build writes and reads. Format 2 added the devices' change logs
/// (`devices/`), content-tagged original keys and the store id; a format 1 store is upgraded
/// in place by rewriting only `shoebox.json` (every other object stays as it is and is read as
/// it was).
pub const FORMAT: u64 = 2;

/// What `shoebox.json` says the layout is, for people reading the store without Shoebox.
const LAYOUT: &str = "originals/YYYY/MM/<name>~<16 hex of its BLAKE3>.<ext>, \
                      thumbs/<2 hex>/<hash>-<size>.jpg, \
                      catalogs/<device>/<snapshot>.db, catalogs/<device>/latest.json, \
                      devices/<device>/seg-<first>-<last>.json, \
                      devices/<device>/checkpoint-<last>.json, devices/<device>/head.json";

/// A backup target: a name, an OpenDAL scheme and its options. Secrets are kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub scheme: String,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Names of the secret options (kept in the keychain or the secrets file, never here).
    #[serde(default)]
    pub secrets: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Option names that are secrets: never stored with the target, never printed.
pub const SECRET_KEYS: &[&str] = &[
    "secret_access_key",
    "access_key_id",
    "password",
    "token",
    "session_token",
    "crypt_password",
    "crypt_password2",
    "crypt_password_old",
    "crypt_password_next",
];

/// The one object an encrypted store keeps in the clear, at its root: says what it is (so a
/// person, or Shoebox without the password, can tell) and lets a wrong password be told apart
/// from a damaged store. No secret in it.
pub const CRYPT_MARKER: &str = "SHOEBOX-ENCRYPTED.json";
/// The name whose encryption the marker keeps as `check`.
const CRYPT_CHECK_NAME: &str = "shoebox-password-check";

#[derive(Debug, Serialize, Deserialize)]
struct CryptMarker {
    about: String,
    encryption: String,
    filename_encryption: String,
    directory_name_encryption: bool,
    format: u64,
    /// `shoebox-password-check`, encrypted as a name: only the right password gives it.
    check: String,
    /// A password change under way: the device making it, and since when. Other devices write
    /// nothing to the store until it is done (what they wrote under the old password during
    /// the change could be left behind, unreadable under the new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rekeying: Option<Rekeying>,
}

/// How a target's options ask for encryption: `encryption=rclone-crypt`.
pub fn is_encrypted(target: &Target) -> bool {
    target
        .options
        .get("encryption")
        .is_some_and(|e| e == "rclone-crypt")
}

impl Target {
    /// A folder on a local or mounted disk.
    pub fn local(name: &str, root: &str) -> Self {
        Target {
            name: name.into(),
            scheme: "fs".into(),
            options: [("root".to_owned(), root.to_owned())].into(),
            enabled: true,
            secrets: Vec::new(),
        }
    }

    /// Where it points, for people: a folder, an endpoint and bucket, a URL.
    pub fn describe(&self) -> String {
        let o = |k: &str| self.options.get(k).cloned().unwrap_or_default();
        match self.scheme.as_str() {
            "fs" => o("root"),
            "s3" => format!(
                "{} bucket {}{}",
                o("endpoint"),
                o("bucket"),
                if o("root").is_empty() {
                    String::new()
                } else {
                    format!(" /{}", o("root").trim_matches('/'))
                }
            ),
            "webdav" => format!("{}{}", o("endpoint"), o("root")),
            other => format!(
                "{other} {}",
                self.options
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }
}

/// The outcome of `shoebox target test`.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// `ok`, `unreachable`, `tls`, `credentials`, `missing`, `read_only` or `error`.
    pub status: String,
    pub message: String,
}

/// An open target.
pub struct Store {
    pub target: Target,
    /// What the store code uses: through the encryption layer on an encrypted target.
    op: Operator,
    /// The store as it is (for the public marker of an encrypted one).
    raw: Operator,
    keys: Option<shoebox_crypt::Keys>,
    rt: tokio::runtime::Runtime,
}

impl Store {
    /// Builds the OpenDAL operator from plain data: the target's options plus its secrets.
    pub fn open(target: &Target, secrets: &BTreeMap<String, String>) -> Result<Store> {
        opendal::install_default();
        let mut opts: BTreeMap<String, String> = target.options.clone();
        // The simulation's misbehaving store (see `faults`); nothing without a registered plan.
        let fault_plan = opts.remove("fault_plan").and_then(|p| faults::plan(&p));
        let keys = match opts.remove("encryption").as_deref() {
            None | Some("") | Some("none") => None,
            Some("rclone-crypt") => {
                let pw = secrets
                    .get("crypt_password")
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| Error::Config {
                        target: target.name.clone(),
                        message: "it is encrypted and its password (the recovery code) is not \
                                  on this computer; add the target again with \
                                  --passphrase-file FILE"
                            .into(),
                    })?;
                Some(shoebox_crypt::Keys::derive(
                    pw,
                    secrets.get("crypt_password2").map(String::as_str),
                ))
            }
            Some(other) => {
                return Err(Error::Config {
                    target: target.name.clone(),
                    message: format!("unknown encryption {other:?}; Shoebox knows rclone-crypt"),
                });
            }
        };
        for (k, v) in secrets {
            if k.starts_with("crypt_") {
                continue;
            }
            opts.insert(k.clone(), v.clone());
        }
        if target.scheme == "s3" {
            // Keep the machine's AWS settings out: a target is exactly what the user configured.
            opts.entry("disable_config_load".into())
                .or_insert_with(|| "true".into());
            opts.entry("region".into())
                .or_insert_with(|| "us-east-1".into());
        }
        if target.scheme == "fs"
            && let Some(root) = opts.get("root").cloned()
        {
            std::fs::create_dir_all(&root).map_err(error::io(&root))?;
            // Writes land in a temp file and are renamed: no half-written object at a final key.
            let tmp = std::path::Path::new(&root).join(".shoebox-tmp");
            std::fs::create_dir_all(&tmp).map_err(error::io(&tmp))?;
            opts.entry("atomic_write_dir".into())
                .or_insert_with(|| tmp.display().to_string());
        }
        let op = Operator::via_iter(&target.scheme, opts).map_err(|e| Error::Config {
            target: target.name.clone(),
            message: format!(
                "cannot use scheme {:?} with these options: {e}",
                target.scheme
            ),
        })?;
        let op = op
            .layer(
                opendal::layers::RetryLayer::new()
                    .with_max_times(5)
                    .with_min_delay(Duration::from_millis(100))
                    .with_max_delay(Duration::from_secs(5))
                    .with_jitter(),
            )
            .layer(
                opendal::layers::TimeoutLayer::new()
                    .with_timeout(Duration::from_secs(60))
                    .with_io_timeout(Duration::from_secs(30)),
            );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(error::io("tokio runtime"))?;
        let op = match fault_plan {
            Some(plan) => op.layer(faults::FaultLayer { plan }),
            None => op,
        };
        let raw = op.clone();
        let op = match &keys {
            Some(k) => op.layer(crypt::CryptLayer::new(k.clone())),
            None => op,
        };
        Ok(Store {
            target: target.clone(),
            op,
            raw,
            keys,
            rt,
        })
    }

    /// Writes a small object (an XMP sidecar) and proves it arrived. The key is checked first.
    pub fn put_object(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.put_on(&self.op, key, bytes)
    }

    /// [`Store::put_object`] through `op`: the store's own layers, or `raw` for what must be
    /// written as it is (a shared album's objects).
    pub(crate) fn put_on(&self, op: &Operator, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.put_on_as(op, key, bytes, None)
    }

    /// [`Store::put_on`] with the `Content-Type` the object is to be served with.
    pub(crate) fn put_on_as(
        &self,
        op: &Operator,
        key: &str,
        bytes: Vec<u8>,
        content_type: Option<&str>,
    ) -> Result<()> {
        if let Some(why) = keys::unsafe_key_reason(key) {
            return Err(Error::Store(format!("refused to write {key:?}: {why}")));
        }
        let hash = blake3::hash(&bytes).to_hex().to_string();
        self.rt
            .block_on(transfer::put_verified_as(
                op,
                key,
                bytes,
                &hash,
                content_type,
            ))
            .map_err(|e| Error::Store(format!("{key}: {e}")))
    }

    /// Deletes objects, one at a time, stopping at the first error. Returns the keys deleted
    /// and, when it stopped early, why. Only `shoebox prune` (and a device compacting its own
    /// change log into a checkpoint) calls this.
    pub fn delete(&self, keys: &[String]) -> (Vec<String>, Option<String>) {
        self.delete_on(&self.op, keys)
    }

    /// [`Store::delete`] through `op` (`raw`: a shared album's objects).
    pub(crate) fn delete_on(
        &self,
        op: &Operator,
        keys: &[String],
    ) -> (Vec<String>, Option<String>) {
        self.rt.block_on(async {
            let mut done = Vec::new();
            for k in keys {
                if let Some(why) = keys::unsafe_key_reason(k) {
                    return (done, Some(format!("refused to delete {k:?}: {why}")));
                }
                match op.delete(k).await {
                    Ok(()) => done.push(k.clone()),
                    Err(e) => {
                        return (
                            done,
                            Some(format!("deleting {k}: {}", self.describe_err(&e))),
                        );
                    }
                }
            }
            (done, None)
        })
    }

    pub(crate) fn describe_err(&self, e: &opendal::Error) -> String {
        describe_error(&self.target, e)
    }

    /// A store failure as an error that keeps its class, so a front end can tell "unreachable"
    /// from "credentials" without reading the text.
    pub(crate) fn store_err(&self, e: &opendal::Error) -> Error {
        Error::Remote {
            class: classify(e),
            message: self.describe_err(e),
        }
    }

    /// Tells apart: unreachable, TLS error, bad credentials, missing bucket or folder, read-only, OK.
    pub fn test(&self) -> TestReport {
        self.rt.block_on(async {
            let fail = |e: &opendal::Error| TestReport {
                status: classify(e).to_owned(),
                message: self.describe_err(e),
            };
            if let Err(e) = self.op.list("").await {
                return fail(&e);
            }
            let probe = format!(".shoebox-probe-{:08x}", fastrand::u32(..));
            if let Err(e) = self.op.write(&probe, b"probe".to_vec()).await {
                let mut r = fail(&e);
                // Listing worked, so the server and the credentials are fine for reading.
                if !matches!(r.status.as_str(), "unreachable" | "tls") {
                    r.status = "read_only".into();
                    r.message = format!(
                        "{} can be read but not written: {}",
                        self.target.describe(),
                        r.message
                    );
                }
                return r;
            }
            let back = self.op.read(&probe).await;
            let _ = self.op.delete(&probe).await;
            match back {
                Ok(b) if b.to_vec() == b"probe" => TestReport {
                    status: "ok".into(),
                    message: format!(
                        "{} works: listed, wrote, read back and deleted a probe",
                        self.target.describe()
                    ),
                },
                Ok(_) => TestReport {
                    status: "error".into(),
                    message: "the probe read back different bytes".into(),
                },
                Err(e) => fail(&e),
            }
        })
    }
}

/// `unreachable`, `tls`, `credentials`, `missing` or `error`.
pub fn classify(e: &opendal::Error) -> &'static str {
    // Display, not Debug: a captured backtrace (RUST_BACKTRACE) has line numbers that read as codes.
    let text = format!("{e}").to_ascii_lowercase();
    match e.kind() {
        opendal::ErrorKind::PermissionDenied => "credentials",
        opendal::ErrorKind::NotFound => "missing",
        _ if text.contains("certificate") || text.contains("tls") || text.contains("ssl") => "tls",
        _ if [
            "connection refused",
            "error sending request",
            "dns error",
            "tcp connect",
            "timed out",
            "no route to host",
            "connection reset",
        ]
        .iter()
        .any(|n| text.contains(n)) =>
        {
            "unreachable"
        }
        _ if text.contains("nosuchbucket") => "missing",
        // Status codes as whole words: the text also holds the endpoint, whose port may well
        // contain "403" (127.0.0.1:40371 once made a missing bucket look like bad credentials).
        _ if has_word(&text, "403")
            || text.contains("accessdenied")
            || text.contains("signaturedoesnotmatch")
            || text.contains("invalidaccesskeyid")
            || has_word(&text, "401") =>
        {
            "credentials"
        }
        _ => "error",
    }
}

fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == word)
}

/// A message a person can act on.
pub fn describe_error(t: &Target, e: &opendal::Error) -> String {
    let where_ = t.describe();
    match classify(e) {
        "credentials" => format!(
            "{where_}: access denied — check the access key and secret (or user and password), and that they may write here"
        ),
        "missing" if t.scheme == "s3" => format!(
            "{where_}: the bucket does not exist — create it first (Shoebox never creates buckets)"
        ),
        "missing" => format!("{where_}: not found — check the path"),
        "tls" => format!(
            "{where_}: TLS error — check the certificate, or use http:// for a server without TLS"
        ),
        "unreachable" => {
            format!("cannot reach {where_} — is the server running and the address right? ({e})")
        }
        _ => format!("{where_}: {e}"),
    }
}

#[cfg(test)]
mod classify_tests {
    use super::*;

    #[test]
    fn a_port_with_403_in_it_is_not_a_403() {
        let e = opendal::Error::new(
            opendal::ErrorKind::Unexpected,
            "PUT http://127.0.0.1:40371/nope/probe: NoSuchBucket",
        );
        assert_eq!(classify(&e), "missing");
        let e = opendal::Error::new(
            opendal::ErrorKind::Unexpected,
            "PUT http://127.0.0.1:40371/photos/probe: status 403 Forbidden",
        );
        assert_eq!(classify(&e), "credentials");
        let e = opendal::Error::new(opendal::ErrorKind::Unexpected, "http://10.0.0.1:4011/x");
        assert_eq!(classify(&e), "error");
    }
}
