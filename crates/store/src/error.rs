use std::path::PathBuf;

/// Errors that stop a store job as a whole. Per-object problems go into the job's report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{0}")]
    Store(String),
    /// The store answered with (or could not be reached for) a failure of a known class:
    /// `credentials`, `missing`, `tls`, `unreachable`, `busy` (another device is changing an
    /// encrypted store's password) or `other` (see `classify`).
    #[error("{message}")]
    Remote {
        class: &'static str,
        message: String,
    },
    #[error("target {target}: {message}")]
    Config { target: String, message: String },
    #[error(
        "the store says it is format {found}, newer than this Shoebox understands ({supported}); \
         update Shoebox to use it"
    )]
    TooNew { found: u64, supported: u64 },
    #[error("the store has no catalog snapshot (catalogs/*/latest.json); nothing to restore")]
    NoSnapshot,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Catalog(#[from] shoebox_catalog::Error),
    #[error(transparent)]
    Layout(#[from] shoebox_layout::Error),
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
