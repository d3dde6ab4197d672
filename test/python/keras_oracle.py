"""Keras 3 (JAX backend, CPU) as the oracle for wasm-mlp's .keras files.

Run by test/io-keras3.test.ts: python keras_oracle.py JOB.json; writes JSON to stdout.
JOB = {"load": [{"file", "x"}...],          # load_model each file, predict x, report compile config
       "fit": {"file", "x", "y", "out"},    # continue training one of them, save it to out
       "make": {"dir", "x"},                # save Keras-built models, report their predictions
       "schedules": [{"schedule", "steps"}...]}  # a serialized learning-rate schedule's values at steps
"""
import io
import json
import os
import sys
import warnings
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def compile_info(m):
    if getattr(m, "optimizer", None) is None:
        return None
    cfg = m.optimizer.get_config()
    lr = m.optimizer._learning_rate
    schedule = None
    if isinstance(lr, keras.optimizers.schedules.LearningRateSchedule):
        schedule = {"serialized": keras.saving.serialize_keras_object(lr), "values": [float(lr(s)) for s in range(12)]}
    return {
        "schedule": schedule,
        "optimizer": type(m.optimizer).__name__,
        "config": {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in cfg.items() if isinstance(v, (int, float, bool, str, type(None), np.floating))},
        "loss": m.loss if isinstance(m.loss, str) else type(m.loss).__name__,
        "metrics": m.get_compile_config().get("metrics"),
    }


def load(job):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = keras.models.load_model(job["file"])
    x = np.asarray(job["x"], dtype="float32")
    return {
        "predict": np.asarray(m(x, training=False)).tolist(),
        "layers": [type(l).__name__ for l in m.layers],
        "compile": compile_info(m),
        "warnings": [str(w.message) for w in caught],
    }


def h5_tree(data):
    """{path: description} of every group and dataset in an HDF5 file's bytes, with attributes."""
    import h5py

    out = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        def visit(name, obj):
            attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in obj.attrs.items()}
            if isinstance(obj, h5py.Dataset):
                out[name] = f"dataset {obj.shape} {obj.dtype} {attrs}"
            else:
                out[name] = f"group {attrs}"
        f.visititems(visit)
        out["/"] = f"group {dict(f.attrs)}"
    return out


