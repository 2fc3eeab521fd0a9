//! Library settings: a versioned JSON document in the catalog, validated once on load.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Settings of one library. Unknown fields are ignored and missing ones take their defaults, so
/// older and newer Shoeboxes can share a library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    /// Lower-case extensions without the dot.
    pub allowed_extensions: Vec<String>,
    /// Files larger than this (bytes) are skipped on import.
    pub max_file_size: u64,
    /// Longest edge of grid thumbnails, pixels.
    pub grid_size: u32,
    /// Longest edge of viewer previews, pixels.
    pub preview_size: u32,
    /// Folders imported from automatically while `shoebox watch run` (or the app) runs.
    pub watch_folders: Vec<WatchFolderSetting>,
    /// How long a watched file must stay unchanged before it is imported, milliseconds.
    pub watch_quiet_ms: u64,
    /// Most bytes of originals fetched from stores kept in `.shoebox/cache/`; the least recently
    /// used go first.
    pub cache_max_size: u64,
    /// Days a photo deleted for good must stay deleted before `prune` removes its bytes from
    /// a store that other devices share (0: as soon as every device has seen the deletion and
    /// let go). A store with this device alone has no grace period.
    pub prune_grace_days: u64,
    /// How often `shoebox watch run` (the service) and the app back up and sync to each target
    /// that has been backed up once by hand: `30m`, `1h`, `1d`, or `off`. New photos are also
    /// backed up a few minutes after an import settles.
    pub backup_every: String,
    /// How often the same runs a routine verify (sizes of all, 5% read back): `7d`, or `off`.
    pub verify_every: String,
    /// How often every object on the store is read back and hashed: `30d`, or `off`.
    pub deep_verify_every: String,
}

/// One watch folder, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchFolderSetting {
    pub path: String,
    /// Poll the folder instead of relying on file system events (network shares).
    #[serde(default)]
    pub poll: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: 3,
            allowed_extensions: shoebox_media::DEFAULT_EXTENSIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            max_file_size: 20 << 30,
            grid_size: 320,
            preview_size: 1440,
            watch_folders: Vec::new(),
            watch_quiet_ms: 3000,
            cache_max_size: 10 << 30,
            prune_grace_days: 7,
            backup_every: "1h".into(),
            verify_every: "7d".into(),
            deep_verify_every: "30d".into(),
        }
    }
}

/// The library's stored settings (the defaults when none were saved), checked.
pub(crate) fn stored(catalog: &shoebox_catalog::Catalog) -> Result<Settings> {
    match catalog.setting(Settings::KEY)? {
        Some(json) => serde_json::from_str::<Settings>(&json)
            .map_err(|e| Error::Setting(format!("stored settings are unreadable: {e}")))?
            .validated(),
        None => Ok(Settings::default()),
    }
}

impl Settings {
    pub(crate) const KEY: &'static str = "library";

