#pragma once
// Batch screening: JSON Lines of patients in, one record per input line out,
// in input order, whatever the thread count; memory bounded by a window of
// lines in flight, not by the number of patients.
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/evaluate.hpp"

namespace trialmatch {

enum class ScreenFormat { jsonl, csv };

struct ScreenOptions {
  int threads = 1;
  std::optional<Date> as_of;       // --as-of; else each profile's, else today
  ScreenFormat format = ScreenFormat::jsonl;
  std::string input_name = "<stdin>";
  std::uintmax_t input_size = 0;   // bytes, when known (for the ETA)
  std::ostream* progress = nullptr;  // a terminal to draw progress on, or null
  std::size_t batch_lines = 512;   // lines handed to a worker at once
};

// Counts for the attrition funnel: per trial, the verdicts, and per criterion
// how many patients it failed (an inclusion not met, an exclusion met) or
// left unknown.
struct ScreenSummary {
  struct CriterionCounts {
    std::string id;
    std::string kind;
    std::uint64_t failed = 0, unknown = 0;
  };
  struct TrialCounts {
    std::string id;
    std::uint64_t eligible = 0, undetermined = 0, ineligible = 0;
    std::vector<CriterionCounts> criteria;
  };
  std::uint64_t records = 0, errors = 0;
  std::vector<TrialCounts> trials;

  void merge(const ScreenSummary& other);
  nlohmann::ordered_json to_json() const;
  void print(std::ostream& out) const;
};

ScreenSummary screen(std::istream& in, std::ostream& out, const std::vector<TrialPlan>& plans, const Lexicon& lexicon,
                     const ScreenOptions& options);

// One input line to its output record (with the trailing newline); counts go
// into `summary`. Never throws: an unreadable record becomes an error record.
std::string screen_line(std::string_view line, std::uint64_t line_no, const std::vector<TrialPlan>& plans,
                        const Lexicon& lexicon, const ScreenOptions& options, ScreenSummary& summary);

std::string csv_header();

}  // namespace trialmatch
