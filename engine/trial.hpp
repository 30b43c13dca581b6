#pragma once
// A trial as trialmatch sees it: identity, registry facts and its criteria,
// whatever file format it came from.
#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostic.hpp"
#include "grammar/criteria_compiler.hpp"

namespace trialmatch {

enum class CriterionKind { inclusion, exclusion };
const char* to_string(CriterionKind kind);

// Where a criterion came from: the criteria text, or a registry's structured
// eligibility fields (minimum/maximum age, sex, healthy volunteers).
enum class CriterionOrigin { text, structured };
const char* to_string(CriterionOrigin origin);

struct Criterion {
  std::string id;            // "I1", "E3", "I4.1"; structured: "age", "sex", "healthy_volunteers"
  CriterionKind kind = CriterionKind::inclusion;
  CriterionOrigin origin = CriterionOrigin::text;
  std::string text;          // escapes undone, wrapped lines re-joined, marker removed
  std::string parent;        // id of the parent item for sub-items, else empty
  std::string group;         // label heading the item ("Age", "control group"), else empty
  std::string marker;        // the bullet or number as written ("1.", "*", "ii)")
  int line = 0;              // 1-based line of the item's start in the criteria text

  // Filled by compile_trials(): the rule, its atoms and residue.
  grammar::Compiled compiled;
  bool curated = false;      // the rule is a curator's override, not the parse
};

// A curator's replacement for one criterion's compiled rule, written in the
// rule language, with where it stands in its file for diagnostics.
struct RuleOverride {
  std::string criterion_id;
  std::string text;
  std::string file;
  int line = 0;        // of the first character of `text` in the file; 0 if unknown
  int column = 0;
  std::string source_line;  // that line of the file
};

struct Trial {
  std::string id;
  std::string title;
  std::string registry;      // "ClinicalTrials.gov", "EU CTIS", "IRCT", ...
  std::string status;        // registry status, upper snake case ("RECRUITING")
  std::vector<std::string> phases;   // "PHASE1", "PHASE2", "NA", ...
  std::optional<long> enrollment;
  std::vector<std::string> conditions;
  std::vector<std::string> interventions;
  std::string source;        // where the trial was read from (file, bundled path)
  std::string citation;      // the document the trial was transcribed from (native files)
  std::string derived_note;  // set when criteria were derived rather than transcribed

  // Structured eligibility fields as given (for display); they also appear
  // in `criteria` with origin = structured.
  std::string minimum_age;   // "18 Years"; empty = no lower bound
  std::string maximum_age;
  std::string sex;           // "ALL", "FEMALE", "MALE"
  std::optional<bool> healthy_volunteers;

  std::string criteria_text; // the eligibility text as split
  std::vector<Criterion> criteria;
  std::vector<RuleOverride> overrides;
  bool overrides_only = false;  // an overrides file: attaches to the trial with this id
  Diagnostics diagnostics;   // warnings from splitting and loading
};

}  // namespace trialmatch
