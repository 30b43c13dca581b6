#pragma once
// Renders trials and their split criteria for `trialmatch compile`.
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/trial.hpp"

namespace trialmatch {

// The shape of shared/spec/cli.md "compile --format json", keys in that order.
nlohmann::ordered_json compile_json(const std::vector<Trial>& trials);

// A person's view: each trial's facts, then its criteria by section, long
// texts wrapped under their id.
void print_compile_text(std::ostream& out, const std::vector<Trial>& trials, int width = 100);

std::string format_phases(const std::vector<std::string>& phases);

// Greedy word wrap to `width` columns: the first line continues from column
// `first_col`, later lines start at `indent`.
void wrap(std::ostream& out, const std::string& text, std::size_t first_col, std::size_t indent, std::size_t width);

// Per trial and in total: computable / partial / manual / unparsed.
void print_coverage_text(std::ostream& out, const std::vector<Trial>& trials);
nlohmann::ordered_json coverage_json(const std::vector<Trial>& trials);

// The criterion text with unparsed spans marked «like this».
std::string mark_unparsed(const Criterion& c);

}  // namespace trialmatch
