//! dlib's face-recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`), read from
//! dlib's own serialization and run with ndarray.
//!
//! The file is a serialized `loss_metric<fc_no_bias<128, avg_pool_everything<…>>>`: the
//! wrappers' version numbers first, outermost to innermost, then the input layer, then every
//! layer's parameters in forward order. So the layers can be read front to back as a flat
//! list; the residual wiring (`tag1`, `tag2`, `skip1`, `add_prev`) writes no bytes and is
//! rebuilt from the order of the layers, then checked against the network's known shape.
//! The formats followed are dlib's `serialize.h`, `cuda/tensor.h` and `dnn/layers.h`.

use ndarray::{Array2, Array3, ArrayView3, Axis, s};

use crate::FaceError;

/// One layer as stored.
#[derive(Debug)]
enum Layer {
    Conv {
        w: Array2<f32>,
        bias: Option<Vec<f32>>,
        k: usize,
        stride: usize,
        pad: usize,
    },
    Affine {
        gamma: Vec<f32>,
        beta: Vec<f32>,
    },
    Relu,
    MaxPool {
        size: usize,
        stride: usize,
        pad: usize,
    },
    /// `size == 0`: the average over the whole image.
    AvgPool {
        size: usize,
        stride: usize,
        pad: usize,
    },
    AddPrev,
    /// `inputs × outputs`, no bias.
    Fc {
        w: Array2<f32>,
    },
}

/// The network, ready to run on 150×150 face chips.
pub struct FaceNet {
    mean: [f32; 3],
    layers: Vec<Layer>,
}

/// The side of the aligned face chips the network takes.
pub const CHIP: usize = 150;

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

