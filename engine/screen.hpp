#pragma once
// Batch screening: JSON Lines of patients in, one record per input line out,
// in input order, whatever the thread count; memory bounded by a window of
// lines in flight, not by the number of patients.
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/evaluate.hpp"
#include "engine/lean_evaluate.hpp"
#include "patients/profile_fast.hpp"

namespace trialmatch {

enum class ScreenFormat { jsonl, csv };

struct ScreenOptions {
  int threads = 1;
  std::optional<Date> as_of;       // --as-of; else each profile's, else today
  ScreenFormat format = ScreenFormat::jsonl;
  std::string input_name = "<stdin>";
  std::uintmax_t input_size = 0;   // bytes, when known (for the ETA)
  std::ostream* progress = nullptr;  // a terminal to draw progress on, or null
  std::size_t batch_lines = 128;   // lines handed to a worker at once
  // Off: every record goes through the validating loader, as `match` reads
  // it (the tests compare both ways).
  bool fast_reader = true;
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
// The same from a file: a regular file is mapped and its lines read where
// they lie, without a copy; anything else (a pipe) is read as a stream.
ScreenSummary screen(const std::string& path, std::ostream& out, const std::vector<TrialPlan>& plans,
                     const Lexicon& lexicon, const ScreenOptions& options);

// What screening writes for each trial, worked out once: escaped ids, the
// criteria's kinds and the score for every possible count of passes.
struct ScreenTables {
  struct TrialTable {
    std::string json_id, csv_id;
    std::vector<std::string> json_criteria, csv_criteria;
    std::vector<bool> inclusion;
    std::vector<std::string> score_text;  // by passing count
    std::vector<double> score;
    std::size_t id_rank = 0;              // position in id order, for ties
    // JSON Lines pieces: `{"trial":ID,"verdict":"` and, by verdict and
    // passing count, `VERDICT","score":S,"not_met":[`.
    std::string json_head;
    // A trial with cohorts: by cohort, `{"trial":ID,"cohort":LABEL,"verdict":"`
    // and the CSV field of its label.
    std::vector<std::string> cohort_json_heads, cohort_csv;
    std::vector<std::string> json_verdict_score[3];
  };
  std::vector<TrialTable> trials;
  std::vector<std::size_t> trial_of_rank;  // id rank -> trial
  ScreenTables(const std::vector<TrialPlan>& plans);
};

// One worker's screening state, reused from record to record so a record
// costs no allocation in the common case.
class Screener {
 public:
  Screener(const std::vector<TrialPlan>& plans, const ScreenTables& tables, const Lexicon& lexicon,
           const ScreenOptions& options);
  // Appends the output for one input line (and its newline) to `out`;
  // counts go into `summary`. Never throws: an unreadable record becomes an
  // error record.
  // `padded`: FastProfileReader::kPadding allocated bytes follow the line.
  void screen_line(std::string_view line, std::uint64_t line_no, std::string& out, ScreenSummary& summary,
                   bool padded = false);
  // Adds the counts still held per outcome pattern to `summary`; call once
  // the input is done.
  void flush(ScreenSummary& summary);

 private:
  const std::vector<TrialPlan>& plans_;
  const ScreenTables& tables_;
  const Lexicon& lexicon_;
  const ScreenOptions& options_;
  Date today_;
  FastProfileReader reader_;
  LeanFactsBuilder builder_;
  LeanMemo memo_;
  std::vector<std::vector<LeanCriterion>> criteria_;
  // Trials with cohorts: by trial and cohort, the outcomes and their codes;
  // by trial, the cohort chosen for this record.
  std::vector<std::vector<std::vector<LeanCriterion>>> cohort_criteria_;
  std::vector<std::vector<std::vector<std::uint64_t>>> cohort_codes_;
  std::vector<std::uint32_t> chosen_;
  void evaluate_cohorts(std::size_t trial, const LeanFacts& facts);
  std::vector<LeanTrialResult> results_;
  std::vector<std::size_t> order_;
  Profile profile_;  // the validating path's profile, alive while evaluated
  std::string id_;
  bool id_plain_ = false;  // id_ needs no JSON escaping (the fast reader takes no other)
  std::string escaped_id_;  // id_ escaped, when it is not plain
  // A population shows few distinct outcome patterns per trial: each
  // pattern's output is composed once, and its summary counts are kept as
  // one number until flush().
  struct Pattern {
    std::string json, csv;
    std::vector<LeanCriterion> criteria;
    std::vector<std::uint64_t> packed;  // the outcome codes, when more than 32 criteria
    Verdict verdict = Verdict::undetermined;
    std::uint64_t rank_key = 0;
    std::uint64_t count = 0;
  };
  struct TrialPatterns {
    // Open addressing: signature -> pattern (UINT32_MAX: an empty slot),
    // kept at most half full and no larger, so it stays in cache.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> index =
        std::vector<std::pair<std::uint64_t, std::uint32_t>>(16, {0, UINT32_MAX});
    std::vector<Pattern> patterns;
    // `packed` is compared when the signature is a hash (trials of more
    // than 32 criteria); up to 32 the signature is the outcomes themselves.
    Pattern* find(std::uint64_t signature, const std::vector<std::uint64_t>& packed, bool exact);
    Pattern& add(std::uint64_t signature, Pattern pattern);
  };
  std::vector<TrialPatterns> patterns_;
  std::vector<std::uint64_t> rank_keys_, sorted_keys_;
  // This record's outcome codes, by trial, for trials of more than 32
  // criteria (the others' are their signatures).
  std::vector<std::vector<std::uint64_t>> codes_;
  bool refill_fixed_ = false;  // the last record's answers overwrote fixed outcomes
  std::vector<const std::string*> json_, csv_;  // this record's pieces, by trial
  std::vector<std::string> scratch_json_, scratch_csv_;
  void write(std::uint64_t line_no, std::string& out, ScreenSummary& summary);
  void compose(std::size_t trial, std::string& json, std::string& csv) const;
  std::uint64_t rank_key(std::size_t trial) const;
};

std::string csv_header();

}  // namespace trialmatch
