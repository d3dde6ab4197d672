"""onnx.checker (full check, with shape inference) on wasm-mlp's .onnx files.

Run by test/io-onnx.test.ts: python onnx_check.py JOB.json with JOB = {"files": [...]};
prints, per file, the opset, inputs/outputs with their shapes and the op types.
"""
import json
import sys

import onnx


def dims(vi):
    return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]


out = []
for f in json.load(open(sys.argv[1]))["files"]:
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    out.append({
        "opset": next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")),
        "inputs": [[i.name, dims(i)] for i in m.graph.input],
        "outputs": [[o.name, dims(o)] for o in m.graph.output],
        "ops": sorted({n.op_type for n in m.graph.node}),
    })
json.dump(out, sys.stdout)
