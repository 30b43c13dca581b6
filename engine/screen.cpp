#include "engine/screen.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "engine/json_util.hpp"
#include "patients/patient_loader.hpp"

namespace trialmatch {

using nlohmann::ordered_json;

// ---------------------------------------------------------------- summary

void ScreenSummary::merge(const ScreenSummary& o) {
  records += o.records;
  errors += o.errors;
  if (trials.empty()) {
    trials = o.trials;
    return;
  }
  for (std::size_t t = 0; t < trials.size() && t < o.trials.size(); ++t) {
    trials[t].eligible += o.trials[t].eligible;
    trials[t].undetermined += o.trials[t].undetermined;
    trials[t].ineligible += o.trials[t].ineligible;
    for (std::size_t c = 0; c < trials[t].criteria.size(); ++c) {
      trials[t].criteria[c].failed += o.trials[t].criteria[c].failed;
      trials[t].criteria[c].unknown += o.trials[t].criteria[c].unknown;
    }
  }
}

ordered_json ScreenSummary::to_json() const {
  ordered_json j;
  j["records"] = records;
  j["errors"] = errors;
  ordered_json ts = ordered_json::array();
  for (const auto& t : trials) {
    ordered_json tj;
    tj["trial"] = t.id;
    tj["eligible"] = t.eligible;
    tj["undetermined"] = t.undetermined;
    tj["ineligible"] = t.ineligible;
    ordered_json cs = ordered_json::array();
    for (const auto& c : t.criteria) {
      ordered_json cj;
      cj["id"] = c.id;
      cj["kind"] = c.kind;
      cj["failed"] = c.failed;
      cj["unknown"] = c.unknown;
      cs.push_back(std::move(cj));
    }
    tj["criteria"] = std::move(cs);
    ts.push_back(std::move(tj));
  }
  j["trials"] = std::move(ts);
  return j;
}

void ScreenSummary::print(std::ostream& out) const {
  char buf[256];
  out << "Screened " << records << " record" << (records == 1 ? "" : "s") << " (" << errors << " unreadable)\n";
  for (const auto& t : trials) {
    std::snprintf(buf, sizeof buf, "\n%s  eligible %llu  undetermined %llu  ineligible %llu\n", t.id.c_str(),
                  static_cast<unsigned long long>(t.eligible), static_cast<unsigned long long>(t.undetermined),
                  static_cast<unsigned long long>(t.ineligible));
    out << buf;
    out << "  criterion             failed   unknown\n";
    for (const auto& c : t.criteria) {
      if (c.failed == 0 && c.unknown == 0) continue;
      std::snprintf(buf, sizeof buf, "  %-18s %9llu %9llu\n", c.id.c_str(), static_cast<unsigned long long>(c.failed),
                    static_cast<unsigned long long>(c.unknown));
      out << buf;
    }
  }
}

namespace {

ScreenSummary empty_summary(const std::vector<TrialPlan>& plans) {
  ScreenSummary s;
  for (const auto& p : plans) {
    ScreenSummary::TrialCounts t;
    t.id = p.trial->id;
    for (const auto& c : p.criteria) t.criteria.push_back({c.criterion->id, to_string(c.criterion->kind), 0, 0});
    s.trials.push_back(std::move(t));
  }
  return s;
}

void json_escape(std::string& out, std::string_view s) {
  out += '"';
  // Ids rarely need escaping: copy them whole when they do not.
  if (std::none_of(s.begin(), s.end(), [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; })) {
    out += s;
    out += '"';
    return;
  }
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void csv_field(std::string& out, std::string_view s) {
  bool quote = s.find_first_of(",\"\n\r") != std::string_view::npos;
  if (!quote) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string error_record(std::uint64_t line_no, const std::string& message, const ScreenOptions& o) {
  std::string out;
  if (o.format == ScreenFormat::csv) {
    out += std::to_string(line_no) + ",,,,,,,,,";
    csv_field(out, message);
  } else {
    out += "{\"line\":" + std::to_string(line_no) + ",\"error\":";
    json_escape(out, message);
    out += '}';
  }
  out += '\n';
  return out;
}

}  // namespace

std::string csv_header() { return "line,patient,trial,verdict,score,not_met,excluded_by,unknown,cohort,error\n"; }

ScreenTables::ScreenTables(const std::vector<TrialPlan>& plans) {
  std::vector<std::size_t> by_id(plans.size());
  for (std::size_t t = 0; t < plans.size(); ++t) by_id[t] = t;
  std::stable_sort(by_id.begin(), by_id.end(), [&](auto a, auto b) { return plans[a].trial->id < plans[b].trial->id; });
  trials.resize(plans.size());
  trial_of_rank = by_id;
  for (std::size_t r = 0; r < by_id.size(); ++r) trials[by_id[r]].id_rank = r;
  for (std::size_t t = 0; t < plans.size(); ++t) {
    TrialTable& tt = trials[t];
    json_escape(tt.json_id, plans[t].trial->id);
    csv_field(tt.csv_id, plans[t].trial->id);
    int computable = 0;
    for (const auto& cp : plans[t].criteria) {
      std::string j;
      json_escape(j, cp.criterion->id);
      tt.json_criteria.push_back(std::move(j));
      tt.csv_criteria.push_back(cp.criterion->id);  // criterion ids hold no commas or quotes
      tt.inclusion.push_back(cp.criterion->kind == CriterionKind::inclusion);
      auto status = cp.criterion->compiled.status;
      computable += status == grammar::Status::computable || status == grammar::Status::partial;
    }
    for (int passing = 0; passing <= computable; ++passing) {
      tt.score.push_back(lean_score(passing, computable));
      tt.score_text.push_back(ast::format_number(tt.score.back()));
    }
    tt.json_head = "{\"trial\":" + tt.json_id + ",\"verdict\":\"";
    for (const auto& variant : plans[t].cohorts) {
      std::string label;
      json_escape(label, variant.cohort);
      tt.cohort_json_heads.push_back("{\"trial\":" + tt.json_id + ",\"cohort\":" + label + ",\"verdict\":\"");
      tt.cohort_csv.emplace_back();
      csv_field(tt.cohort_csv.back(), variant.cohort);
    }
    for (Verdict v : {Verdict::eligible, Verdict::undetermined, Verdict::ineligible})
      for (const auto& score : tt.score_text)
        tt.json_verdict_score[static_cast<int>(v)].push_back(std::string(to_string(v)) + "\",\"score\":" + score + ",\"not_met\":[");
  }
}

Screener::Screener(const std::vector<TrialPlan>& plans, const ScreenTables& tables, const Lexicon& lexicon,
                   const ScreenOptions& options)
    : plans_(plans), tables_(tables), lexicon_(lexicon), options_(options), today_(today_utc()), builder_(lexicon), memo_(plans) {
  criteria_.resize(plans.size());
  for (std::size_t t = 0; t < plans.size(); ++t) {
    criteria_[t].resize(plans[t].criteria.size());
    fill_fixed(plans[t], criteria_[t]);
  }
  cohort_criteria_.resize(plans.size());
  cohort_codes_.resize(plans.size());
  chosen_.assign(plans.size(), 0);
  for (std::size_t t = 0; t < plans.size(); ++t) {
    for (const auto& variant : plans[t].cohorts) {
      cohort_criteria_[t].emplace_back(variant.criteria.size());
      fill_fixed(variant, cohort_criteria_[t].back());
    }
    cohort_codes_[t].resize(plans[t].cohorts.size());
  }
  results_.resize(plans.size());
  codes_.resize(plans.size());
  order_.resize(plans.size());
}

void Screener::screen_line(std::string_view line, std::uint64_t line_no, std::string& out, ScreenSummary& summary,
                           bool padded) {
  ++summary.records;
  auto fail = [&](const std::string& message) {
    ++summary.errors;
    out += error_record(line_no, message, options_);
  };
  std::string_view trimmed = line;
  while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
  if (trimmed.find_first_not_of(" \t") == std::string_view::npos) return fail("empty line: no patient record");
  try {
    const LeanFacts* facts = nullptr;
    if (options_.fast_reader) {
      if (auto read = padded ? reader_.read_padded(trimmed, builder_) : reader_.read(trimmed, builder_)) {
        id_.assign(read->id);
        id_plain_ = true;
        facts = &builder_.finish(options_.as_of ? *options_.as_of : read->as_of ? *read->as_of : today_);
      }
    }
    if (!facts) {
      auto doc = parse_json(trimmed, options_.input_name);
      Diagnostics warnings;  // unknown keys and the like do not stop a batch
      profile_ = load_patient(doc, options_.input_name, lexicon_, warnings);
      id_ = profile_.id;
      id_plain_ = false;
      Date as_of = options_.as_of ? *options_.as_of : profile_.as_of ? *profile_.as_of : today_;
      facts = &builder_.from_profile(profile_, as_of);
    }
    memo_.next_patient();
    if (refill_fixed_) {
      for (std::size_t t = 0; t < plans_.size(); ++t) {
        fill_fixed(plans_[t], criteria_[t]);
        for (std::size_t v = 0; v < plans_[t].cohorts.size(); ++v) fill_fixed(plans_[t].cohorts[v], cohort_criteria_[t][v]);
      }
      refill_fixed_ = false;
    }
    refill_fixed_ = facts->answers != nullptr;
    for (std::size_t t = 0; t < plans_.size(); ++t) {
      if (!plans_[t].cohorts.empty()) {
        evaluate_cohorts(t, *facts);
        continue;
      }
      results_[t] = evaluate_trial_lean(plans_[t], *facts, criteria_[t], &memo_, t, true,
                                        plans_[t].lean.masks.size() > 1 ? &codes_[t] : nullptr);
    }
  } catch (const InputError& e) {
    // Name the input, the line and the field: "patients.jsonl:17: error: /sex: ...".
    Diagnostic d = e.diagnostic();
    d.file = options_.input_name;
    d.line = static_cast<int>(line_no);
    return fail(d.str());
  } catch (const std::exception& e) {
    return fail(options_.input_name + ":" + std::to_string(line_no) + ": error: " + e.what());
  }
  write(line_no, out, summary);
}

// A trial with cohorts: each cohort evaluated, the best one's outcomes kept
// as the trial's (evaluate_trial() chooses the same way). The outcome codes
// end in the chosen cohort's index, so a pattern is found only for it.
void Screener::evaluate_cohorts(std::size_t t, const LeanFacts& facts) {
  const auto& variants = plans_[t].cohorts;
  std::size_t best = 0;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    LeanTrialResult r = evaluate_trial_lean(variants[v], facts, cohort_criteria_[t][v], nullptr, 0, true, &cohort_codes_[t][v]);
    const bool better = v == 0 || (r.verdict != results_[t].verdict
                                       ? static_cast<int>(r.verdict) < static_cast<int>(results_[t].verdict)
                                       : r.passing > results_[t].passing);
    if (better) {
      results_[t] = r;
      best = v;
    }
  }
  chosen_[t] = static_cast<std::uint32_t>(best);
  criteria_[t] = cohort_criteria_[t][best];
  codes_[t] = cohort_codes_[t][best];
  codes_[t].push_back(best);
}

namespace {

void count(ScreenSummary::TrialCounts& tc, const std::vector<bool>& inclusion, std::span<const LeanCriterion> cs,
           Verdict verdict, std::uint64_t times) {
  (verdict == Verdict::eligible ? tc.eligible : verdict == Verdict::undetermined ? tc.undetermined : tc.ineligible) += times;
  for (std::size_t c = 0; c < cs.size(); ++c) {
    if (inclusion[c] ? cs[c].outcome == Outcome::not_met : cs[c].outcome == Outcome::met) tc.criteria[c].failed += times;
    if (cs[c].outcome == Outcome::unknown && !cs[c].manual) tc.criteria[c].unknown += times;
  }
}

constexpr std::size_t max_patterns = 4096;  // per trial and thread: memory stays bounded (index: twice as many slots)

}  // namespace

// One trial's entry: JSON `{"trial":...}` and CSV `trial,verdict,score,not_met,excluded_by,unknown,\n`.
void Screener::compose(std::size_t t, std::string& json, std::string& csv) const {
  const auto& table = tables_.trials[t];
  const auto& cs = criteria_[t];
  const LeanTrialResult& r = results_[t];
  auto not_met = [&](std::size_t c) { return table.inclusion[c] && cs[c].outcome == Outcome::not_met; };
  auto excluded = [&](std::size_t c) { return !table.inclusion[c] && cs[c].outcome == Outcome::met; };
  auto unknown = [&](std::size_t c) { return cs[c].outcome == Outcome::unknown && !cs[c].manual; };
  auto confirm = [&](std::size_t c) { return cs[c].outcome == Outcome::unknown && cs[c].manual; };
  auto ids = [&](std::string& out, auto&& pick, char sep, const std::vector<std::string>& names) {
    bool first = true;
    for (std::size_t c = 0; c < cs.size(); ++c) {
      if (!pick(c)) continue;
      if (!first) out += sep;
      first = false;
      out += names[c];
    }
  };
  const bool cohorts = !plans_[t].cohorts.empty();
  json.clear();
  json += cohorts ? table.cohort_json_heads[chosen_[t]] : table.json_head;
  json += table.json_verdict_score[static_cast<int>(r.verdict)][static_cast<std::size_t>(r.passing)];
  ids(json, not_met, ',', table.json_criteria);
  json += "],\"excluded_by\":[";
  ids(json, excluded, ',', table.json_criteria);
  json += "],\"unknown\":[";
  ids(json, unknown, ',', table.json_criteria);
  json += "],\"to_confirm\":[";
  ids(json, confirm, ',', table.json_criteria);
  json += "]}";
  csv.clear();
  csv += table.csv_id;
  csv += ',';
  csv += to_string(r.verdict);
  csv += ',';
  csv += table.score_text[static_cast<std::size_t>(r.passing)];
  csv += ',';
  ids(csv, not_met, ';', table.csv_criteria);  // criterion ids hold no commas or quotes
  csv += ',';
  ids(csv, excluded, ';', table.csv_criteria);
  csv += ',';
  ids(csv, unknown, ';', table.csv_criteria);
  csv += ',';
  if (cohorts) csv += table.cohort_csv[chosen_[t]];
  csv += ",\n";
}

// rank(): eligible, undetermined, ineligible; then score, highest first;
// then id. One integer key per trial, sorted by insertion (few trials).
std::uint64_t Screener::rank_key(std::size_t t) const {
  const auto& table = tables_.trials[t];
  auto score = static_cast<std::uint64_t>(std::llround(table.score[static_cast<std::size_t>(results_[t].passing)] * 10000));
  return static_cast<std::uint64_t>(results_[t].verdict) << 56 | (10000 - score) << 32 | table.id_rank;
}

void Screener::write(std::uint64_t line_no, std::string& out, ScreenSummary& summary) {
  const std::size_t n = plans_.size();
  if (patterns_.size() != n) {
    rank_keys_.resize(n);
    patterns_.resize(n);
    json_.resize(n);
    csv_.resize(n);
    scratch_json_.resize(n);
    scratch_csv_.resize(n);
  }
  for (std::size_t t = 0; t < n; ++t) {
    const auto& cs = criteria_[t];
    const bool exact = plans_[t].lean.masks.size() <= 1 && plans_[t].cohorts.empty();
    const std::uint64_t sig = results_[t].signature;
    TrialPatterns& tp = patterns_[t];
    Pattern* p = tp.find(sig, codes_[t], exact);
    if (!p && tp.patterns.size() < max_patterns) {
      Pattern fresh;
      compose(t, fresh.json, fresh.csv);
      fresh.criteria = cs;
      if (!exact) fresh.packed = codes_[t];
      fresh.verdict = results_[t].verdict;
      fresh.rank_key = rank_key(t);
      p = &tp.add(sig, std::move(fresh));
    }
    if (p) {
      ++p->count;
      json_[t] = &p->json;
      csv_[t] = &p->csv;
      rank_keys_[t] = p->rank_key;
    } else {
      compose(t, scratch_json_[t], scratch_csv_[t]);
      count(summary.trials[t], tables_.trials[t].inclusion, cs, results_[t].verdict, 1);
      json_[t] = &scratch_json_[t];
      csv_[t] = &scratch_csv_[t];
      rank_keys_[t] = rank_key(t);
    }
  }
  // The keys are sorted themselves, not indices by key (no indirection):
  // each ends in its trial's id rank, so they are distinct and name their
  // trial.
  sorted_keys_.assign(rank_keys_.begin(), rank_keys_.end());
  if (n > 16) {
    std::sort(sorted_keys_.begin(), sorted_keys_.end());
  } else {
    for (std::size_t a = 1; a < n; ++a)
      for (std::size_t b = a; b > 0 && sorted_keys_[b] < sorted_keys_[b - 1]; --b) std::swap(sorted_keys_[b], sorted_keys_[b - 1]);
  }
  for (std::size_t k = 0; k < n; ++k) order_[k] = tables_.trial_of_rank[sorted_keys_[k] & 0xffffffffu];
  if (options_.format == ScreenFormat::csv) {
    char number[24];
    auto [end, ec] = std::to_chars(number, number + sizeof number, line_no);
    std::string prefix(number, static_cast<std::size_t>(end - number));
    prefix += ',';
    csv_field(prefix, id_);
    prefix += ',';
    for (std::size_t t : order_) {
      out += prefix;
      out += *csv_[t];
    }
    return;
  }
  // In one piece: sized first, then copied in (a dozen appends, each
  // checking capacity, cost more than the copying). An id from the fast
  // reader needs no escaping; any other is escaped first.
  std::string_view id = id_;
  std::string_view quote = "\"";
  if (!id_plain_) {
    escaped_id_.clear();
    json_escape(escaped_id_, id_);  // quotes included
    id = escaped_id_;
    quote = "";  // a literal: memcpy must not be given a null pointer, even for no bytes
  }
  static constexpr std::string_view head = "{\"patient\":", middle = ",\"results\":[", tail = "]}\n";
  std::size_t size = head.size() + 2 * quote.size() + id.size() + middle.size() + tail.size() + (n ? n - 1 : 0);
  for (std::size_t t = 0; t < n; ++t) size += json_[t]->size();
  const std::size_t at = out.size();
  out.resize(at + size);
  char* w = out.data() + at;
  auto put = [&w](std::string_view s) {
    std::memcpy(w, s.data(), s.size());
    w += s.size();
  };
  put(head);
  put(quote);
  put(id);
  put(quote);
  put(middle);
  for (std::size_t k = 0; k < n; ++k) {
    if (k) *w++ = ',';
    put(*json_[order_[k]]);
  }
  put(tail);
}

namespace {
std::size_t slot_of(std::uint64_t signature, std::size_t mask) { return (signature * 0x9E3779B97F4A7C15ull) >> 40 & mask; }
}  // namespace

Screener::Pattern* Screener::TrialPatterns::find(std::uint64_t signature, const std::vector<std::uint64_t>& packed,
                                                  bool exact) {
  const std::size_t mask = index.size() - 1;
  for (std::size_t slot = slot_of(signature, mask); index[slot].second != UINT32_MAX;
       slot = (slot + 1) & mask) {
    if (index[slot].first != signature) continue;
    Pattern& p = patterns[index[slot].second];
    if (exact || p.packed == packed) return &p;
  }
  return nullptr;
}

Screener::Pattern& Screener::TrialPatterns::add(std::uint64_t signature, Pattern pattern) {
  patterns.push_back(std::move(pattern));
  if (2 * patterns.size() > index.size()) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> grown(2 * index.size(), {0, UINT32_MAX});
    const std::size_t mask = grown.size() - 1;
    for (const auto& entry : index)
      if (entry.second != UINT32_MAX) {
        std::size_t slot = slot_of(entry.first, mask);
        while (grown[slot].second != UINT32_MAX) slot = (slot + 1) & mask;
        grown[slot] = entry;
      }
    index.swap(grown);
  }
  const std::size_t mask = index.size() - 1;
  std::size_t slot = slot_of(signature, mask);
  while (index[slot].second != UINT32_MAX) slot = (slot + 1) & mask;
  index[slot] = {signature, static_cast<std::uint32_t>(patterns.size() - 1)};
  return patterns.back();
}

void Screener::flush(ScreenSummary& summary) {
  for (std::size_t t = 0; t < patterns_.size(); ++t)
    for (auto& p : patterns_[t].patterns) {
      count(summary.trials[t], tables_.trials[t].inclusion, p.criteria, p.verdict, p.count);
      p.count = 0;
    }
}

namespace {

// Bytes that grow without being zeroed first (input is read straight in).
// Large buffers are 2 MB aligned and offered to the kernel as huge pages:
// a round's buffer is megabytes, and faulting it in 4 kB at a time showed
// in the time of a short run.
class Bytes {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  // Every line read into it can be parsed in place: the parser may read
  // this far past the end.
  static constexpr std::size_t slack = 64;
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    Storage grown = allocate(n + slack);
    if (size_) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = n;
  }
  void resize(std::size_t n) {
    if (n > capacity_) reserve(std::max(n, 2 * capacity_));
    size_ = n;
  }
  void assign(const char* from, std::size_t n) {
    resize(n);
    if (n) std::memmove(data_.get(), from, n);
  }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  using Storage = std::unique_ptr<char[], Free>;
  static Storage allocate(std::size_t n) {
    constexpr std::size_t huge = std::size_t{2} << 20;
    if (n < huge / 2) {
      void* p = std::malloc(n);
      if (!p) throw std::bad_alloc();
      return Storage(static_cast<char*>(p));
    }
    const std::size_t rounded = (n + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without it, ordinary pages
#endif
    return Storage(static_cast<char*>(p));
  }
  Storage data_;
  std::size_t size_ = 0, capacity_ = 0;
};

// A round of input lines, so the next round can be read while this one is
// screened: either copied into `data` (a stream) or a view of a mapped file.
struct Round {
  Bytes data;
  const char* base = nullptr;  // lines are offsets from here
  std::vector<std::pair<std::size_t, std::size_t>> lines;  // offset, length (no newline)
  // Lines from this one on are not followed by FastProfileReader::kPadding
  // readable bytes (the end of a mapped file), so the reader copies them.
  std::size_t unpadded_from = 0;
  std::size_t bytes = 0;  // input bytes the round covers
  std::uint64_t first_line = 0;
  std::size_t batches = 0;
  std::vector<std::string> outputs;  // one per batch, in order
  std::atomic<std::size_t> next{0};  // the next batch to take
  std::size_t left = 0;              // workers done with the round (under the mutex)
};

// Where rounds come from.
class LineSource {
 public:
  virtual ~LineSource() = default;
  // Up to `max_lines` whole lines, or about `max_bytes`, into `r`; no lines
  // at the end of the input.
  virtual void fill(Round& r, std::size_t max_lines, std::size_t max_bytes) = 0;
  // Every round before `r` and `r` itself have been written.
  virtual void done(const Round&) {}
};

// Finds the lines in [from, end) from offset `start` on, as `fill` asks;
// returns where the next line starts.
std::size_t split_lines(Round& r, const char* from, std::size_t start, std::size_t end, std::size_t max_lines,
                        std::size_t max_bytes) {
  while (r.lines.size() < max_lines && start < max_bytes && start < end) {
    const void* nl = std::memchr(from + start, '\n', end - start);
    if (!nl) break;
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - from);
    r.lines.emplace_back(start, at - start);
    start = at + 1;
  }
  return start;
}

class StreamSource final : public LineSource {
 public:
  StreamSource(std::istream& in, std::size_t reserve) : in_(in), reserve_(reserve) {}
  void fill(Round& r, std::size_t max_lines, std::size_t max_bytes) override {
    // The round keeps its own buffer (and so its capacity): only the
    // partial line left over from the last fill is copied.
    r.data.reserve(reserve_);
    r.data.assign(carry_.data(), carry_.size());
    r.lines.clear();
    std::size_t start = 0;
    for (;;) {
      start = split_lines(r, r.data.data(), start, r.data.size(), max_lines, max_bytes);
      if (r.lines.size() >= max_lines || start >= max_bytes) break;
      if (eof_) {
        if (start < r.data.size()) r.lines.emplace_back(start, r.data.size() - start);  // no final newline
        start = r.data.size();
        break;
      }
      constexpr std::size_t block = 1 << 18;
      std::size_t old = r.data.size();
      r.data.resize(old + block);
      in_.read(r.data.data() + old, static_cast<std::streamsize>(block));
      std::size_t got = static_cast<std::size_t>(in_.gcount());
      r.data.resize(old + got);
      if (got == 0) eof_ = true;
    }
    carry_.assign(r.data.data() + start, r.data.size() - start);
    r.data.resize(start);
    r.base = r.data.data();
    r.bytes = start;
    r.unpadded_from = r.lines.size();
  }