def layout(job):
    """Our .keras against the same model re-saved by Keras: zip entries and HDF5 trees must agree."""
    import tempfile

    m = keras.models.load_model(job["file"])
    path = os.path.join(tempfile.mkdtemp(), "resaved.keras")
    m.save(path)
    ours, theirs = zipfile.ZipFile(job["file"]), zipfile.ZipFile(path)
    a, b = h5_tree(ours.read("model.weights.h5")), h5_tree(theirs.read("model.weights.h5"))
    diffs = [f"{k}: ours {a.get(k)} / keras {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    ca, cb = json.loads(ours.read("config.json")), json.loads(theirs.read("config.json"))
    # Keys newer Keras 3 releases added with default values; wasm-mlp leaves them out so that
    # earlier Keras 3 releases (whose layers refuse unknown keys) load the file too.
    newer = {"quantization_config", "optional", "ragged", "renorm", "renorm_clipping", "renorm_momentum"}
    shape = lambda c: [(l["module"], l["class_name"], sorted(set(l["config"]) - newer), l.get("build_config")) for l in c["config"]["layers"]]
    if shape(ca) != shape(cb):
        diffs.append(f"config layers: ours {shape(ca)} / keras {shape(cb)}")
    return {"entries": [sorted(ours.namelist()), sorted(theirs.namelist())], "diffs": diffs}


def fit(job):
    m = keras.models.load_model(job["file"])
    x = np.asarray(job["x"], dtype="float32")
    y = np.asarray(job["y"], dtype="float32")
    keras.utils.set_random_seed(1)
    before = [w.copy() for w in m.get_weights()]
    loss0 = m.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    hist = m.fit(x, y, epochs=job.get("epochs", 3), batch_size=8, verbose=0)
    loss1 = m.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    changed = any(not np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    m.save(job["out"])
    return {"loss": [float(v) for v in hist.history["loss"]], "before": float(loss0), "after": float(loss1), "changed": bool(changed),
            "predict": np.asarray(m(x, training=False)).tolist()}


ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "elu", "selu", "softplus", "silu", "gelu", "softmax"]


def make(job):
    """Keras-built models covering every layer kind and activation wasm-mlp reads, each compiled differently."""
    keras.utils.set_random_seed(7)
    x = np.asarray(job["x"], dtype="float32")
    n = x.shape[1]
    L = keras.layers
    models = {
        "kinds": (
            [keras.Input((n,)), L.Dense(9, activation="relu"), L.Dropout(0.25), L.LeakyReLU(0.2), L.Dense(7, use_bias=False), L.PReLU(alpha_initializer=keras.initializers.Constant(0.3)),
             L.ELU(0.7), L.Activation("gelu"), L.Dense(5, kernel_regularizer=keras.regularizers.L2(1e-3)), L.Activation("silu"), L.Dense(3, activation="softmax")],
            dict(optimizer=keras.optimizers.Adam(learning_rate=0.003, beta_1=0.85, beta_2=0.995, epsilon=1e-6, clipnorm=1.5), loss="categorical_crossentropy", metrics=["accuracy"]),
        ),
        "sgd": ([keras.Input((n,)), L.Dense(6, activation="tanh"), L.Dense(1, activation="sigmoid")],
                dict(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True), loss="binary_crossentropy")),
        "rmsprop": ([keras.Input((n,)), L.Dense(4, activation="selu"), L.Dense(2)],
                    dict(optimizer=keras.optimizers.RMSprop(learning_rate=0.002, rho=0.8, momentum=0.1, centered=True), loss="mean_squared_error")),
        "adagrad": ([keras.Input((n,)), L.Dense(4, activation="softplus"), L.Dense(2, activation="elu")],
                    dict(optimizer=keras.optimizers.Adagrad(learning_rate=0.02, initial_accumulator_value=0.2), loss="mean_absolute_error")),
        "adamw": ([keras.Input((n,)), L.Dense(4, activation="sigmoid"), L.Dense(3, activation="linear"), L.Activation("softmax")],
                  dict(optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.01), loss="categorical_crossentropy", metrics=["accuracy"])),
        "uncompiled": ([keras.Input((n,)), L.Dense(3, activation="silu"), L.Dense(3, activation="gelu"), L.Dense(2, activation="relu")], None),
        "norm": ([keras.Input((n,)), L.Dense(8, activation="relu"), L.BatchNormalization(momentum=0.9, epsilon=0.002), L.GaussianNoise(0.1), L.Dense(6, activation="tanh"),
                  L.BatchNormalization(center=False), L.LayerNormalization(epsilon=1e-4, center=False), L.Dense(3, activation="softmax")],
                 dict(optimizer=keras.optimizers.Adam(learning_rate=0.002), loss="categorical_crossentropy", metrics=["accuracy"])),
    }
    out = {}
    for name, (layers, comp) in models.items():
        m = keras.Sequential(layers, name=f"keras_{name}")
        rng = np.random.default_rng(len(name))
        # Variances must stay positive (batch normalization's moving_variance).
        m.set_weights([(np.abs(rng.normal(0, 0.6, w.shape)) + 0.3 if "variance" in v.path else rng.normal(0, 0.6, w.shape)).astype("float32") for v, w in zip(m.weights, m.get_weights())])
        if comp:
            m.compile(**comp)
            m.optimizer.build(m.trainable_variables)  # the file then holds optimizer state, as after fit
        path = os.path.join(job["dir"], f"{name}.keras")
        m.save(path)
        out[name] = {"file": path, "predict": np.asarray(m(x, training=False)).tolist(), "compile": compile_info(m) if comp else None}
    # Refused: a layer class wasm-mlp lacks, and a Functional model.
    m = keras.Sequential([keras.Input((n,)), L.Dense(3), L.GaussianDropout(0.1), L.Dense(1)])
    m.save(os.path.join(job["dir"], "noise.keras"))
    inp = keras.Input((n,))
    f = keras.Model(inp, L.Dense(2)(inp))
    f.save(os.path.join(job["dir"], "functional.keras"))
    return out


def make_scheduled(job):
    """A Keras model compiled with a learning-rate schedule (job: {"file", "schedule"}), saved to file."""
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=keras.saving.deserialize_keras_object(job["schedule"])), loss="categorical_crossentropy")
    m.optimizer.build(m.trainable_variables)
    m.save(job["file"])
    return compile_info(m)


def plateau(jobs):
    """ReduceLROnPlateau driven by scripted epoch logs: the rate in each epoch's logs and after it."""
    out = []
    for j in jobs:
        m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=float(j["lr"])), loss="mse")
        cb = keras.callbacks.ReduceLROnPlateau(**j["options"])
        cb.set_model(m)
        cb.on_train_begin()
        logged, after = [], []
        for epoch, v in enumerate(j["values"]):
            logs = {j["options"].get("monitor", "val_loss"): v}
            cb.on_epoch_end(epoch, logs)
            logged.append(logs["learning_rate"])
            after.append(float(np.asarray(m.optimizer.learning_rate)))
        out.append({"logged": logged, "after": after})
    return out


def schedules(jobs):
    out = []
    for j in jobs:
        s = keras.saving.deserialize_keras_object(j["schedule"])
        out.append([float(np.asarray(s(step))) for step in j["steps"]])
    return out


def main():
    job = json.load(open(sys.argv[1]))
    out = {"keras_version": keras.__version__}
    if "load" in job:
        out["load"] = [load(j) for j in job["load"]]
    if "layout" in job:
        out["layout"] = [layout(j) for j in job["layout"]]
    if "fit" in job:
        out["fit"] = fit(job["fit"])
    if "make" in job:
        out["make"] = make(job["make"])
    if "make_scheduled" in job:
        out["make_scheduled"] = make_scheduled(job["make_scheduled"])
    if "plateau" in job:
        out["plateau"] = plateau(job["plateau"])
    if "schedules" in job:
        out["schedules"] = schedules(job["schedules"])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
