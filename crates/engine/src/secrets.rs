//! Target secrets: never in the catalog, settings, logs or JSON output.
//!
//! Looked up in the environment (`SHOEBOX_SECRET_<TARGET>_<KEY>`), then in the OS keychain (macOS
//! Keychain, Windows Credential Manager, the Secret Service on Linux), then in a secrets file
//! readable by the user alone (mode 0600, `<config dir>/shoebox/secrets.json`). Saving goes to the
//! keychain when there is one, else to the file. Setting `SHOEBOX_SECRETS_FILE` chooses the file
//! and skips the keychain (headless machines, tests). The CLI says where each secret came from.

use crate::{Error, Result, io};
use std::collections::BTreeMap;
use std::path::PathBuf;

type Book = BTreeMap<String, BTreeMap<String, String>>;

pub(crate) fn env_name(target: &str, key: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    format!("SHOEBOX_SECRET_{}_{}", clean(target), clean(key))
}

pub(crate) fn file() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("SHOEBOX_SECRETS_FILE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::config_dir()
        .map(|d| d.join("shoebox").join("secrets.json"))
        .ok_or_else(|| {
            Error::Setting("no config folder for the secrets file; set SHOEBOX_SECRETS_FILE".into())
        })
}

fn read_book() -> Result<Book> {
    let f = file()?;
    match std::fs::read(&f) {
        Ok(b) => serde_json::from_slice(&b)
            .map_err(|e| Error::Setting(format!("{} is unreadable: {e}", f.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Book::new()),
        Err(e) => Err(io(f)(e)),
    }
}

fn write_book(book: &Book) -> Result<PathBuf> {
    let f = file()?;
    if let Some(d) = f.parent() {
        std::fs::create_dir_all(d).map_err(io(d))?;
    }
    let tmp = f.with_extension("json.tmp");
    let body = serde_json::to_vec_pretty(book).map_err(|e| Error::Setting(e.to_string()))?;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    {
        use std::io::Write;
        let mut h = o.open(&tmp).map_err(io(&tmp))?;
        h.write_all(&body).map_err(io(&tmp))?;
        h.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, &f).map_err(io(&f))?;
    Ok(f)
}

const SERVICE: &str = "shoebox";

fn keychain_wanted() -> bool {
    std::env::var_os("SHOEBOX_SECRETS_FILE").is_none_or(|p| p.is_empty())
}

fn keychain_get(scope: &str) -> Option<BTreeMap<String, String>> {
    if !keychain_wanted() {
        return None;
    }
    let json = keyring::Entry::new(SERVICE, scope)
        .ok()?
        .get_password()
        .ok()?;
    serde_json::from_str(&json).ok()
}

/// Saves a target's secrets; returns where they went.
pub(crate) fn save(scope: &str, secrets: &BTreeMap<String, String>) -> Result<String> {
    let mut why_not = "SHOEBOX_SECRETS_FILE is set".to_owned();
    if keychain_wanted() {
        let json = serde_json::to_string(secrets).map_err(|e| Error::Setting(e.to_string()))?;
        match keyring::Entry::new(SERVICE, scope).and_then(|e| e.set_password(&json)) {
            Ok(()) => return Ok("the OS keychain".into()),
            Err(e) => why_not = format!("no OS keychain here: {e}"),
        }
    }
    let mut book = read_book()?;
    book.insert(scope.to_owned(), secrets.clone());
    let f = write_book(&book)?;
    Ok(format!(
        "the secrets file {} (mode 0600; {why_not})",
        f.display()
    ))
}

pub(crate) fn forget(scope: &str) -> Result<()> {
    if keychain_wanted()
        && let Ok(e) = keyring::Entry::new(SERVICE, scope)
    {
        let _ = e.delete_credential();
    }
    let mut book = read_book()?;
    if book.remove(scope).is_some() {
        write_book(&book)?;
    }
    Ok(())
}

/// Where secret `k` of `scope` is kept: the keychain's copy (`true`) before the secrets file's.
fn stored<'a>(
    chain: Option<&'a BTreeMap<String, String>>,
    book: &'a Book,
    scope: &str,
    k: &str,
) -> Option<(&'a String, bool)> {
    chain
        .and_then(|m| m.get(k))
        .map(|v| (v, true))
        .or_else(|| book.get(scope).and_then(|m| m.get(k)).map(|v| (v, false)))
}

/// The secrets named `keys` that are stored for `scope`, leaving out those that are not: for
/// secrets only some targets have (a password change under way).
pub(crate) fn load_present(scope: &str, keys: &[&str]) -> Result<BTreeMap<String, String>> {
    let book = read_book()?;
    let chain = keychain_get(scope);
    Ok(keys
        .iter()
        .filter_map(|k| {
            stored(chain.as_ref(), &book, scope, k).map(|(v, _)| ((*k).to_owned(), v.clone()))
        })
        .collect())
}

/// A target's secrets, and where each came from.
pub(crate) fn load(
    scope: &str,
    target: &str,
    keys: &[String],
) -> Result<(BTreeMap<String, String>, Vec<String>)> {
    let book = read_book()?;
    let chain = if keys.is_empty() {
        None
    } else {
        keychain_get(scope)
    };
    let mut out = BTreeMap::new();
    let mut from = Vec::new();
    for k in keys {
        let env = env_name(target, k);
        if let Some(v) = std::env::var_os(&env) {
            out.insert(k.clone(), v.to_string_lossy().into_owned());
            from.push(format!("{k} from ${env}"));
        } else if let Some((v, in_keychain)) = stored(chain.as_ref(), &book, scope, k) {
            out.insert(k.clone(), v.clone());
            from.push(if in_keychain {
                format!("{k} from the OS keychain")
            } else {
                format!("{k} from {}", file()?.display())
            });
        } else {
            return Err(Error::Setting(format!(
                "target {target}: secret {k} is missing; set ${env} or add the target again with --secret {k}=…"
            )));
        }
    }
    Ok((out, from))
}
