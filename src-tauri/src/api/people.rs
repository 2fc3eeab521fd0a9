//! People in the photos: the engine's own person and face, and the background scan's word.

use serde::Serialize;
use shoebox_engine as engine;
use ts_rs::TS;

/// A face found in a photo, in fractions of its preview.
pub use engine::FaceRow;
/// A person of the People page.
pub use engine::Person;

/// The background face scan's progress, sent as `faces` events.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct FacesEvent {
    pub running: bool,
    pub done: u32,
    pub total: u32,
    /// Faces found so far in this scan.
    pub faces: u32,
    /// Why faces are off (the models are missing or not the expected files), when they are.
    pub off: Option<String>,
    /// A failure of the scan, told once.
    pub error: Option<String>,
}