fn bad(why: impl Into<String>) -> FaceError {
    FaceError::Model(format!(
        "the face-recognition model file is not what Shoebox expects: {}",
        why.into()
    ))
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, FaceError> {
        let b = *self
            .b
            .get(self.pos)
            .ok_or_else(|| bad("it ends too early"))?;
        self.pos += 1;
        Ok(b)
    }

    /// dlib's packed integer: a control byte (sign in bit 7, byte count in the low nibble),
    /// then that many bytes, least significant first.
    fn int(&mut self) -> Result<i64, FaceError> {
        let ctrl = self.byte()?;
        let size = (ctrl & 0x0f) as usize;
        if size == 0 || size > 8 {
            return Err(bad(format!("bad integer at byte {}", self.pos - 1)));
        }
        let mut v: u64 = 0;
        for i in 0..size {
            v |= (self.byte()? as u64) << (8 * i);
        }
        let v = v as i64;
        Ok(if ctrl & 0x80 != 0 { -v } else { v })
    }

    fn usize(&mut self) -> Result<usize, FaceError> {
        let v = self.int()?;
        usize::try_from(v).map_err(|_| bad(format!("negative size {v}")))
    }

    /// A float as mantissa × 2^exponent, with three exponents kept for inf, -inf and NaN.
    fn float(&mut self) -> Result<f32, FaceError> {
        let m = self.int()?;
        let e = self.int()?;
        Ok(match e {
            32000 => f32::INFINITY,
            32001 => f32::NEG_INFINITY,
            32002 => f32::NAN,
            e => (m as f64 * 2f64.powi(e as i32)) as f32,
        })
    }

    fn string(&mut self) -> Result<String, FaceError> {
        let n = self.usize()?;
        if n > 256 {
            return Err(bad(format!("a name {n} bytes long")));
        }
        let end = self.pos + n;
        let s = self
            .b
            .get(self.pos..end)
            .ok_or_else(|| bad("it ends too early"))?;
        self.pos = end;
        String::from_utf8(s.to_vec()).map_err(|_| bad("a name that is not text"))
    }

    fn bool(&mut self) -> Result<bool, FaceError> {
        match self.byte()? {
            b'1' => Ok(true),
            b'0' => Ok(false),
            b => Err(bad(format!("a flag {b:#x}"))),
        }
    }

    /// A `resizable_tensor`: version 2, four dimensions, then raw little-endian floats.
    fn tensor(&mut self) -> Result<(Vec<f32>, [usize; 4]), FaceError> {
        if self.int()? != 2 {
            return Err(bad("a tensor of an unknown version"));
        }
        let dims = [self.usize()?, self.usize()?, self.usize()?, self.usize()?];
        let n = dims
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| bad("a tensor too large"))?;
        let end = n
            .checked_mul(4)
            .and_then(|b| b.checked_add(self.pos))
            .ok_or_else(|| bad("a tensor too large"))?;
        let raw = self
            .b
            .get(self.pos..end)
            .ok_or_else(|| bad("it ends inside a tensor"))?;
        self.pos = end;
        Ok((
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            dims,
        ))
    }

    /// An `alias_tensor`: only its shape is stored.
    fn alias(&mut self) -> Result<[usize; 4], FaceError> {
        if self.int()? != 1 {
            return Err(bad("an alias tensor of an unknown version"));
        }
        Ok([self.usize()?, self.usize()?, self.usize()?, self.usize()?])
    }

    /// Whether a tensor (version 2, then a packed integer) starts here rather than a name.
    fn at_tensor(&self) -> bool {
        matches!(self.b.get(self.pos..self.pos + 3), Some([1, 2, c]) if (1..=8).contains(c))
    }

    /// The bookkeeping `add_layer` stores after a layer's parameters: three flags and the
    /// (empty) gradient and output tensors.
    fn skip_layer_state(&mut self) -> Result<(), FaceError> {
        for _ in 0..3 {
            self.bool()?;
        }
        self.tensor()?;
        self.tensor()?;
        if self.at_tensor() {
            self.tensor()?;
        }
        Ok(())
    }

    fn layer(&mut self, name: &str) -> Result<Layer, FaceError> {
        match name {
            "con_4" | "con_5" | "con_6" => {
                let (params, _) = self.tensor()?;
                let filters = self.usize()?;
                let (nr, nc) = (self.usize()?, self.usize()?);
                let (sy, sx) = (self.usize()?, self.usize()?);
                let (py, px) = (self.usize()?, self.usize()?);
                let fshape = self.alias()?;
                let bshape = self.alias()?;
                for _ in 0..4 {
                    self.float()?;
                }
                let use_bias = if name != "con_4" { self.bool()? } else { true };
                if name == "con_6" {
                    self.bool()?;
                }
                if nr != nc || sy != sx || py != px || fshape[0] != filters || fshape[2] != nr {
                    return Err(bad(format!(
                        "a convolution of an unexpected shape {fshape:?}"
                    )));
                }
                let fan_in = fshape[1] * nr * nc;
                let wlen = filters * fan_in;
                if params.len() < wlen + if use_bias { bshape[1] } else { 0 } {
                    return Err(bad("a convolution with too few weights"));
                }
                let w = Array2::from_shape_vec((filters, fan_in), params[..wlen].to_vec())
                    .map_err(|e| bad(e.to_string()))?;
                let bias = use_bias.then(|| params[wlen..wlen + filters].to_vec());
                Ok(Layer::Conv {
                    w,
                    bias,
                    k: nr,
                    stride: sy,
                    pad: py,
                })
            }
            "affine_" | "affine_2" => {
                let (params, _) = self.tensor()?;
                let g = self.alias()?;
                self.alias()?;
                self.int()?;
                if name == "affine_2" && self.bool()? {
                    return Err(bad("a disabled affine layer"));
                }
                let n = g[1] * g[2] * g[3];
                if params.len() != 2 * n {
                    return Err(bad("an affine layer of the wrong size"));
                }
                Ok(Layer::Affine {
                    gamma: params[..n].to_vec(),
                    beta: params[n..].to_vec(),
                })
            }
            "relu_" => Ok(Layer::Relu),
            "relu_2" => {
                self.bool()?;
                Ok(Layer::Relu)
            }
            "max_pool_2" | "avg_pool_2" => {
                let (nr, nc) = (self.usize()?, self.usize()?);
                let (sy, sx) = (self.usize()?, self.usize()?);
                let (py, px) = (self.usize()?, self.usize()?);
                if nr != nc || sy != sx || py != px {
                    return Err(bad("a pooling layer of an unexpected shape"));
                }
                Ok(if name == "max_pool_2" {
                    Layer::MaxPool {
                        size: nr,
                        stride: sy,
                        pad: py,
                    }
                } else {
                    Layer::AvgPool {
                        size: nr,
                        stride: sy,
                        pad: py,
                    }
                })
            }
            "add_prev_" => Ok(Layer::AddPrev),
            "fc_2" | "fc_3" => {
                let outputs = self.usize()?;
                let inputs = self.usize()?;
                let (params, _) = self.tensor()?;
                self.alias()?;
                self.alias()?;
                let mode = self.int()?;
                for _ in 0..4 {
                    self.float()?;
                }
                if name == "fc_3" {
                    self.bool()?;
                }
                if mode != 1 || params.len() < inputs * outputs {
                    return Err(bad(
                        "a fully connected layer with a bias, or too few weights",
                    ));
                }
                let w =
                    Array2::from_shape_vec((inputs, outputs), params[..inputs * outputs].to_vec())
                        .map_err(|e| bad(e.to_string()))?;
                Ok(Layer::Fc { w })
            }
            other => Err(bad(format!("a layer of kind {other:?}"))),
        }
    }
}

