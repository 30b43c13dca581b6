#pragma once
// Reads trials from ClinicalTrials.gov API v2 JSON (one study, an array of
// studies, or an API page {"studies": [...]}) and from trialmatch's native
// trial files (docs/trial-format.md), and gives the bundled trial set.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/trial.hpp"

namespace trialmatch {

// Every trial in one parsed document; `file` names it in messages and
// `source` (the file's text, when known) lets override errors point at a
// line and column. Throws InputError for anything that is not a readable trial.
std::vector<Trial> load_trial_document(const nlohmann::json& doc, const std::string& file,
                                       std::string_view source = {});

// One file, of either format (told apart by content, not by name).
std::vector<Trial> load_trial_file(const std::string& path);

// Files and directories as given to --trials. A directory contributes its
// *.json files in name order and skips everything else (README, notes).
// Trial ids must be unique across all of them.
std::vector<Trial> load_trials(const std::vector<std::string>& paths);

// The trials compiled into the binary from rules/trials/.
std::vector<Trial> bundled_trials();

// "18 Years" -> age in years (fractional for months, weeks, days); throws
// std::invalid_argument when it is not "<number> <unit>".
double registry_age_in_years(const std::string& text);

}  // namespace trialmatch
