"""Continue training a wasm-mlp model in Keras 3, data-parallel across devices (docs/scale-out.md).

    node examples/scale-out.mjs export --dir out
    python examples/python/continue_training.py out [--epochs 40]
    node examples/scale-out.mjs import --dir out

Reads out/model.keras (saved by wasm-mlp) and out/data.json, trains with Keras 3's distribution
API (keras.distribution.DataParallel: each device gets a slice of every batch, gradients are
averaged), and writes out/continued.keras plus out/keras-report.json. On a CPU-only machine the
two "devices" are made by XLA_FLAGS=--xla_force_host_platform_device_count=2 (set below unless
you set XLA_FLAGS yourself); on a GPU/TPU host, drop that and Keras uses the accelerators.
"""
import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

import keras  # noqa: E402  (after the environment is set)
import numpy as np  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--epochs", type=int, default=40)
args = parser.parse_args()

devices = keras.distribution.list_devices()
distribution = keras.distribution.DataParallel(devices=devices)
keras.distribution.set_distribution(distribution)
print(f"Keras {keras.__version__} ({keras.backend.backend()}), data parallel across {len(devices)} devices: {devices}")

data = json.load(open(os.path.join(args.dir, "data.json")))
x = np.asarray(data["x"], dtype="float32")
y = np.asarray(data["y"], dtype="float32")

model = keras.models.load_model(os.path.join(args.dir, "model.keras"))  # compiled as saved by wasm-mlp
model.summary()
before = model.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)
t0 = time.time()
# The global batch (64) is split across the devices: 32 rows each.
model.fit(x, y, batch_size=64, epochs=args.epochs, shuffle=True, verbose=0)
after = model.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)
print(f"before: {before}\nafter {args.epochs} epochs ({time.time() - t0:.1f} s): {after}")

model.save(os.path.join(args.dir, "continued.keras"))
report = {
    "keras_version": keras.__version__,
    "devices": [str(d) for d in devices],
    "distribution": type(distribution).__name__,
    "before": {k: float(v) for k, v in before.items()},
    "after": {k: float(v) for k, v in after.items()},
    "predict": np.asarray(model(x, training=False)).tolist(),
}
json.dump(report, open(os.path.join(args.dir, "keras-report.json"), "w"))
print(f"wrote {os.path.join(args.dir, 'continued.keras')}")
