"""Compile and score every committed sample with a trialmatch binary.

  python3 bench/heldout/rescore.py [BINARY] [SAMPLE ...]

Prints one line per sample: its kind (held-out or development), atoms, and
the adjusted precision and recall. Never prints misses: held-out samples'
misses are not to be read.
"""
import contextlib
import io
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import score  # noqa: E402  (score.py runs main() only as a script)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build", "trialmatch")
    root = os.path.join(HERE, "samples")
    names = sys.argv[2:] or sorted(os.listdir(root), key=lambda n: (not n.startswith("heldout"), n))
    for name in names:
        gold = os.path.join(root, name, "gold.tsv")
        if not os.path.exists(gold):
            print(f"{name}: not annotated yet")
            continue
        with tempfile.TemporaryDirectory() as work:
            trials = os.path.join(work, "trials")
            subprocess.run([sys.executable, os.path.join(HERE, "trials.py"), name, trials], check=True,
                           stdout=subprocess.DEVNULL)
            out = os.path.join(work, "compiled.json")
            with open(out, "w") as f:
                subprocess.run([binary, "compile", "--trials", trials, "--format", "json"], check=True, stdout=f)
            tp, fp, fn, p, r, n = score.score(gold, out, True)
        kind = "held-out" if name.startswith("heldout") else "development"
        print(f"{name:10s} {kind:11s} {n:3d} trials {tp + fn:4d} atoms  adjusted precision {p:.3f} recall {r:.3f}")


if __name__ == "__main__":
    main()
