use std::path::PathBuf;

/// Errors of the engine, each with a message a person can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Catalog(#[from] shoebox_catalog::Error),
    #[error(transparent)]
    Import(#[from] shoebox_import::Error),
    #[error(transparent)]
    Layout(#[from] shoebox_layout::Error),
    /// A store could not be opened or a store job failed as a whole.
    #[error(transparent)]
    Store(#[from] shoebox_store::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no asset matches {0:?}; give a hash (or its first characters) or a path like originals/2023/07/IMG_0042.JPG"
    )]
    NotFound(String),
    #[error("{0:?} matches {1} assets; give more characters of the hash")]
    Ambiguous(String, usize),
    #[error("invalid setting: {0}")]
    Setting(String),
    #[error(
        "an import, backup or restore is writing to this library right now; this waits for it \
         to finish: try again when it has"
    )]
    Busy,
    #[error("cannot find a default library folder; pass --library DIR or set SHOEBOX_LIBRARY")]
    NoDefaultLibrary,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