 private:
  std::istream& in_;
  std::size_t reserve_;
  Bytes carry_;
  bool eof_ = false;
};

// A regular file, mapped: lines are read where they lie, with no copy, and
// the pages of rounds already written are given back, so memory stays flat
// however large the file.
class MappedSource final : public LineSource {
 public:
  MappedSource(const char* data, std::size_t size) : data_(data), size_(size) {
    // Bytes past the end of the file are readable up to the end of its last
    // page; a line that ends closer to the end of the mapping than the
    // reader reads ahead is copied by the reader instead.
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    readable_ = (size_ + page - 1) / page * page;
    page_ = page;
  }
  void fill(Round& r, std::size_t max_lines, std::size_t max_bytes) override {
    r.lines.clear();
    r.base = data_ + pos_;
    const std::size_t left = size_ - pos_;
    const std::size_t end = std::min(left, max_bytes + (std::size_t{1} << 20));
    std::size_t next = split_lines(r, r.base, 0, end, max_lines, max_bytes);
    if (r.lines.size() < max_lines && next < max_bytes && next < end) {
      if (end == left) {
        r.lines.emplace_back(next, left - next);  // no final newline
        next = left;
      } else if (r.lines.empty()) {
        // One line longer than a round: it is the round.
        const void* nl = std::memchr(r.base + end, '\n', left - end);
        const std::size_t at = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - r.base) : left;
        r.lines.emplace_back(0, at);
        next = std::min(at + 1, left);
      }
    }
    r.bytes = next;
    r.unpadded_from = r.lines.size();
    while (r.unpadded_from > 0) {
      const auto& [offset, length] = r.lines[r.unpadded_from - 1];
      if (pos_ + offset + length + FastProfileReader::kPadding <= readable_) break;
      --r.unpadded_from;
    }
    pos_ += next;
  }
  void done(const Round& r) override {
    // Whole pages below the round's end are no longer needed.
    const std::size_t upto = static_cast<std::size_t>(r.base + r.bytes - data_) / page_ * page_;
    if (upto > released_) {
      ::madvise(const_cast<char*>(data_) + released_, upto - released_, MADV_DONTNEED);
      released_ = upto;
    }
  }

