"""Draw a sample of trials for blind annotation.

  python3 bench/heldout/draw.py NAME SEED N {outside|corpus} WORKDIR [PARTS]

Writes bench/heldout/samples/NAME/ids.txt (commit it: later draws exclude
every committed sample) and, in WORKDIR, the trials as native trial files
(WORKDIR/trials, for `trialmatch compile`), the texts split into PARTS files
for the annotators (WORKDIR/part_a.txt ...) and one prompt per part.
"""
import json
import os
import random
import sys

import sources

HERE = os.path.dirname(os.path.abspath(__file__))


def taken():
    ids = set()
    root = os.path.join(HERE, "samples")
    for name in os.listdir(root) if os.path.isdir(root) else []:
        f = os.path.join(root, name, "ids.txt")
        if os.path.exists(f):
            ids |= {l.split()[0] for l in open(f) if l.strip()}
    return ids


def main():
    name, seed, n, pool, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    parts = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    texts = list(sources.outside() if pool == "outside" else sources.corpus())
    used = taken()
    # Trials with a numeric bound are the ones worth annotating; the rest cost time and score nothing.
    candidates = sorted((t for t in texts if t[0] not in used and any(ch.isdigit() for ch in t[2])), key=lambda t: t[0])
    sample = sorted(random.Random(seed).sample(candidates, n), key=lambda t: t[0])
    out = os.path.join(HERE, "samples", name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "ids.txt"), "w") as f:
        for i, src, _ in sample:
            f.write(f"{i} {src}\n")
    os.makedirs(os.path.join(work, "trials"), exist_ok=True)
    for i, src, text in sample:
        json.dump(sources.native(i, src, text), open(os.path.join(work, "trials", i + ".json"), "w"))
    guide = open(os.path.join(HERE, "measures.md")).read()
    open(os.path.join(work, "measures.md"), "w").write(guide)
    for p in range(parts):
        letter = "abcdefgh"[p]
        chunk = sample[p::parts]
        with open(os.path.join(work, f"part_{letter}.txt"), "w") as f:
            for i, src, text in chunk:
                f.write(f"=== {i}\n{text.strip()}\n\n")
        with open(os.path.join(work, f"PROMPT_{letter}.md"), "w") as f:
            f.write(f"""You are a careful clinical research annotator. Read {work}/measures.md (the
annotation guide) completely, then read {work}/part_{letter}.txt: {len(chunk)} clinical
trials' eligibility criteria, each starting with a line `=== NCT_ID`.

For every trial, write every numeric atom the guide asks for into
{work}/gold_{letter}.tsv (tab-separated, one atom per line, no header), exactly in
the guide's format. Go through each trial line by line; do not skip long
trials. Use only your own reading of the text: do not run any program on the
texts and do not look at any other file in {work} or elsewhere. A trial with
no atom gets one line `NCT_ID<TAB>-` so that it is known to have been read.

When done, check that every NCT id of the part appears in your file, and reply
with the number of trials and atoms written.
""")
    print(f"{name}: {len(sample)} trials from {len(candidates)} candidates; work in {work}")


main()
