use std::path::PathBuf;

/// Errors that stop an import as a whole. Per-file problems go into the report instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    #[error("could not start the import workers: {0}")]
    Pool(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
