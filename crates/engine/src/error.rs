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
    /// A picture could not be decoded or written (an export's JPEG).
    #[error(transparent)]
    Media(#[from] shoebox_media::Error),
    /// An original no longer matches its hash: it is not used.
    #[error("{0} does not match its hash any more (run `shoebox check`); it was not used")]
    Damaged(String),
    /// Stopped on request (the viewer moved on); nothing was left half-done.
    #[error("stopped before it finished; nothing was changed")]
    Cancelled,
    /// The face models are missing or not the expected files: faces are off, all else works.
    #[error("faces are off: {0}")]
    FacesOff(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

/// What kind of failure an [`Error`] is, for a front end to act on (offer "Retry", point at
/// the credentials, suggest freeing space) without reading the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The store cannot be reached (server down, no network, TLS).
    StoreUnreachable,
    /// The store refused the credentials.
    Credentials,
    /// The bucket or folder does not exist.
    StoreMissing,
    /// The library's disk (or the store) is full.
    DiskFull,
    /// No permission to read or write a local file.
    Permission,
    /// Another job is writing to the library.
    Busy,
    /// No such photo, album or target.
    NotFound,
    /// A setting or argument that cannot be used.
    Invalid,
    /// The catalog is damaged.
    Damaged,
    /// A store or catalog newer than this Shoebox.
    TooNew,
    /// Stopped on request.
    Cancelled,
    Other,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        use shoebox_store::Error as S;
        fn io_kind(e: &std::io::Error) -> ErrorKind {
            match e.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                    ErrorKind::DiskFull
                }
                std::io::ErrorKind::PermissionDenied => ErrorKind::Permission,
                _ => ErrorKind::Other,
            }
        }
        fn catalog_kind(e: &shoebox_catalog::Error) -> ErrorKind {
            match e {
                shoebox_catalog::Error::Damaged { .. } => ErrorKind::Damaged,
                shoebox_catalog::Error::TooNew { .. } => ErrorKind::TooNew,
                other if other.is_disk_full() => ErrorKind::DiskFull,
                _ => ErrorKind::Other,
            }
        }
        match self {
            Error::Io { source, .. } => io_kind(source),
            Error::Import(shoebox_import::Error::Io { source, .. }) => io_kind(source),
            Error::Import(shoebox_import::Error::Catalog(c)) | Error::Catalog(c) => catalog_kind(c),
            Error::Store(S::Remote { class, .. }) => match *class {
                "credentials" => ErrorKind::Credentials,
                "missing" => ErrorKind::StoreMissing,
                "unreachable" | "tls" => ErrorKind::StoreUnreachable,
                // Another device is changing the store's password: try again later.
                "busy" => ErrorKind::Busy,
                _ => ErrorKind::Other,
            },
            Error::Store(S::Io { source, .. }) => io_kind(source),
            Error::Store(S::Catalog(c)) => catalog_kind(c),
            Error::Store(S::TooNew { .. }) => ErrorKind::TooNew,
            Error::Store(S::Config { .. }) => ErrorKind::Invalid,
            Error::Busy => ErrorKind::Busy,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::NotFound(_) | Error::Ambiguous(..) => ErrorKind::NotFound,
            Error::Setting(_) | Error::NoDefaultLibrary | Error::Layout(_) | Error::FacesOff(_) => {
                ErrorKind::Invalid
            }
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_tell_failures_apart() {
        // What the OS answers for a full disk and a refused file: ENOSPC and EACCES, or on
        // Windows ERROR_DISK_FULL and ERROR_ACCESS_DENIED.
        let (disk_full, access_denied) = if cfg!(windows) { (112, 5) } else { (28, 13) };
        let full = Error::Io {
            path: "/x".into(),
            source: std::io::Error::from_raw_os_error(disk_full),
        };
        assert_eq!(full.kind(), ErrorKind::DiskFull);
        let denied = Error::Io {
            path: "/x".into(),
            source: std::io::Error::from_raw_os_error(access_denied),
        };
        assert_eq!(denied.kind(), ErrorKind::Permission);
        let down = Error::Store(shoebox_store::Error::Remote {
            class: "unreachable",
            message: "cannot reach".into(),
        });
        assert_eq!(down.kind(), ErrorKind::StoreUnreachable);
        let creds = Error::Store(shoebox_store::Error::Remote {
            class: "credentials",
            message: "access denied".into(),
        });
        assert_eq!(creds.kind(), ErrorKind::Credentials);
        assert_eq!(Error::Busy.kind(), ErrorKind::Busy);
    }
}