    /// Checks and normalises; the one place invalid values are turned away.
    pub fn validated(mut self) -> Result<Self> {
        if self.version < 2 {
            // Version 2 reads more video containers: a library that allowed every format of
            // version 1 allows them too; a list narrowed on purpose stays as it was.
            let all_old = shoebox_media::DEFAULT_EXTENSIONS
                .iter()
                .filter(|e| !shoebox_media::ADDED_EXTENSIONS.contains(e))
                .all(|e| self.allowed_extensions.iter().any(|a| a == e));
            if all_old {
                self.allowed_extensions.extend(
                    shoebox_media::ADDED_EXTENSIONS
                        .iter()
                        .map(|e| e.to_string()),
                );
            }
            self.version = 2;
        }
        if self.version < 3 {
            // Version 3 reads Pixel Motion Photos saved as `.MP`: added like the above.
            const ADDED_IN_3: &[&str] = &["mp"];
            let all_v2 = shoebox_media::DEFAULT_EXTENSIONS
                .iter()
                .filter(|e| !ADDED_IN_3.contains(e))
                .all(|e| self.allowed_extensions.iter().any(|a| a == e));
            if all_v2 {
                self.allowed_extensions
                    .extend(ADDED_IN_3.iter().map(|e| e.to_string()));
            }
            self.version = 3;
        }
        self.allowed_extensions = self
            .allowed_extensions
            .iter()
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        self.allowed_extensions.sort();
        self.allowed_extensions.dedup();
        if let Some(bad) = self
            .allowed_extensions
            .iter()
            .find(|e| shoebox_media::format_for_extension(e).is_none())
        {
            return Err(Error::Setting(format!(
                "Shoebox cannot read .{bad} files; known: {}",
                shoebox_media::DEFAULT_EXTENSIONS.join(", ")
            )));
        }
        if self.allowed_extensions.is_empty() {
            return Err(Error::Setting(
                "allowed_extensions is empty; nothing could be imported".into(),
            ));
        }
        if self.max_file_size == 0 {
            return Err(Error::Setting("max_file_size must be more than 0".into()));
        }
        if !(64..=4096).contains(&self.grid_size) || !(256..=8192).contains(&self.preview_size) {
            return Err(Error::Setting(
                "grid_size must be 64–4096 and preview_size 256–8192 pixels".into(),
            ));
        }
        if self.prune_grace_days > 3650 {
            return Err(Error::Setting("prune_grace_days must be 0–3650".into()));
        }
        if self.cache_max_size == 0 {
            return Err(Error::Setting(
                "cache_max_size must be more than 0 (e.g. 20G)".into(),
            ));
        }
        for (key, v) in [
            ("backup_every", &mut self.backup_every),
            ("verify_every", &mut self.verify_every),
            ("deep_verify_every", &mut self.deep_verify_every),
        ] {
            let every = parse_every(v).ok_or_else(|| {
                Error::Setting(format!(
                    "{key}: {v:?} is not a period; use e.g. 30m, 1h, 12h, 7d or off"
                ))
            })?;
            *v = show_every(every);
        }
        if !(100..=3_600_000).contains(&self.watch_quiet_ms) {
            return Err(Error::Setting("watch_quiet_ms must be 100–3600000".into()));
        }
        Ok(self)
    }

    /// Sets one field from text, as `shoebox settings set KEY VALUE` does.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let num = |v: &str| {
            parse_size(v).ok_or_else(|| Error::Setting(format!("{key}: {v:?} is not a number")))
        };
        match key {
            "allowed_extensions" => {
                self.allowed_extensions = value.split(',').map(|s| s.to_owned()).collect()
            }
            "max_file_size" => self.max_file_size = num(value)?,
            "grid_size" => self.grid_size = num(value)? as u32,
            "preview_size" => self.preview_size = num(value)? as u32,
            "watch_quiet_ms" => self.watch_quiet_ms = num(value)?,
            "cache_max_size" => self.cache_max_size = num(value)?,
            "prune_grace_days" => {
                self.prune_grace_days = value.trim().parse().map_err(|_| {
                    Error::Setting(format!("{key}: {value:?} is not a number of days"))
                })?
            }
            "backup_every" => self.backup_every = value.trim().to_owned(),
            "verify_every" => self.verify_every = value.trim().to_owned(),
            "deep_verify_every" => self.deep_verify_every = value.trim().to_owned(),
            _ => {
                return Err(Error::Setting(format!(
                    "unknown setting {key:?}; known: allowed_extensions, max_file_size, grid_size, preview_size, watch_quiet_ms, cache_max_size, prune_grace_days, backup_every, verify_every, deep_verify_every"
                )));
            }
        }
        Ok(())
    }
}

/// A period as the schedule settings write it: `90s`, `30m`, `1h`, `7d`, `2w`, or `off` (`None`
/// inside). Zero is `off`. Outer `None`: not a period.
pub fn parse_every(v: &str) -> Option<Option<std::time::Duration>> {
    let v = v.trim().to_ascii_lowercase();
    if matches!(v.as_str(), "off" | "never" | "0") {
        return Some(None);
    }
    let split = v.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = v.split_at(split);
    let n: u64 = num.parse().ok()?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    let total = n.checked_mul(secs)?;
    // Ten years is "never" written long-hand; more than that is a typo.
    if total > 3650 * 86_400 {
        return None;
    }
    Some((total > 0).then(|| std::time::Duration::from_secs(total)))
}

