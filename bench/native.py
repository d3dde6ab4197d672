"""One native peer's training measurement for `npm run bench -- native` (bench/native.mjs).

    python bench/native.py '<json spec>'

spec: {"framework": "torch" | "keras", "threads": n, "x": x.npy, "y": y.npy (one-hot),
       "model": {"inputs", "hidden": [..], "dropout", "outputs", "learningRate"} (examples/lib/models.mjs),
       "batches": [..], "epochs": timed epochs, "seed": s}

Each batch size trains a fresh model: one warm-up epoch (JIT/XLA compilation, allocator warm-up),
then `epochs` timed epochs over all rows, shuffled every epoch, each timed on its own. Prints one
JSON object: what it ran with (versions, device, threads, the CPUs this process may run on) and
samples/s per epoch per batch size. The process is pinned by its parent (taskset); the thread
counts are set here and read back.
"""
import json
import os
import sys
import time


def cpus():
    return sorted(os.sched_getaffinity(0))


def load(spec):
    import numpy as np

    x = np.load(spec["x"])
    y = np.load(spec["y"])
    if x.dtype != np.float32 or y.dtype != np.float32 or x.shape[0] != y.shape[0]:
        raise SystemExit(f"native.py: expected float32 x (n, inputs) and y (n, classes), got {x.dtype}{x.shape} and {y.dtype}{y.shape}")
    if x.shape[1] != spec["model"]["inputs"] or y.shape[1] != spec["model"]["outputs"]:
        raise SystemExit(f"native.py: the data is {x.shape[1]} → {y.shape[1]}, the model {spec['model']['inputs']} → {spec['model']['outputs']}")
    return x, y


def run_torch(spec, x, y):
    import torch

    threads = spec["threads"]
    torch.set_num_threads(threads)
    torch.manual_seed(spec["seed"])
    m = spec["model"]
    xt = torch.from_numpy(x)
    labels = torch.from_numpy(y.argmax(axis=1)).long()
    n = xt.shape[0]
    rates = {}
    for batch in spec["batches"]:
        layers, width = [], m["inputs"]
        for units in m["hidden"]:
            layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
            if m["dropout"]:
                layers.append(torch.nn.Dropout(m["dropout"]))
            width = units
        # Softmax is folded into the loss (cross_entropy = log_softmax + NLL), as PyTorch users write it.
        layers.append(torch.nn.Linear(width, m["outputs"]))
        model = torch.nn.Sequential(*layers)
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=m["learningRate"])
        epochs = []
        for e in range(1 + spec["epochs"]):
            t0 = time.perf_counter()
            perm = torch.randperm(n)
            correct = torch.zeros((), dtype=torch.long)
            for i in range(0, n, batch):
                idx = perm[i : i + batch]
                xb, yb = xt[idx], labels[idx]
                out = model(xb)
                loss = torch.nn.functional.cross_entropy(out, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                # Accuracy, as Keras and wasm-mlp track it during fit.
                with torch.no_grad():
                    correct += (out.argmax(1) == yb).sum()
            correct.item()
            if e > 0:
                epochs.append(n / (time.perf_counter() - t0))
        rates[str(batch)] = epochs
    ran = {
        "build": "pytorch",
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "device": "cpu",
        "isa": torch.backends.cpu.get_cpu_capability(),
        "versions": {"torch": torch.__version__, "python": sys.version.split()[0]},
        "loop": "torch.optim.Adam, cross_entropy on logits, tensor-indexed batches",
    }
    return ran, rates


def run_keras(spec, x, y):
    os.environ["KERAS_BACKEND"] = "jax"
    import jax
    import keras

    keras.utils.set_random_seed(spec["seed"])
    m = spec["model"]
    n = x.shape[0]
    rates = {}

    class EpochTimes(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rates = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.rates.append(n / (time.perf_counter() - self.t0))

    for batch in spec["batches"]:
        layers = [keras.Input((m["inputs"],))]
        for units in m["hidden"]:
            layers.append(keras.layers.Dense(units, activation="relu"))
            if m["dropout"]:
                layers.append(keras.layers.Dropout(m["dropout"]))
        layers.append(keras.layers.Dense(m["outputs"], activation="softmax"))
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.Adam(m["learningRate"]), loss="categorical_crossentropy", metrics=["accuracy"])
        timer = EpochTimes()
        # Epoch 1 compiles (both batch shapes, the full one and the last, partial one): not timed.
        model.fit(x, y, batch_size=batch, epochs=1 + spec["epochs"], shuffle=True, verbose=0, callbacks=[timer])
        rates[str(batch)] = timer.rates[1:]
    dev = jax.devices()[0]
    ran = {
        "build": "keras-jax",
        # XLA's CPU client sizes its thread pool to the CPUs this process may run on.
        "threads": len(cpus()),
        "device": f"{dev.platform} ({dev.device_kind})",
        "xlaFlags": os.environ.get("XLA_FLAGS", ""),
        "versions": {"keras": keras.__version__, "jax": jax.__version__, "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else jax.__version__, "python": sys.version.split()[0]},
        "loop": "model.fit (jit-compiled train step), categorical_crossentropy, accuracy metric",
    }
    return ran, rates


def main():
    spec = json.loads(sys.argv[1])
    x, y = load(spec)
    run = {"torch": run_torch, "keras": run_keras}[spec["framework"]]
    ran, rates = run(spec, x, y)
    ran["cpus"] = cpus()
    # Every OS thread the process has after training (framework pools included), all on those CPUs.
    ran["osThreads"] = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    print(json.dumps({"ran": ran, "rates": rates}))


if __name__ == "__main__":
    main()
