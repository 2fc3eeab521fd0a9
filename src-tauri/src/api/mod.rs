//! The types that cross the IPC boundary. TypeScript declarations are generated from these
//! (see `bindings.rs`) into `ui/src/lib/bindings.ts`; a test fails when that file is stale.
//! One file per feature, as `commands/` is.

mod albums;
mod devices;
mod jobs;
mod people;
mod settings;
mod share;
mod targets;
mod timeline;

pub use albums::*;
pub use devices::*;
pub use jobs::*;
pub use people::*;
pub use settings::*;
pub use share::*;
pub use targets::*;
pub use timeline::*;

use serde::Serialize;
use shoebox_engine as engine;
use ts_rs::TS;

/// What kind of failure a command met, so the UI can tell "store unreachable" from
/// "credentials" from "disk full" without reading the text: the engine's own.
pub use engine::ErrorKind;

/// Every command's error: a kind to act on and a sentence a person can read.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn other(message: impl std::fmt::Display) -> Self {
        AppError {
            kind: ErrorKind::Other,
            message: message.to_string(),
        }
    }
    pub fn busy(message: impl Into<String>) -> Self {
        AppError {
            kind: ErrorKind::Busy,
            message: message.into(),
        }
    }
}

impl From<engine::Error> for AppError {
    fn from(e: engine::Error) -> Self {
        let kind = e.kind();
        AppError {
            kind,
            message: e.to_string(),
        }
    }
}