impl FaceNet {
    /// Reads the network from the bytes of `dlib_face_recognition_resnet_model_v1.dat`.
    pub fn from_bytes(b: &[u8]) -> Result<FaceNet, FaceError> {
        let mut r = Reader { b, pos: 0 };
        if r.int()? != 1 || !r.string()?.starts_with("loss_metric") {
            return Err(bad("it does not start with dlib's metric loss"));
        }
        // loss_metric_2 keeps its margin and distance threshold; neither is used to run it.
        let marker = b"\x01\x15input_rgb_image_sized";
        let start = b[r.pos..]
            .windows(marker.len())
            .position(|w| w == marker)
            .map(|p| r.pos + p)
            .ok_or_else(|| bad("no input layer"))?;
        // Just before the input layer: the innermost `add_layer`'s version.
        let mut versions = Vec::new();
        let mut v = Reader {
            b: &b[..start],
            pos: b.len().min(r.pos),
        };
        while v.pos < start {
            match v.int() {
                Ok(n) => versions.push(n),
                Err(_) => break,
            }
        }
        let inner_version = *versions.last().ok_or_else(|| bad("no layers"))?;
        r.pos = start;
        r.string()?;
        let mean = [r.float()?, r.float()?, r.float()?];
        let (nr, nc) = (r.usize()?, r.usize()?);
        if (nr, nc) != (CHIP, CHIP) {
            return Err(bad(format!("an input of {nr}×{nc}, not {CHIP}×{CHIP}")));
        }
        let mut layers = Vec::new();
        // The innermost layer, over the input, stores a little more.
        let name = r.string()?;
        layers.push(r.layer(&name)?);
        for _ in 0..3 {
            r.bool()?;
        }
        for _ in 0..3 {
            r.tensor()?;
        }
        if inner_version >= 3 {
            r.usize()?;
        }
        while r.pos < b.len() {
            let name = r.string()?;
            layers.push(r.layer(&name)?);
            r.skip_layer_state()?;
        }
        let net = FaceNet { mean, layers };
        net.check_shape()?;
        Ok(net)
    }

    /// The layers must be a stem (con, affine, relu, max_pool), residual blocks (con, affine,
    /// relu, con, affine, [avg_pool], add_prev, relu), then the global average and the fc.
    fn check_shape(&self) -> Result<(), FaceError> {
        let kinds: String = self
            .layers
            .iter()
            .map(|l| match l {
                Layer::Conv { .. } => 'c',
                Layer::Affine { .. } => 'a',
                Layer::Relu => 'r',
                Layer::MaxPool { .. } => 'm',
                Layer::AvgPool { size: 0, .. } => 'g',
                Layer::AvgPool { .. } => 'p',
                Layer::AddPrev => '+',
                Layer::Fc { .. } => 'f',
            })
            .collect();
        let ok = kinds
            .strip_prefix("carm")
            .and_then(|rest| rest.strip_suffix("gf"))
            .map(|blocks| {
                let blocks = blocks.replace("carcap+r", "D").replace("carca+r", "B");
                !blocks.is_empty() && blocks.chars().all(|c| c == 'D' || c == 'B')
            })
            .unwrap_or(false);
        if ok {
            Ok(())
        } else {
            Err(bad(format!("layers {kinds}")))
        }
    }

    /// The 128-number descriptor of one aligned 150×150 RGB chip (row-major, 3 bytes a pixel).
    pub fn descriptor(&self, chip: &[u8]) -> Result<[f32; 128], FaceError> {
        if chip.len() != CHIP * CHIP * 3 {
            return Err(FaceError::Image(format!(
                "a face chip of {} bytes",
                chip.len()
            )));
        }
        let mut x = Array3::<f32>::zeros((3, CHIP, CHIP));
        for (i, px) in chip.chunks_exact(3).enumerate() {
            let (y, xx) = (i / CHIP, i % CHIP);
            for c in 0..3 {
                x[[c, y, xx]] = (px[c] as f32 - self.mean[c]) / 256.0;
            }
        }
        let mut block_in: Option<Array3<f32>> = None;
        let mut block_out: Option<Array3<f32>> = None;
        let mut in_block = false;
        let mut out = None;
        for layer in &self.layers {
            match layer {
                Layer::Conv {
                    w,
                    bias,
                    k,
                    stride,
                    pad,
                } => {
                    if in_block && block_in.is_none() {
                        block_in = Some(x.clone());
                    }
                    x = conv(x.view(), w, bias.as_deref(), *k, *stride, *pad);
                }
                Layer::Affine { gamma, beta } => {
                    for (c, mut plane) in x.axis_iter_mut(Axis(0)).enumerate() {
                        plane.mapv_inplace(|v| v * gamma[c] + beta[c]);
                    }
                }
                Layer::Relu => x.mapv_inplace(|v| v.max(0.0)),
                Layer::MaxPool { size, stride, pad } => {
                    x = pool(x.view(), *size, *stride, *pad, true);
                    in_block = true;
                }
                Layer::AvgPool { size: 0, .. } => {
                    let c = x.shape()[0];
                    let n = (x.shape()[1] * x.shape()[2]) as f32;
                    out = Some(Array2::from_shape_fn((1, c), |(_, i)| {
                        x.slice(s![i, .., ..]).sum() / n
                    }));
                }
                Layer::AvgPool { size, stride, pad } => {
                    // In a downsampling block: the block's output waits (tag2) while its input
                    // (skip1 to tag1) is pooled to meet it.
                    let input = block_in
                        .as_ref()
                        .ok_or_else(|| bad("a pooling outside a block"))?;
                    block_out = Some(std::mem::replace(
                        &mut x,
                        pool(input.view(), *size, *stride, *pad, false),
                    ));
                }
                Layer::AddPrev => {
                    let other = match block_out.take() {
                        Some(o) => o,
                        None => block_in
                            .clone()
                            .ok_or_else(|| bad("an addition outside a block"))?,
                    };
                    x = add(x, &other);
                    block_in = None;
                }
                Layer::Fc { w } => {
                    let v = out
                        .take()
                        .ok_or_else(|| bad("no average before the last layer"))?;
                    let d = v.dot(w);
                    let mut r = [0f32; 128];
                    if d.len() != 128 {
                        return Err(bad(format!("{} outputs, not 128", d.len())));
                    }
                    r.iter_mut().zip(d.iter()).for_each(|(a, b)| *a = *b);
                    return Ok(r);
                }
            }
        }
        Err(bad("no last layer"))
    }
}

