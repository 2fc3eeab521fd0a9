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
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
