//! Library-relative paths of originals, and the names that go in them.

use crate::{Error, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// The longest name we give a file: room for ` (12345)` before 255 bytes, and short enough that a
/// library several folders deep stays under Windows' classic 260-character path limit.
pub const MAX_NAME_BYTES: usize = 160;

/// A path inside a library's `originals/` folder, with `/` separators.
///
/// Only [`RelPath::parse`] makes one, so a path read from a catalog (this device's, a restored
/// one or another device's) or a store key cannot name a file outside the library: no `..`,
/// no absolute path or drive letter, no backslash, no control character, no empty component,
/// nothing a Windows or macOS disk would read differently (`:` streams, reserved device names,
/// trailing dots and spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath(String);

impl RelPath {
    pub fn parse(s: &str) -> Result<RelPath> {
        let bad = |why: &'static str| Error::BadPath {
            path: s.chars().take(300).collect(),
            why,
        };
        if let Some(why) = key_problem(s) {
            return Err(bad(why));
        }
        let mut parts = s.split('/');
        if parts.next() != Some("originals") {
            return Err(bad("not under originals/"));
        }
        let mut n = 0;
        for part in parts {
            if let Some(why) = name_problem(part) {
                return Err(bad(why));
            }
            n += 1;
        }
        if n == 0 {
            return Err(bad("names no file"));
        }
        Ok(RelPath(s.to_owned()))
    }

    /// `s`, or where a component is a name some disk cannot hold as it is (`aux.jpg`, a
    /// trailing dot, `a:b.jpg`), each such component made safe ([`safe_name`]), with why. Paths
    /// that could lead elsewhere (`..`, absolute, backslashes) or are not under `originals/` are
    /// refused as by [`RelPath::parse`].
    pub fn portable(s: &str) -> Result<(RelPath, Option<&'static str>)> {
        let err = match RelPath::parse(s) {
            Ok(p) => return Ok((p, None)),
            Err(e) => e,
        };
        if key_problem(s).is_some() || !s.starts_with("originals/") {
            return Err(err);
        }
        let why = s.split('/').skip(1).find_map(name_problem);
        let safe: Vec<String> = s.split('/').skip(1).map(safe_name).collect();
        match RelPath::parse(&format!("originals/{}", safe.join("/"))) {
            Ok(p) => Ok((p, why)),
            Err(_) => Err(err),
        }
    }

    /// `originals/<folder>/<name>`; `folder` is `YYYY/MM` or similar.
    pub fn join(folder: &str, name: &str) -> Result<RelPath> {
        RelPath::parse(&format!("originals/{folder}/{name}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The last component.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// Everything before the last `/`.
    pub fn parent(&self) -> &str {
        self.0.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
    }

    /// The key two names share when a case-insensitive, normalising disk (APFS, NTFS) would take
    /// them for one file.
    pub fn fold_key(&self) -> String {
        fold_key(&self.0)
    }

    /// The absolute path under `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        self.0.split('/').fold(root.to_path_buf(), |p, c| p.join(c))
    }
}

#[cfg(feature = "sql")]
impl rusqlite::ToSql for RelPath {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RelPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Case-folded, NFC-normalised: `IMG_1.JPG`, `img_1.jpg` and `e\u{301}` vs `é` meet here.
pub fn fold_key(s: &str) -> String {
    s.nfc().flat_map(char::to_lowercase).collect()
}

/// Why `key` could lead outside a folder once used as a relative path, or `None`.
/// Checks the percent-decoded form too: some servers and clients decode keys.
pub fn key_problem(key: &str) -> Option<&'static str> {
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

/// Why `name` is not a file name every desktop file system keeps as it is, or `None`.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("an empty name");
    }
    if name == "." || name == ".." {
        return Some("a `..` or `.` component");
    }
    if name.len() > 255 {
        return Some("a name over 255 bytes");
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("a control character");
    }
    if name
        .chars()
        .any(|c| matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
    {
        return Some("a character Windows does not allow in names (/ \\ : * ? \" < > |)");
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("a trailing dot or space (Windows drops them)");
    }
    if is_reserved_on_windows(name) {
        return Some("a name Windows reserves for devices (CON, NUL, COM1, …)");
    }
    None
}

/// `CON`, `nul.txt`, `COM1.jpg`, `LPT9` …: Windows opens a device instead of a file.
pub fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    // Both prefixes are ASCII, so byte 3 is a character boundary.
    (upper.starts_with("COM") || upper.starts_with("LPT"))
        && matches!(
            &upper[3..],
            "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
        )
}

/// A file name that works on every desktop file system and in every store: NFC, no separators
/// or characters Windows refuses, no trailing dot or space, no reserved device name, at most
/// [`MAX_NAME_BYTES`] bytes (the extension kept).
pub fn safe_name(name: &str) -> String {
    let mut s: String = name
        .nfc()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    while s.ends_with('.') || s.ends_with(' ') {
        s.pop();
    }
    if s.is_empty() || s == "." || s == ".." {
        s = "unnamed".into();
    }
    if is_reserved_on_windows(&s) {
        s.insert(0, '_');
    }
    if s.len() > MAX_NAME_BYTES {
        let (stem, ext) = split_ext(&s);
        let mut max = MAX_NAME_BYTES - ext.len();
        while !stem.is_char_boundary(max) {
            max -= 1;
        }
        s = format!("{}{ext}", stem[..max].trim_end_matches(['.', ' ']));
    }
    s
}

/// `("IMG_1", ".JPG")`; a leading dot or an over-long "extension" is part of the stem.
pub fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 10 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused() {
        for p in [
            "",
            "../x",
            "originals/../x",
            "originals/2023/../../../etc/passwd",
            "/etc/passwd",
            "originals//x",
            "originals/./x",
            "originals/a\\..\\..\\x",
            "C:\\x",
            "C:x",
            "originals/%2e%2e/x",
            "originals/2023/07/a\0b",
            "originals/2023/07/a\nb",
            "originals",
            "originals/",
            "thumbs/ab/x.jpg",
            "originals/2023/07/file.jpg:evil",
            "originals/2023/07/CON",
            "originals/2023/07/nul.jpg",
            "originals/2023/07/com1.JPG",
            "originals/2023/07/x.jpg.",
            "originals/2023/07/x.jpg ",
        ] {
            assert!(RelPath::parse(p).is_err(), "{p:?}");
        }
        for p in [
            "originals/2023/07/IMG_1.JPG",
            "originals/2023/07/100% me.jpg",
            "originals/2023/07/été (2).jpg",
            "originals/2023/07/CONTRACT.jpg",
            "originals/2023/07/.hidden",
        ] {
            let r = RelPath::parse(p).unwrap();
            assert_eq!(r.as_str(), p);
        }
    }

    #[test]
    fn rel_paths_resolve_under_their_root() {
        let r = RelPath::parse("originals/2023/07/a.jpg").unwrap();
        assert_eq!(
            r.under(Path::new("/lib")),
            Path::new("/lib/originals/2023/07/a.jpg")
        );
        assert_eq!(r.file_name(), "a.jpg");
        assert_eq!(r.parent(), "originals/2023/07");
    }

    #[test]
    fn names_that_one_disk_takes_for_one_file_share_a_key() {
        assert_eq!(fold_key("IMG_1.JPG"), fold_key("img_1.jpg"));
        assert_eq!(
            fold_key("e\u{301}t\u{e9}.jpg"),
            fold_key("\u{e9}t\u{c9}.JPG")
        );
        assert_ne!(fold_key("img_1.jpg"), fold_key("img_2.jpg"));
    }

    #[test]
    fn names_are_made_portable() {
        assert_eq!(safe_name("a:b*c?.jpg"), "a_b_c_.jpg");
        assert_eq!(safe_name("..."), "unnamed");
        assert_eq!(safe_name("x\u{0}y.JPG"), "x_y.JPG");
        assert_eq!(safe_name("CON.jpg"), "_CON.jpg");
        assert_eq!(safe_name("nul"), "_nul");
        assert_eq!(safe_name("lpt9.png"), "_lpt9.png");
        assert_eq!(safe_name("COM¹.jpg"), "_COM¹.jpg");
        assert_eq!(safe_name("CONTRACT.jpg"), "CONTRACT.jpg");
        assert_eq!(safe_name("trailing. . "), "trailing");
        assert_eq!(safe_name("e\u{301}.jpg"), "\u{e9}.jpg");
        let long = format!("{}.jpeg", "é".repeat(200));
        let s = safe_name(&long);
        assert!(s.len() <= MAX_NAME_BYTES && s.ends_with(".jpeg"), "{s}");
        // Whatever goes in, what comes out is a valid name.
        for n in ["CON", "a:b", "x.", " ", "\u{7f}", &long, "aux.tar.gz"] {
            assert_eq!(name_problem(&safe_name(n)), None, "{n:?}");
        }
    }
}
