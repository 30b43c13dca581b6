#include "engine/screen.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

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
    out += std::to_string(line_no) + ",,,,,,,,";
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

std::string csv_header() { return "line,patient,trial,verdict,score,not_met,excluded_by,unknown,error\n"; }

std::string screen_line(std::string_view line, std::uint64_t line_no, const std::vector<TrialPlan>& plans,
                        const Lexicon& lexicon, const ScreenOptions& options, ScreenSummary& summary) {
  ++summary.records;
  auto fail = [&](const std::string& message) {
    ++summary.errors;
    return error_record(line_no, message, options);
  };
  std::string_view trimmed = line;
  while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
  if (trimmed.find_first_not_of(" \t") == std::string_view::npos) return fail("empty line: no patient record");
  Profile patient;
  std::vector<TrialResult> results;
  try {
    auto doc = parse_json(trimmed, options.input_name);
    Diagnostics warnings;  // unknown keys and the like do not stop a batch
    patient = load_patient(doc, options.input_name, lexicon, warnings);
    PatientFacts facts(patient, lexicon, resolve_as_of(options.as_of, patient));
    facts.set_explain(false);  // verdicts and reasons only: nothing is printed per criterion
    results.reserve(plans.size());
    for (std::size_t t = 0; t < plans.size(); ++t) {
      results.push_back(evaluate_trial(plans[t], facts, lexicon));
      const TrialResult& r = results.back();
      auto& tc = summary.trials[t];
      (r.verdict == Verdict::eligible ? tc.eligible : r.verdict == Verdict::undetermined ? tc.undetermined : tc.ineligible)++;
      for (std::size_t c = 0; c < r.criteria.size(); ++c) {
        const auto& cr = r.criteria[c];
        bool inclusion = cr.criterion->kind == CriterionKind::inclusion;
        if (inclusion ? cr.outcome == Outcome::not_met : cr.outcome == Outcome::met) ++tc.criteria[c].failed;
        if (cr.outcome == Outcome::unknown && cr.result.reason != Unknown::manual) ++tc.criteria[c].unknown;
      }
    }
  } catch (const InputError& e) {
    // Name the input, the line and the field: "patients.jsonl:17: error: /sex: ...".
    Diagnostic d = e.diagnostic();
    d.file = options.input_name;
    d.line = static_cast<int>(line_no);
    return fail(d.str());
  } catch (const std::exception& e) {
    return fail(options.input_name + ":" + std::to_string(line_no) + ": error: " + e.what());
  }
  rank(results);
  std::string out;
  out.reserve(128 + 160 * results.size());
  // Ids written straight into the output: no lists built per criterion.
  auto ids = [&](const TrialResult& r, auto&& pick, char sep, bool json) {
    bool first = true;
    for (const auto& c : r.criteria) {
      if (!pick(c)) continue;
      if (!first) out += sep;
      first = false;
      if (json) json_escape(out, c.criterion->id);
      else out += c.criterion->id;
    }
  };
  auto not_met = [](const CriterionResult& c) {
    return c.criterion->kind == CriterionKind::inclusion && c.outcome == Outcome::not_met;
  };
  auto excluded = [](const CriterionResult& c) {
    return c.criterion->kind == CriterionKind::exclusion && c.outcome == Outcome::met;
  };
  auto unknown = [](const CriterionResult& c) { return c.outcome == Outcome::unknown && c.result.reason != Unknown::manual; };
  auto confirm = [](const CriterionResult& c) { return c.outcome == Outcome::unknown && c.result.reason == Unknown::manual; };
  if (options.format == ScreenFormat::csv) {
    std::string line_text = std::to_string(line_no) + ",";
    std::string patient_field;
    csv_field(patient_field, patient.id);
    for (const auto& r : results) {
      out += line_text;
      out += patient_field;
      out += ',';
      csv_field(out, r.trial->id);
      out += ',';
      out += to_string(r.verdict);
      out += ',';
      out += ast::format_number(r.score);
      out += ',';
      ids(r, not_met, ';', false);  // criterion ids hold no commas or quotes
      out += ',';
      ids(r, excluded, ';', false);
      out += ',';
      ids(r, unknown, ';', false);
      out += ",\n";
    }
    return out;
  }
  out += "{\"patient\":";
  json_escape(out, patient.id);
  out += ",\"results\":[";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (i) out += ',';
    out += "{\"trial\":";
    json_escape(out, r.trial->id);
    out += ",\"verdict\":\"";
    out += to_string(r.verdict);
    out += "\",\"score\":";
    out += ast::format_number(r.score);
    out += ",\"not_met\":[";
    ids(r, not_met, ',', true);
    out += "],\"excluded_by\":[";
    ids(r, excluded, ',', true);
    out += "],\"unknown\":[";
    ids(r, unknown, ',', true);
    out += "],\"to_confirm\":[";
    ids(r, confirm, ',', true);
    out += "]}";
  }
  out += "]}\n";
  return out;
}

