#pragma once
// Splits free eligibility text into inclusion and exclusion items.
//
// Sections come from headings and their real-world variants ("Inclusion
// Criteria:", "Key Inclusion Criteria", "INCLUSION CRITERIA", "Inclusion
// Criteria (control group)", "Non-inclusion criteria:"). Items come from
// bullets and numbering (*, -, •, 1., 2), (3), a), i., ii.); an item whose
// marker is deeper or of a new style becomes a sub-item of the item above
// (I4.1). Wrapped lines are re-joined. Text with no heading is one inclusion
// list, with a warning.
#include <string>
#include <string_view>
#include <vector>

#include "engine/trial.hpp"

namespace trialmatch {

struct SplitOptions {
  // Undo ClinicalTrials.gov API v2 markdown escapes (\>=, \<, \*, \[).
  bool unescape_markdown = false;
  // Deepest sub-item level kept as its own id; deeper items join this level.
  int max_depth = 4;
};

struct SplitResult {
  std::vector<Criterion> criteria;  // source order; ids I1.., E1.., I4.1 ...
  Diagnostics diagnostics;          // file left empty: the caller names it
};

SplitResult split_criteria(std::string_view text, const SplitOptions& options = {});

// Removes the backslash of markdown escapes: "\>=" -> ">=", "\[" -> "[".
std::string unescape_markdown(std::string_view text);

}  // namespace trialmatch
