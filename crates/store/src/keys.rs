//! Keys read back from a store are untrusted: they are checked before they name a local file.

use std::path::{Component, Path, PathBuf};

/// Why a key cannot name a file inside the restore folder, or `None` when it can.
pub fn unsafe_key_reason(key: &str) -> Option<&'static str> {
    shoebox_layout::key_problem(key)
}

/// `root/key`, or why not. Also refuses when any existing folder on the way is a symlink, so a
/// planted link cannot lead a write outside `root`.
pub fn local_path_for(root: &Path, key: &str) -> Result<PathBuf, String> {
    if let Some(r) = unsafe_key_reason(key) {
        return Err(format!("unsafe key {key:?}: {r}; skipped"));
    }
    let parts: Vec<&str> = key.split('/').collect();
    let mut p = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        if !matches!(
            Path::new(part).components().next(),
            Some(Component::Normal(_))
        ) {
            return Err(format!("unsafe key {key:?}; skipped"));
        }
        p.push(part);
        let is_folder = i + 1 < parts.len();
        if is_folder
            && let Ok(m) = std::fs::symlink_metadata(&p)
            && !m.is_dir()
        {
            return Err(format!(
                "{} is a symlink or a file, not a folder; {key:?} skipped",
                p.display()
            ));
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_keys_are_refused() {
        for k in [
            "../x",
            "a/../../x",
            "/abs",
            "..\\x",
            "C:\\x",
            "C:x",
            "%2e%2e/x",
            "a\0b",
            "a//b",
            "./a",
            "",
        ] {
            assert!(unsafe_key_reason(k).is_some(), "{k:?}");
        }
        for k in [
            "originals/2023/07/IMG_1.JPG",
            "originals/2023/07/100% me.jpg",
            "thumbs/ab/ab-320.jpg",
        ] {
            assert!(unsafe_key_reason(k).is_none(), "{k:?}");
        }
    }
}
