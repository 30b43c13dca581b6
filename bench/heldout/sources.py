"""Criteria texts of real trials in ../shared/datasets, as (id, source, text).

corpus(): the 7,361 trials the grammar is developed on (TOP/HINT, Leaf, Chia),
          read in the order tests/datasets.cpp reads them.
outside(): trials whose text is in the datasets but not in that corpus
          (TrialGPT's SIGIR subset, the CT.gov API v2 exports, the Facebook
          parser's 20 trials): never compiled by the corpus tests, so a sample
          drawn from them is untuned by construction.
"""
import csv
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.environ.get("TRIALMATCH_DATASETS",
                          os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "datasets")))
csv.field_size_limit(sys.maxsize)


def corpus():
    seen = set()
    for f in sorted(glob.glob(os.path.join(DATASETS, "top_hint_trial_outcome", "*.csv"))):
        with open(f, newline="") as fh:
            for row in csv.DictReader(fh):
                i = row.get("nctid")
                if i and i not in seen:
                    seen.add(i)
                    yield i, "top_hint", row.get("criteria", "")
    for f in sorted(glob.glob(os.path.join(DATASETS, "lct_leaf_clinical_trials", "raw_criteria", "*.txt"))):
        i = os.path.splitext(os.path.basename(f))[0]
        if i not in seen:
            seen.add(i)
            yield i, "lct", open(f).read()
    for f in sorted(glob.glob(os.path.join(DATASETS, "chia", "chia_with_scope", "*_inc.txt"))):
        i = os.path.basename(f)[:-8]
        exc = f[:-8] + "_exc.txt"
        text = "Inclusion Criteria:\n" + open(f).read() + "\nExclusion Criteria:\n" + (open(exc).read() if os.path.exists(exc) else "")
        if i not in seen:
            seen.add(i)
            yield i, "chia", text


def outside():
    known = {i for i, _, _ in corpus()}
    seen = set()
    sigir = json.load(open(os.path.join(DATASETS, "trialgpt_trec_patients", "sigir", "retrieved_trials_sigir_subset.json")))
    for patient in sigir:
        for label in ("0", "1", "2"):
            for t in patient.get(label, []):
                i = t["nct_id"]
                if i in known or i in seen:
                    continue
                seen.add(i)
                text = "Inclusion Criteria:\n" + re.sub(r"^\s*inclusion criteria:?", "", t.get("inclusion_criteria", ""), flags=re.I) + \
                       "\nExclusion Criteria:\n" + re.sub(r"^\s*exclusion criteria:?", "", t.get("exclusion_criteria", ""), flags=re.I)
                yield i, "trialgpt_sigir", text
    for f in sorted(glob.glob(os.path.join(DATASETS, "ctgov_api_v2_samples", "*.json"))):
        for study in json.load(open(f)):
            p = study["protocolSection"]
            i = p["identificationModule"]["nctId"]
            text = p.get("eligibilityModule", {}).get("eligibilityCriteria", "")
            if i in known or i in seen or not text:
                continue
            seen.add(i)
            yield i, "ctgov_api_v2", text
    with open(os.path.join(DATASETS, "clinical_trial_parser_fb", "clinical_trials.csv"), newline="") as fh:
        for row in csv.DictReader(fh):
            i = row["#nct_id"] if "#nct_id" in row else row.get("nct_id")
            if i in known or i in seen:
                continue
            seen.add(i)
            yield i, "clinical_trial_parser_fb", row["eligibility_criteria"]


def native(i, source, text):
    return {"trialmatch_trial": 1, "id": i, "registry": "ClinicalTrials.gov",
            "source": "shared/datasets/" + source, "criteria": text}
