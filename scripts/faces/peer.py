# The faces bench's peer: the same models and the same steps as Shoebox's Rust code, in
# Python with the reference runtimes: BlazeFace on onnxruntime, the face chip cut by PIL, and
# the descriptor by dlib's own build (PyPI dlib-bin). One thread each, as the bench runs
# Shoebox's side. Prints one JSON object: per-round seconds and every face's descriptor.
#   python3 scripts/faces/peer.py MODELS_DIR ROUNDS IMAGE...
import json, sys, time
import numpy as np, onnxruntime as ort, dlib
from PIL import Image

models, rounds, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
opts = ort.SessionOptions()
opts.intra_op_num_threads = 1
opts.inter_op_num_threads = 1
det = ort.InferenceSession(models + '/face_detection_back_256x256_barracuda.onnx', opts)
rec = dlib.face_recognition_model_v1(models + '/dlib_face_recognition_resnet_model_v1.dat')
# crates/faces/src/align.rs's template: where the eyes, nose tip and mouth go in a dlib chip.
T = np.array([(46.5, 48.9), (101.7, 49.1), (75.3, 74.4), (74.9, 105.2)])
W = np.array([1.0, 1.0, 0.5, 1.0])

def detect(img):
    w, h = img.size
    side = max(w, h)
    sq = Image.new('RGB', (256, 256))
    s = 256 / side
    sq.paste(img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BILINEAR), (0, 0))
    x = np.asarray(sq, dtype=np.float32)[None] / 127.5 - 1
    o = det.run(None, {'input:0': x})
    out = []
    for scores, boxes, cells, per in ((o[0][0, :, 0], o[2][0], 16, 2), (o[1][0, :, 0], o[3][0], 8, 6)):
        for i in np.nonzero(1 / (1 + np.exp(-scores)) >= 0.75)[0]:
            c = i // per
            ax, ay = (c % cells + .5) / cells, (c // cells + .5) / cells
            b = boxes[i]
            pts = [((ax + b[4 + 2 * k] / 256) * side, (ay + b[5 + 2 * k] / 256) * side) for k in range(4)]
            bw = b[2] / 256 * side
            out.append((1 / (1 + np.exp(-scores[i])), bw, (ax + b[0] / 256) * side, (ay + b[1] / 256) * side, pts))
    # Overlapping anchors: keep the best of each face (distance between centres under a width).
    out.sort(key=lambda d: -d[0])
    kept = []
    for d in out:
        if all(abs(d[2] - k[2]) > k[1] / 2 or abs(d[3] - k[3]) > k[1] / 2 for k in kept):
            kept.append(d)
    return [k for k in kept if k[1] >= 40]

def chip(img, pts):
    p = np.array(pts)
    mu, mx = (T * W[:, None]).sum(0) / W.sum(), (p * W[:, None]).sum(0) / W.sum()
    u, x = T - mu, p - mx
    den = (W * (u ** 2).sum(1)).sum()
    a = (W * (u[:, 0] * x[:, 0] + u[:, 1] * x[:, 1])).sum() / den
    b = (W * (u[:, 0] * x[:, 1] - u[:, 1] * x[:, 0])).sum() / den
    tx, ty = mx[0] - (a * mu[0] - b * mu[1]), mx[1] - (b * mu[0] + a * mu[1])
    return np.asarray(img.transform((150, 150), Image.AFFINE, (a, -b, tx, b, a, ty), resample=Image.BILINEAR))

imgs = [Image.open(f).convert('RGB') for f in files]
times, descriptors = [], []
for r in range(rounds):
    start = time.perf_counter()
    found = []
    for img in imgs:
        for d in detect(img):
            found.append(list(rec.compute_face_descriptor(chip(img, d[4]))))
    times.append(time.perf_counter() - start)
    descriptors = found
print(json.dumps({'seconds': times, 'faces': len(descriptors), 'descriptors': descriptors}))
