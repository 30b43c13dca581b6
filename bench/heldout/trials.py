"""Write a committed sample's trials as native trial files, to compile and score it again.

  python3 bench/heldout/trials.py NAME DIR
"""
import json
import os
import sys

import sources

HERE = os.path.dirname(os.path.abspath(__file__))
name, out = sys.argv[1], sys.argv[2]
ids = {l.split()[0] for l in open(os.path.join(HERE, "samples", name, "ids.txt")) if l.strip()}
os.makedirs(out, exist_ok=True)
found = 0
for i, src, text in list(sources.corpus()) + list(sources.outside()):
    if i in ids:
        json.dump(sources.native(i, src, text), open(os.path.join(out, i + ".json"), "w"))
        found += 1
print(f"{found} of {len(ids)} trials written to {out}")
sys.exit(0 if found == len(ids) else 1)
