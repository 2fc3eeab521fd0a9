use std::path::PathBuf;

/// Errors of the catalog.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("catalog {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "catalog {path} has schema version {found}, newer than this Shoebox understands ({supported}); \
         update Shoebox to open it"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "catalog {path} is damaged ({detail}); it was left untouched. Keep a copy of it and rebuild \
         the catalog from the originals"
    )]
    Damaged { path: PathBuf, detail: String },
    #[error("catalog: {0}")]
    Query(#[from] rusqlite::Error),
    #[error("catalog settings: {0}")]
    Json(#[from] serde_json::Error),
    /// An edit with a value its field does not take.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// SQLite could not write because the disk (or a quota) is full.
    pub fn is_disk_full(&self) -> bool {
        let source = match self {
            Error::Sqlite { source, .. } | Error::Query(source) => source,
            _ => return false,
        };
        source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_by_its_sqlite_code() {
        let full = Error::Query(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        ));
        assert!(full.is_disk_full());
        let busy = Error::Query(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        ));
        assert!(!busy.is_disk_full());
    }
}