/// Cross-correlation (dlib's and cuDNN's convolution) by im2col and one matrix product.
fn conv(
    x: ArrayView3<'_, f32>,
    w: &Array2<f32>,
    bias: Option<&[f32]>,
    k: usize,
    stride: usize,
    pad: usize,
) -> Array3<f32> {
    let (c, h, wd) = x.dim();
    let oh = (h + 2 * pad - k) / stride + 1;
    let ow = (wd + 2 * pad - k) / stride + 1;
    let mut cols = Array2::<f32>::zeros((c * k * k, oh * ow));
    for ci in 0..c {
        for ky in 0..k {
            for kx in 0..k {
                let row = (ci * k + ky) * k + kx;
                let mut dst = cols.row_mut(row);
                for oy in 0..oh {
                    let iy = (oy * stride + ky) as isize - pad as isize;
                    if iy < 0 || iy >= h as isize {
                        continue;
                    }
                    for ox in 0..ow {
                        let ix = (ox * stride + kx) as isize - pad as isize;
                        if ix >= 0 && ix < wd as isize {
                            dst[oy * ow + ox] = x[[ci, iy as usize, ix as usize]];
                        }
                    }
                }
            }
        }
    }
    let mut y = w.dot(&cols);
    if let Some(b) = bias {
        for (o, mut row) in y.axis_iter_mut(Axis(0)).enumerate() {
            row.mapv_inplace(|v| v + b[o]);
        }
    }
    y.into_shape_with_order((w.nrows(), oh, ow))
        .expect("conv output shape")
}

/// Max or average pooling; dlib's output size is `1 + (n + 2·pad − size) / stride`, and a
/// padded max ignores the padding.
fn pool(x: ArrayView3<'_, f32>, size: usize, stride: usize, pad: usize, max: bool) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let oh = (h + 2 * pad - size) / stride + 1;
    let ow = (w + 2 * pad - size) / stride + 1;
    Array3::from_shape_fn((c, oh, ow), |(ci, oy, ox)| {
        let mut acc = if max { f32::NEG_INFINITY } else { 0.0 };
        let mut n = 0;
        for ky in 0..size {
            for kx in 0..size {
                let iy = (oy * stride + ky) as isize - pad as isize;
                let ix = (ox * stride + kx) as isize - pad as isize;
                if iy >= 0 && iy < h as isize && ix >= 0 && ix < w as isize {
                    let v = x[[ci, iy as usize, ix as usize]];
                    acc = if max { acc.max(v) } else { acc + v };
                    n += 1;
                }
            }
        }
        if max || n == 0 { acc } else { acc / n as f32 }
    })
}

/// dlib's `add`: the result takes the larger of each dimension, and what one side lacks
/// counts as zero.
fn add(a: Array3<f32>, b: &Array3<f32>) -> Array3<f32> {
    let (ac, ah, aw) = a.dim();
    let (bc, bh, bw) = b.dim();
    let mut out = Array3::<f32>::zeros((ac.max(bc), ah.max(bh), aw.max(bw)));
    out.slice_mut(s![..ac, ..ah, ..aw]).assign(&a);
    let mut part = out.slice_mut(s![..bc, ..bh, ..bw]);
    part += b;
    out
}
