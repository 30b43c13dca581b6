#pragma once
// How match and explain results read: JSON per shared/spec/cli.md, and text
// for a coordinator at a terminal (aligned; colour only when asked).
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/evaluate.hpp"

namespace trialmatch {

nlohmann::ordered_json criterion_json(const CriterionResult& c);
nlohmann::ordered_json trial_result_json(const TrialResult& r, bool with_criteria = true);
nlohmann::ordered_json match_json(const Profile& p, Date as_of, const std::vector<TrialResult>& results);
nlohmann::ordered_json explain_json(const Profile& p, Date as_of, const TrialResult& result);

struct TextStyle {
  bool colour = false;
  int width = 100;
};

void print_match_text(std::ostream& out, const Profile& p, Date as_of, const std::vector<TrialResult>& results,
                      const TextStyle& style);
void print_explain_text(std::ostream& out, const Profile& p, Date as_of, const TrialResult& result, const TextStyle& style);

}  // namespace trialmatch