ScreenSummary screen(std::istream& in, std::ostream& out, const std::vector<TrialPlan>& plans, const Lexicon& lexicon,
                     const ScreenOptions& options) {
  const int threads = std::max(1, options.threads);
  // Output grows with the trials screened: fewer lines per batch when there
  // are many trials keeps the lines in flight to a few megabytes.
  std::size_t batch = std::max<std::size_t>(1, options.batch_lines);
  if (plans.size() > 5) batch = std::max<std::size_t>(8, batch * 5 / plans.size());
  // A round holds a few batches per thread: enough to keep every thread busy,
  // few enough that memory stays flat however many patients stream through.
  const std::size_t round_batches = static_cast<std::size_t>(threads) * 4;
  std::vector<ScreenSummary> summaries(static_cast<std::size_t>(threads), empty_summary(plans));
  if (options.format == ScreenFormat::csv) out << csv_header();

  std::vector<std::vector<std::string>> lines(round_batches);
  std::vector<std::string> outputs(round_batches);
  std::uint64_t line_no = 0, bytes = 0;
  auto start = std::chrono::steady_clock::now();
  auto last_draw = start;
  std::string line;
  bool eof = false;
  while (!eof) {
    std::size_t filled = 0;
    std::vector<std::uint64_t> first_line(round_batches, 0);
    for (std::size_t b = 0; b < round_batches; ++b) {
      lines[b].clear();
      first_line[b] = line_no + 1;
      while (lines[b].size() < batch) {
        if (!std::getline(in, line)) {
          eof = true;
          break;
        }
        ++line_no;
        bytes += line.size() + 1;
        lines[b].push_back(std::move(line));
        line.clear();
      }
      if (!lines[b].empty()) filled = b + 1;
      if (eof) break;
    }
    if (filled == 0) break;
    std::atomic<std::size_t> next{0};
    auto work = [&](int worker) {
      for (std::size_t b; (b = next.fetch_add(1)) < filled;) {
        std::string& o = outputs[b];
        o.clear();
        for (std::size_t k = 0; k < lines[b].size(); ++k)
          o += screen_line(lines[b][k], first_line[b] + k, plans, lexicon, options, summaries[static_cast<std::size_t>(worker)]);
      }
    };
    if (threads == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (int w = 0; w < threads; ++w) pool.emplace_back(work, w);
      for (auto& t : pool) t.join();
    }
    for (std::size_t b = 0; b < filled; ++b) out << outputs[b];
    if (options.progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_draw > std::chrono::milliseconds(200) || eof) {
        last_draw = now;
        double secs = std::chrono::duration<double>(now - start).count();
        double rate = secs > 0 ? line_no / secs : 0;
        char buf[160];
        int n = std::snprintf(buf, sizeof buf, "\r  %llu records  %.0f records/s", static_cast<unsigned long long>(line_no), rate);
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
  }
  if (options.progress) *options.progress << "\n";
  out.flush();
  ScreenSummary total = empty_summary(plans);
  for (const auto& s : summaries) total.merge(s);
  return total;
}

}  // namespace trialmatch