/// The shortest text [`parse_every`] reads back as `every`.
pub fn show_every(every: Option<std::time::Duration>) -> String {
    let Some(d) = every else {
        return "off".into();
    };
    let s = d.as_secs();
    for (unit, n) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if s % n == 0 {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

/// `123`, `10K`, `20M`, `4G` (powers of 1024).
fn parse_size(v: &str) -> Option<u64> {
    let v = v.trim();
    let (num, mult) = match v.char_indices().last()? {
        (i, 'k' | 'K') => (&v[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&v[..i], 1 << 20),
        (i, 'g' | 'G') => (&v[..i], 1 << 30),
        _ => (v, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn set_validates_and_normalises() {
        let mut s = Settings::default();
        s.set("allowed_extensions", ".JPG, png").unwrap();
        s.set("max_file_size", "2G").unwrap();
        let s = s.validated().unwrap();
        assert_eq!(s.allowed_extensions, vec!["jpg", "png"]);
        assert_eq!(s.max_file_size, 2 << 30);
        let mut bad = Settings::default();
        bad.set("allowed_extensions", "exe").unwrap();
        assert!(bad.validated().is_err());
        assert!(Settings::default().set("colour", "red").is_err());
    }

    #[test]
    fn schedule_periods_are_read_and_written_back_the_same() {
        let mut s = Settings::default();
        s.set("backup_every", "90m").unwrap();
        s.set("verify_every", "OFF").unwrap();
        s.set("deep_verify_every", "4w").unwrap();
        let s = s.validated().unwrap();
        assert_eq!(
            (s.backup_every.as_str(), s.verify_every.as_str()),
            ("90m", "off")
        );
        assert_eq!(s.deep_verify_every, "28d");
        assert_eq!(parse_every("120m"), Some(Some(Duration::from_secs(7200))));
        assert_eq!(show_every(parse_every("120m").unwrap()), "2h");
        assert_eq!(parse_every("0"), Some(None));
        for bad in ["", "h", "1y", "-1h", "1.5h", "99999d"] {
            assert_eq!(parse_every(bad), None, "{bad:?}");
            let mut s = Settings::default();
            s.set("backup_every", bad).unwrap();
            let err = s.validated().unwrap_err().to_string();
            assert!(err.contains("backup_every") && err.contains("30m"), "{err}");
        }
    }

    #[test]
    fn version_1_settings_gain_the_new_video_formats_unless_narrowed() {
        let old: Vec<String> = shoebox_media::DEFAULT_EXTENSIONS
            .iter()
            .filter(|e| !shoebox_media::ADDED_EXTENSIONS.contains(e))
            .map(|e| e.to_string())
            .collect();
        let v1 = Settings {
            version: 1,
            allowed_extensions: old.clone(),
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(v1.version, 3);
        assert!(v1.allowed_extensions.iter().any(|e| e == "webm"));
        assert!(v1.allowed_extensions.iter().any(|e| e == "mp"));
        // A library of version 2 with every format of its time gains .MP; a narrowed one not.
        let v2_all: Vec<String> = shoebox_media::DEFAULT_EXTENSIONS
            .iter()
            .filter(|e| **e != "mp")
            .map(|e| e.to_string())
            .collect();
        let v2 = Settings {
            version: 2,
            allowed_extensions: v2_all,
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert!(v2.allowed_extensions.iter().any(|e| e == "mp"));
        let v2_narrow = Settings {
            version: 2,
            allowed_extensions: vec!["jpg".into()],
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(v2_narrow.allowed_extensions, vec!["jpg"]);
        let narrowed = Settings {
            version: 1,
            allowed_extensions: vec!["jpg".into(), "png".into()],
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(narrowed.allowed_extensions, vec!["jpg", "png"]);
    }
}
