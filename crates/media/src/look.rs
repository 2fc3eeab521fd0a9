//! How a photo looks: perceptual hashes of its grid thumbnail that stay close (in bits that
//! differ) for copies of one photo that were resized, re-encoded, lightly cropped or brightened,
//! and far apart for different photos, even of the same kind of scene.
//!
//! Two hashes: a 64-bit one (the mean of an 8×8 DCT) that finds candidates quickly through an
//! index, and a 256-bit one (the median of a 16×16 DCT) that decides. In the calibration run
//! that chose them (48 generated scenes, 12 of each kind of `tests/src/lib.rs`'s `scene`, at
//! 1200×900, each with the four copies of `near_copies`, thumbnails made by `image`'s resize),
//! copies differed by at most 4 of 64 and 48 of 256 bits; different scenes of one kind came as
//! close as 0 of 64 bits, so a plain 64-bit hash could not tell them from copies, but never
//! closer than 70 of 256.

use image_hasher::{HashAlg, Hasher, HasherConfig};
use std::sync::OnceLock;

/// Near-duplicates differ by at most this many of the 64 bits of [`Look::coarse`].
pub const COARSE_NEAR: u32 = 8;
/// … and at most this many of the 256 bits of [`Look::fine`].
pub const FINE_NEAR: u32 = 58;

/// A photo's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub coarse: u64,
    pub fine: [u8; 32],
}

impl Look {
    /// Bits that differ in the fine hash: 0 (the same picture) to 256.
    pub fn distance(&self, other: &Look) -> u32 {
        self.fine
            .iter()
            .zip(other.fine.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// Whether two looks are of copies of one photo (or shots a moment apart).
    pub fn is_near(&self, other: &Look) -> bool {
        (self.coarse ^ other.coarse).count_ones() <= COARSE_NEAR
            && self.distance(other) <= FINE_NEAR
    }
}

/// The coarse and the fine hasher.
type Hashers = (Hasher<[u8; 8]>, Hasher<[u8; 32]>);

fn hashers() -> &'static Hashers {
    static H: OnceLock<Hashers> = OnceLock::new();
    H.get_or_init(|| {
        (
            HasherConfig::with_bytes_type::<[u8; 8]>()
                .hash_size(8, 8)
                .hash_alg(HashAlg::Mean)
                .preproc_dct()
                .to_hasher(),
            HasherConfig::with_bytes_type::<[u8; 32]>()
                .hash_size(16, 16)
                .hash_alg(HashAlg::Median)
                .preproc_dct()
                .to_hasher(),
        )
    })
}

/// The look of an encoded image (a thumbnail), or `None` when it cannot be decoded.
pub fn look_of(encoded: &[u8]) -> Option<Look> {
    let img = image::load_from_memory(encoded).ok()?;
    Some(look_of_image(&img))
}

/// The look of a decoded image.
pub fn look_of_image(img: &image::DynamicImage) -> Look {
    let (c, f) = hashers();
    Look {
        coarse: u64::from_be_bytes(c.hash_image(img).into_inner()),
        fine: f.hash_image(img).into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(seed: u32) -> image::DynamicImage {
        image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(320, 240, |x, y| {
            let v = ((x * seed + y * (seed % 7 + 1)) % 251) as u8;
            image::Rgb([v, v / 2, 255 - v])
        }))
    }

    #[test]
    fn a_picture_is_near_itself_and_far_from_another() {
        let a = look_of_image(&picture(3));
        assert_eq!(a.distance(&a), 0);
        assert!(a.is_near(&a));
        let b = look_of_image(&picture(11));
        assert!(!a.is_near(&b), "{}", a.distance(&b));
        assert!(look_of(b"not an image").is_none());
    }
}
