//! Face chips: the face turned upright and scaled so its eyes and mouth sit where dlib's
//! network was trained to see them.
//!
//! dlib aligns with its own 5-point landmark model; Shoebox aligns with the detector's eye,
//! nose and mouth points instead, so a face needs one model run fewer. Where those points
//! fall in a dlib chip (150 px, padding 0.25) was measured once by
//! `scripts/faces/derive-template.py`, which runs both on the same photos.

use image::{RgbImage, imageops};

use crate::Point;
use crate::dlib::CHIP;

/// The detector's points in a dlib chip: the picture's left eye, the right eye, the nose
/// tip, the mouth, with the weight each gets in the fit (the nose tip moves most with the
/// head's turn).
const TEMPLATE: [(f32, f32, f32); 4] = [
    (46.5, 48.9, 1.0),
    (101.7, 49.1, 1.0),
    (75.3, 74.4, 0.5),
    (74.9, 105.2, 1.0),
];

/// `img` shrunk to fit a `side`×`side` square, top-left, the rest black.
pub fn letterbox(img: &RgbImage, side: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let scale = side as f32 / w.max(h) as f32;
    let (nw, nh) = (
        ((w as f32 * scale).round() as u32).clamp(1, side),
        ((h as f32 * scale).round() as u32).clamp(1, side),
    );
    let small = imageops::thumbnail(img, nw, nh);
    let mut out = RgbImage::new(side, side);
    imageops::replace(&mut out, &small, 0, 0);
    out
}

/// The similarity transform (scale·rotation, then shift) taking chip points to photo points,
/// fitted by weighted least squares: `[a, b, tx, ty]` maps (u, v) to
/// (a·u − b·v + tx, b·u + a·v + ty).
fn fit(landmarks: &[Point; 4]) -> [f32; 4] {
    let wsum: f32 = TEMPLATE.iter().map(|t| t.2).sum();
    let (mut mu, mut mv, mut mx, mut my) = (0.0, 0.0, 0.0, 0.0);
    for (t, p) in TEMPLATE.iter().zip(landmarks) {
        mu += t.2 * t.0 / wsum;
        mv += t.2 * t.1 / wsum;
        mx += t.2 * p.x / wsum;
        my += t.2 * p.y / wsum;
    }
    let (mut num_a, mut num_b, mut den) = (0.0, 0.0, 0.0);
    for (t, p) in TEMPLATE.iter().zip(landmarks) {
        let (u, v) = (t.0 - mu, t.1 - mv);
        let (x, y) = (p.x - mx, p.y - my);
        num_a += t.2 * (u * x + v * y);
        num_b += t.2 * (u * y - v * x);
        den += t.2 * (u * u + v * v);
    }
    let (a, b) = (num_a / den, num_b / den);
    [a, b, mx - (a * mu - b * mv), my - (b * mu + a * mv)]
}

/// The 150×150 chip of one face, as RGB bytes, sampled bilinearly. A face much larger than
/// the chip is first shrunk by whole factors so the sampling does not alias.
pub fn chip(img: &RgbImage, landmarks: &[Point; 4]) -> Vec<u8> {
    let [a, b, tx, ty] = fit(landmarks);
    let scale = (a * a + b * b).sqrt();
    let shrink = scale.floor().max(1.0) as u32;
    let (src, f) = if shrink >= 2 {
        let (w, h) = img.dimensions();
        (
            std::borrow::Cow::Owned(imageops::thumbnail(
                img,
                (w / shrink).max(1),
                (h / shrink).max(1),
            )),
            shrink as f32,
        )
    } else {
        (std::borrow::Cow::Borrowed(img), 1.0)
    };
    let (w, h) = src.dimensions();
    let mut out = vec![0u8; CHIP * CHIP * 3];
    for v in 0..CHIP {
        for u in 0..CHIP {
            let (uf, vf) = (u as f32, v as f32);
            let x = (a * uf - b * vf + tx) / f;
            let y = (b * uf + a * vf + ty) / f;
            let px = sample(&src, w, h, x, y);
            out[(v * CHIP + u) * 3..(v * CHIP + u) * 3 + 3].copy_from_slice(&px);
        }
    }
    out
}

fn sample(img: &RgbImage, w: u32, h: u32, x: f32, y: f32) -> [u8; 3] {
    if !(x >= 0.0 && y >= 0.0 && x <= (w - 1) as f32 && y <= (h - 1) as f32) {
        return [0, 0, 0];
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |x, y| img.get_pixel(x, y).0;
    let (p00, p10, p01, p11) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 3];
    for c in 0..3 {
        let top = p00[c] as f32 * (1.0 - fx) + p10[c] as f32 * fx;
        let bottom = p01[c] as f32 * (1.0 - fx) + p11[c] as f32 * fx;
        out[c] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_itself_fits_to_the_identity() {
        let pts = TEMPLATE.map(|t| Point { x: t.0, y: t.1 });
        let [a, b, tx, ty] = fit(&pts);
        assert!(
            (a - 1.0).abs() < 1e-4 && b.abs() < 1e-4 && tx.abs() < 1e-3 && ty.abs() < 1e-3,
            "{a} {b} {tx} {ty}"
        );
    }

    #[test]
    fn a_turned_and_doubled_face_is_fitted_back() {
        // The template turned 90° and doubled, then moved: (u, v) -> (-2v + 300, 2u + 10).
        let pts = TEMPLATE.map(|t| Point {
            x: -2.0 * t.1 + 300.0,
            y: 2.0 * t.0 + 10.0,
        });
        let [a, b, tx, ty] = fit(&pts);
        assert!(a.abs() < 1e-3 && (b - 2.0).abs() < 1e-3, "{a} {b}");
        assert!(
            (tx - 300.0).abs() < 1e-2 && (ty - 10.0).abs() < 1e-2,
            "{tx} {ty}"
        );
    }
}
