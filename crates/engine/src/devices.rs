//! This library as a device of a shared library: its id (bound to the computer and the
//! folder), the edits it records for the others, the devices it has heard of, retiring one.

use crate::{Error, Library, Result};
use shoebox_layout::Hash;
const DEVICE_KEY: &str = "device_id";

/// The library folder the device id belongs to.
const DEVICE_BOUND_KEY: &str = "device_bound_to";

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

pub(crate) fn host_name() -> Option<String> {
    std::env::var("SHOEBOX_DEVICE_NAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Library {
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

    /// Records edits made here for the other devices (see [`Self::sync`]).
    pub(crate) fn record<T: AsRef<str>>(
        &mut self,
        field: &str,
        targets: &[T],
        value: serde_json::Value,
    ) -> Result<()> {
        let dev = self.device_id()?;
        let targets: Vec<String> = targets.iter().map(|t| t.as_ref().to_owned()).collect();
        self.catalog
            .record_edit(&dev, self.now_ms(), field, &targets, &value)?;
        Ok(())
    }

    /// This device's id and the other devices of the library it has heard of.
    pub fn devices(&self) -> Result<(String, Vec<shoebox_catalog::Peer>)> {
        Ok((self.device_id()?, self.catalog.peers()?))
    }

    /// The device (its name when known) that put a photo in the trash, when it was not this
    /// one.
    pub fn trashed_elsewhere(&self, hash: &Hash) -> Result<Option<String>> {
        let me = self.device_id()?;
        let Some(by) = self.catalog.field_set_by(hash, "trashed")? else {
            return Ok(None);
        };
        if by == me {
            return Ok(None);
        }
        Ok(Some(
            self.catalog
                .peers()?
                .into_iter()
                .find(|p| p.device == by)
                .and_then(|p| p.name)
                .unwrap_or(by),
        ))
    }

    /// Retires another device that will never come back (by id, or by the name `devices`
    /// shows): every device learns it at its next sync, and prune no longer keeps what only
    /// that device relied on.
    pub fn retire(&mut self, who: &str) -> Result<String> {
        let me = self.device_id()?;
        let peers = self.catalog.peers()?;
        let id = peers
            .iter()
            .find(|p| p.device == who || p.name.as_deref() == Some(who))
            .map(|p| p.device.clone())
            .or_else(|| shoebox_store::is_device_id(who).then(|| who.to_owned()))
            .ok_or_else(|| {
                Error::NotFound(format!("{who}: no such device (see `shoebox devices`)"))
            })?;
        if id == me {
            return Err(Error::Setting(
                "this is the device itself; retire it from another one".into(),
            ));
        }
        self.record(
            "retired",
            &[format!("device:{id}")],
            serde_json::json!(true),
        )?;
        Ok(id)
    }

    /// Devices retired by any device of the library.
    pub fn retired_devices(&self) -> Result<Vec<String>> {
        Ok(self.catalog.retired_devices()?)
    }
}