 private:
  const char* data_;
  std::size_t size_, readable_ = 0, page_ = 4096, pos_ = 0, released_ = 0;
};

// The round size in bytes: a round holds up to this and the line that
// crossed it.
constexpr std::size_t kRoundBytes = std::size_t{8} << 20;

ScreenSummary screen_lines(LineSource& source, std::ostream& out, const std::vector<TrialPlan>& plans,
                           const Lexicon& lexicon, const ScreenOptions& options) {
  static_assert(Bytes::slack >= 64);
  if (FastProfileReader::kPadding > Bytes::slack) throw std::logic_error("the profile reader needs more padding than the line buffer keeps");
  const std::size_t threads = static_cast<std::size_t>(std::max(1, options.threads));
  const ScreenTables tables(plans);
  std::vector<std::unique_ptr<Screener>> screeners;
  for (std::size_t w = 0; w < threads; ++w) screeners.push_back(std::make_unique<Screener>(plans, tables, lexicon, options));
  std::vector<ScreenSummary> summaries(threads, empty_summary(plans));
  if (options.format == ScreenFormat::csv) out << csv_header();

  // Output grows with the trials screened: fewer lines per batch when there
  // are many trials keeps the output in flight to a few megabytes.
  std::size_t batch = std::max<std::size_t>(1, options.batch_lines);
  if (plans.size() > 5) batch = std::max<std::size_t>(8, batch * 5 / plans.size());
  // Many small batches per thread keep every thread busy to the end of a
  // round; two rounds in flight (one read, one screened) keep memory flat.
  // Sixteen per thread: more rounds cost more waits at their ends, larger
  // ones more memory touched for the first time (page faults showed in
  // the time of runs of 10⁵ patients at 32).
  const std::size_t round_lines = batch * threads * 16;

  Round rounds[2];
  std::uint64_t line_no = 0, bytes = 0;
  auto load = [&](Round& r) {
    source.fill(r, round_lines, kRoundBytes);
    r.first_line = line_no + 1;
    line_no += r.lines.size();
    bytes += r.bytes;
    r.batches = (r.lines.size() + batch - 1) / batch;
    if (r.outputs.size() < r.batches) r.outputs.resize(r.batches);
  };

  // Round n is read into rounds[n % 2] once round n - 2 is written, and
  // published; every thread takes its batches until none is left. Workers
  // 1.. then go straight on to round n + 1 (already read, as a rule) while
  // worker 0, this thread, waits for round n's last batch and writes it.
  std::mutex mutex;
  std::condition_variable wake, finished;
  std::uint64_t published = 0;  // rounds published so far
  bool end = false;             // no round after the last published one
  auto run = [&](std::size_t worker, Round& r) {
    Screener& screener = *screeners[worker];
    ScreenSummary& summary = summaries[worker];
    for (std::size_t b; (b = r.next.fetch_add(1)) < r.batches;) {
      std::string& o = r.outputs[b];
      o.clear();
      std::size_t last = std::min(r.lines.size(), (b + 1) * batch);
      for (std::size_t k = b * batch; k < last; ++k)
        screener.screen_line(std::string_view(r.base + r.lines[k].first, r.lines[k].second), r.first_line + k, o,
                             summary, k < r.unpadded_from);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < threads; ++w)
    pool.emplace_back([&, w] {
      for (std::uint64_t n = 0;; ++n) {
        {
          std::unique_lock lock(mutex);
          wake.wait(lock, [&] { return published > n || end; });
          if (published <= n) return;
        }
        Round& r = rounds[n % 2];
        run(w, r);
        // Left after a failed take: every batch this worker took is done.
        std::lock_guard lock(mutex);
        if (++r.left == threads - 1) finished.notify_one();
      }
    });
  auto publish = [&](Round& r) {
    r.next = 0;
    r.left = 0;
    {
      std::lock_guard lock(mutex);
      if (r.lines.empty()) end = true;
      else ++published;
    }
    wake.notify_all();
  };

  auto start = std::chrono::steady_clock::now();
  auto last_draw = start;
  int k = 0;
  load(rounds[0]);
  publish(rounds[0]);
  while (!rounds[k].lines.empty()) {
    Round& r = rounds[k];
    load(rounds[k ^ 1]);
    publish(rounds[k ^ 1]);
    run(0, r);
    {
      std::unique_lock lock(mutex);
      finished.wait(lock, [&] { return r.left == threads - 1; });
    }
    for (std::size_t b = 0; b < r.batches; ++b) out.write(r.outputs[b].data(), static_cast<std::streamsize>(r.outputs[b].size()));
    source.done(r);
    const bool last = rounds[k ^ 1].lines.empty();
    if (options.progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_draw > std::chrono::milliseconds(200) || last) {
        last_draw = now;
        std::uint64_t done_lines = r.first_line + r.lines.size() - 1;
        double secs = std::chrono::duration<double>(now - start).count();
        double rate = secs > 0 ? done_lines / secs : 0;
        char buf[160];
        int n = std::snprintf(buf, sizeof buf, "\r  %llu records  %.0f records/s", static_cast<unsigned long long>(done_lines), rate);
        std::string text(buf, static_cast<std::size_t>(std::max(0, n)));
        if (options.input_size > 0 && bytes > 0) {
          double done = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(options.input_size));
          double eta = done > 0 ? secs * (1 - done) / done : 0;
          std::snprintf(buf, sizeof buf, "  %3.0f%%  ETA %d:%02d   ", 100 * done, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
          text += buf;
        }
        *options.progress << text << std::flush;
      }
    }
    k ^= 1;
  }
  for (auto& t : pool) t.join();
  for (std::size_t w = 0; w < threads; ++w) screeners[w]->flush(summaries[w]);
  if (options.progress) *options.progress << "\n";
  out.flush();
  ScreenSummary total = empty_summary(plans);
  for (const auto& s : summaries) total.merge(s);
  return total;
}

}  // namespace

