"""Keras 3 (JAX backend, CPU) as the oracle for wasm-mlp's metrics.

Run by test/metrics.test.ts: python metrics_oracle.py JOB.json; writes JSON to stdout.
JOB = {"cases": [{"y": [[...]], "p": [[...]], "batch": n}...]}: every metric below, updated
batch by batch (as an epoch accumulates), for each case;
      {"file": "m.keras", "x": [[...]], "y": [[...]], "batch": n}: load a .keras file saved by
wasm-mlp and evaluate it (its compile_config's metrics, by the names Keras reads them under).
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def run(case):
    y = np.asarray(case["y"], dtype="float32")
    p = np.asarray(case["p"], dtype="float32")
    batch = case["batch"]
    metrics = {
        "auc": keras.metrics.AUC(),
        "precision": keras.metrics.Precision(),
        "recall": keras.metrics.Recall(),
        "binaryAccuracy": keras.metrics.BinaryAccuracy(),
        "mse": keras.metrics.MeanSquaredError(),
        "mae": keras.metrics.MeanAbsoluteError(),
    }
    if y.shape[1] > 1:
        metrics["categoricalAccuracy"] = keras.metrics.CategoricalAccuracy()
        metrics["topKCategoricalAccuracy"] = keras.metrics.TopKCategoricalAccuracy(k=5)
    for start in range(0, len(y), batch):
        for m in metrics.values():
            m.update_state(y[start:start + batch], p[start:start + batch])
    return {k: float(m.result()) for k, m in metrics.items()}


def evaluate_file(job):
    m = keras.models.load_model(job["file"])
    x = np.asarray(job["x"], dtype="float32")
    y = np.asarray(job["y"], dtype="float32")
    r = m.evaluate(x, y, batch_size=job["batch"], verbose=0, return_dict=True)
    return {"metrics": m.get_compile_config().get("metrics"), "values": {k: float(v) for k, v in r.items()}}


job = json.load(open(sys.argv[1]))
if "file" in job:
    print(json.dumps(evaluate_file(job)))
else:
    print(json.dumps({"results": [run(c) for c in job["cases"]]}))
