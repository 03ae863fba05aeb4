#!/usr/bin/env python3
"""Print the model card's Markdown tables from a results.json written by train.py."""
import json
import sys

r = json.load(open(sys.argv[1]))
ev = r["eval"]["extended"]
cfgs = ["none"] + [f"{m}-{S}" for S in (4, 8) for m in ("linear", "ntk", "yarn", "mrrope-uni", "mrrope-pro")]
Ts = sorted(ev, key=int)
for metric, fmt in (("passkey", "{:.0%}"), ("needle", "{:.0%}"), ("ppl", "{:.1f}")):
    print(f"\n{metric} ({'accuracy over 100 trials, greedy' if metric != 'ppl' else 'held-out perplexity, all positions of 32 windows'})\n")
    print("| method | " + " | ".join(f"T={t}" for t in Ts) + " |")
    print("|---|" + "---|" * len(Ts))
    for c in cfgs:
        row = [fmt.format(ev[t][c][metric]) if c in ev[t] else "-" for t in Ts]
        print(f"| {c} | " + " | ".join(row) + " |")
if "curve" not in r:
    sys.exit(0)
print("\nloss curve (step: train loss / text loss / synthetic loss / held-out val loss)\n")
print("| step | loss | text | synthetic | val |\n|---|---|---|---|---|")
for e in r["curve"]:
    if e["step"] % 250 == 0 or e["step"] == r["steps"] or e["step"] in (50, 100):
        print(f"| {e['step']} | {e['loss']:.3f} | {e['loss_text']:.3f} | {e['loss_synth']:.3f} | "
              f"{e.get('val_loss', float('nan')):.3f} |")