ScreenSummary screen(std::istream& in, std::ostream& out, const std::vector<TrialPlan>& plans, const Lexicon& lexicon,
                     const ScreenOptions& options) {
  // A round holds up to kRoundBytes and the block that crossed it.
  StreamSource source(in, kRoundBytes + (std::size_t{1} << 19));
  return screen_lines(source, out, plans, lexicon, options);
}

ScreenSummary screen(const std::string& path, std::ostream& out, const std::vector<TrialPlan>& plans,
                     const Lexicon& lexicon, const ScreenOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError({Severity::error, path, 0, 0, "", "cannot open file"});
  struct stat st {};
  void* map = MAP_FAILED;
  std::size_t size = 0;
  const bool stat_ok = ::fstat(fd, &st) == 0;
  if (stat_ok && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw InputError({Severity::error, path, 0, 0, "", "is a directory, not a patients file"});
  }
  if (stat_ok && S_ISREG(st.st_mode) && st.st_size > 0) {
    size = static_cast<std::size_t>(st.st_size);
    map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  }
  if (map == MAP_FAILED) {
    // A pipe, a terminal, an empty file, or no address space: a stream.
    ::close(fd);
    std::ifstream file(path, std::ios::binary);
    if (!file) throw InputError({Severity::error, path, 0, 0, "", "cannot open file"});
    return screen(file, out, plans, lexicon, options);
  }
  ::close(fd);  // the mapping keeps the file
  struct Unmap {
    void* p;
    std::size_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{map, size};
  ::madvise(map, size, MADV_SEQUENTIAL);
  MappedSource source(static_cast<const char*>(map), size);
  return screen_lines(source, out, plans, lexicon, options);
}

}  // namespace trialmatch
