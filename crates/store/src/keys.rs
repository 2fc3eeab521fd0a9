//! Keys read back from a store are untrusted: they are checked before they name a local file.

use std::path::{Component, Path, PathBuf};

/// Why a key cannot name a file inside the restore folder, or `None` when it can.
pub fn unsafe_key_reason(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return Some("empty key");
    }
    if key.contains('\0') {
        return Some("contains a NUL byte");
    }
    if key.contains('\\') {
        return Some("contains a backslash");
    }
    if key.starts_with('/') {
        return Some("absolute path");
    }
    if key.len() >= 2 && key.as_bytes()[1] == b':' {
        return Some("drive letter");
    }
    let decoded = percent_decode(key);
    for part in key.split('/').chain(decoded.split('/')) {
        if part == ".." || part == "." {
            return Some("a `..` or `.` component");
        }
        if part.is_empty() {
            return Some("an empty component");
        }
    }
    if decoded.contains('\\') || decoded.contains('\0') {
        return Some("an encoded backslash or NUL");
    }
    if key.chars().any(|c| c.is_control()) {
        return Some("a control character");
    }
    None
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
