//! Albums, and keeping one on this computer.

use super::*;
use serde::Serialize;
use shoebox_engine as engine;
use ts_rs::TS;

/// An album as the sidebar lists it: the engine's own.
pub use engine::Album;

/// What keeping an album on this computer would bring here: its originals that are on the
/// store only.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AlbumSpace {
    pub originals: u32,
    pub bytes: f64,
}

/// What keeping an album on this computer fetched.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PinResult {
    pub fetched: u32,
    pub bytes: f64,
    /// Originals that could not be fetched now (the store offline…); tried again at each sync.
    pub failed: Vec<FileProblem>,
}
