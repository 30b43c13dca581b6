"""Score compiled atoms against a blind annotation.

  python3 bench/heldout/score.py GOLD.tsv COMPILED.json [--misses]

GOLD.tsv: the annotators' lines (measures.md). COMPILED.json: `trialmatch
compile --trials DIR --format json` over the sample's trials. Each trial's
atoms are a multiset of (concept, op, value, unit); only the concepts of
measures.md count. "strict" compares units after spelling is normalised;
Consecutive integer equalities on one
concept count as the range they spell (`ecog = 0`, `ecog = 1` as `ecog >= 0`,
`ecog <= 1`). "adjusted" also lets a gold atom without a unit match any unit and sets aside
compiled atoms at a limit with no number (`<= 1 xULN` from "normal", `>= 1 xLLN`), which
the guide leaves out. --misses prints what did not match (never for a
held-out sample: reading its misses would tune on it).
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LEXICON = os.path.join(HERE, "..", "..", "rules", "lexicon", "lexicon.json")
IN_SCOPE = {c["id"] for c in json.load(open(LEXICON))["concepts"] if c["kind"] == "measure"}

UNIT_SPELLINGS = [
    (r"\s+", ""), (r"[µμ]", "u"), (r"×", "x"), (r"\^", ""), (r"³", "3"), (r"²", "2"),
    (r"^(x|times)?(the)?(institutional)?(upperlimitofnormal|uln)$", "xuln"),
    (r"^x?uln$", "xuln"),
    (r"^(cells)?/(mm3|cumm|ul|microliter)$", "/ul"), (r"^(cells)?permm3$", "/ul"),
    (r"^mm3$", "/ul"), (r"^/mm3$", "/ul"),
    (r"^x?109/l$", "x109/l"), (r"^x?10\*9/l$", "x109/l"), (r"^g/l\(x109\)$", "x109/l"),
    (r"^x?103/ul$", "x103/ul"), (r"^x?103/mm3$", "x103/ul"), (r"^k/ul$", "x103/ul"),
    (r"^\{score\}$", ""), (r"^\{inr\}$", ""), (r"^points?$", ""),
    (r"^(msec|milliseconds?)$", "ms"), (r"^(sec|seconds?)$", "s"),
    (r"^kg/m\*?2$", "kg/m2"), (r"^ml/min/1\.73m2$", "ml/min/1.73m2"),
    (r"^years?(old)?$", "years"), (r"^yrs?$", "years"), (r"^months?$", "months"),
    (r"^u/kg/d(ay)?$", "u/kg/day"), (r"^iu/l$", "u/l"),
]


def unit_key(u):
    u = (u or "").strip().lower()
    for pattern, repl in UNIT_SPELLINGS:
        u = re.sub(pattern, repl, u)
    return u


def gold_atoms(path):
    atoms, read = collections.defaultdict(list), set()
    for n, line in enumerate(open(path), 1):
        f = line.rstrip("\n").split("\t")
        if not f or not f[0].strip():
            continue
        trial = f[0].strip()
        read.add(trial)
        if len(f) < 5 or f[1].strip() == "-":
            continue
        concept, op, value = f[2].strip(), f[3].strip(), f[4].strip()
        if concept not in IN_SCOPE:
            continue
        try:
            v = float(value.replace(",", ""))
        except ValueError:
            print(f"{path}:{n}: value {value!r} is not a number; line skipped", file=sys.stderr)
            continue
        unit = f[5].strip() if len(f) > 5 else ""
        atoms[trial].append((concept, op, v, unit_key(unit), f[6].strip() if len(f) > 6 else ""))
    return atoms, read


def compiled_atoms(path, adjusted):
    atoms = collections.defaultdict(list)
    for t in json.load(open(path))["trials"]:
        for c in t["criteria"]:
            for a in c.get("atoms", []):
                if a.get("concept") not in IN_SCOPE or "value" not in a:
                    continue
                unit = unit_key(a.get("unit"))
                source = a.get("source", c.get("text", ""))
                if adjusted and unit in ("xuln", "xlln") and a["value"] == 1 and not re.search(r"(?<![\d.])1(\.0+)?(?![\d.])", source):
                    continue
                atoms[t["id"]].append((a["concept"], a["op"], float(a["value"]), unit, source))
    return atoms


def ranges_for_grades(atoms):
    """`ecog = 0`, `ecog = 1` (alternatives, as the grammar reads "ECOG 0 or 1") and
    `ecog >= 0`, `ecog <= 1` (as the guide writes it) say the same of an integer
    scale: consecutive integer equalities on one concept become the range."""
    by = collections.defaultdict(list)
    for a in atoms:
        if a[1] == "=" and a[2] == int(a[2]):
            by[(a[0], a[3])].append(a)
    out = [a for a in atoms if not (a[1] == "=" and a[2] == int(a[2]))]
    for (concept, unit), eqs in by.items():
        values = sorted({int(a[2]) for a in eqs})
        if len(values) >= 2 and values == list(range(values[0], values[-1] + 1)):
            out.append((concept, ">=", float(values[0]), unit, eqs[0][4]))
            out.append((concept, "<=", float(values[-1]), unit, eqs[-1][4]))
        else:
            out.extend(eqs)
    return out


def same(g, p, adjusted):
    if g[0] != p[0] or g[1] != p[1] or abs(g[2] - p[2]) > 1e-9 * max(1, abs(g[2])):
        return False
    return g[3] == p[3] or (adjusted and g[3] == "")


def score(gold_path, compiled_path, adjusted, misses=False):
    gold, read = gold_atoms(gold_path)
    pred = compiled_atoms(compiled_path, adjusted)
    tp = fp = fn = 0
    for trial in sorted(read):
        left = ranges_for_grades(pred.get(trial, []))
        for g in ranges_for_grades(gold.get(trial, [])):
            # exact units first, so a unitless gold atom does not take another atom's match
            k = next((k for k, p in enumerate(left) if same(g, p, False)), None)
            if k is None:
                k = next((k for k, p in enumerate(left) if same(g, p, adjusted)), None)
            if k is None:
                fn += 1
                if misses:
                    print(f"  MISS {trial} {g[0]} {g[1]} {g[2]:g} {g[3]}  | {g[4]}")
            else:
                tp += 1
                left.pop(k)
        fp += len(left)
        if misses:
            for p in left:
                print(f"  FP   {trial} {p[0]} {p[1]} {p[2]:g} {p[3]}  | {p[4][:100]}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return tp, fp, fn, precision, recall, len(read)


def main():
    gold_path, compiled_path = sys.argv[1], sys.argv[2]
    misses = "--misses" in sys.argv
    for adjusted in (False, True):
        tp, fp, fn, p, r, n = score(gold_path, compiled_path, adjusted, misses and adjusted)
        print(f"{'adjusted' if adjusted else 'strict  '}: {n} trials, {tp + fn} gold atoms, "
              f"tp {tp} fp {fp} fn {fn}: precision {p:.3f}, recall {r:.3f}")


if __name__ == "__main__":
    main()
