#include "engine/report.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "engine/trial_output.hpp"

namespace trialmatch {

using nlohmann::ordered_json;

namespace {

ordered_json evidence_json(const Evidence& e) {
  ordered_json j;
  j["concept"] = e.concept_id;
  if (e.number) j["value"] = *e.number;
  else j["value"] = e.value;
  if (!e.unit.empty()) j["unit"] = e.unit;
  if (!e.date.empty()) j["date"] = e.date;
  if (!e.note.empty()) j["note"] = e.note;
  // No JSON pointer here: a profile and its FHIR twin give the same JSON.
  return j;
}

std::string fixed2(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << v;
  return s.str();
}

const char* colour_of(Verdict v) {
  switch (v) {
    case Verdict::eligible: return "\033[32m";
    case Verdict::undetermined: return "\033[33m";
    case Verdict::ineligible: return "\033[31m";
  }
  return "";
}

const char* colour_of(Outcome o, bool inclusion, Unknown reason) {
  if (o == Outcome::unknown) return reason == Unknown::manual ? "\033[36m" : "\033[33m";
  bool good = inclusion ? o == Outcome::met : o == Outcome::not_met;
  return good ? "\033[32m" : "\033[31m";
}

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string short_reason(const CriterionResult& c) {
  std::string r = c.criterion->id + ": " + c.result.why;
  return r;
}

}  // namespace

ordered_json criterion_json(const CriterionResult& c) {
  ordered_json j;
  j["id"] = c.criterion->id;
  j["kind"] = to_string(c.criterion->kind);
  j["outcome"] = to_string(c.outcome);
  if (c.outcome == Outcome::unknown) j["unknown_reason"] = to_string(c.result.reason);
  j["reason"] = c.result.why;
  ordered_json ev = ordered_json::array();
  for (const auto& e : c.result.evidence) ev.push_back(evidence_json(e));
  j["evidence"] = std::move(ev);
  if (!c.result.needs.empty()) j["needs"] = c.result.needs;
  j["rule"] = c.criterion->compiled.rule ? ordered_json(ast::print(*c.criterion->compiled.rule)) : ordered_json(nullptr);
  j["status"] = grammar::to_string(c.criterion->compiled.status);
  // Which words each comparison of the rule was read from.
  ordered_json read_from = ordered_json::array();
  for (const auto& a : c.criterion->compiled.atoms) {
    if (a.source.empty()) continue;
    std::string part = a.concept_id + " " + ast::to_string(a.op) + " " + ast::format_number(a.value);
    if (!a.unit.empty()) part += " " + a.unit;
    auto same = std::find_if(read_from.begin(), read_from.end(), [&](const ordered_json& r) { return r["text"] == a.source; });
    if (same == read_from.end()) {
      read_from.push_back({{"text", a.source}, {"read", ordered_json::array({part})}});
    } else {
      (*same)["read"].push_back(part);
    }
  }
  if (!read_from.empty()) j["read_from"] = std::move(read_from);
  if (c.answered) j["answered"] = true;
  return j;
}

ordered_json trial_result_json(const TrialResult& r, bool with_criteria) {
  ordered_json j;
  j["trial"] = r.trial->id;
  j["verdict"] = to_string(r.verdict);
  j["score"] = r.score;
  if (!r.cohorts.empty()) {
    j["cohort"] = r.cohort;
    ordered_json cs = ordered_json::array();
    for (const auto& c : r.cohorts) cs.push_back({{"cohort", c.cohort}, {"verdict", to_string(c.verdict)}, {"score", c.score}});
    j["cohorts"] = std::move(cs);
  }
  j["title"] = r.trial->title;
  j["registry_status"] = r.trial->status;
  if (with_criteria) {
    ordered_json cs = ordered_json::array();
    for (const auto& c : r.criteria) cs.push_back(criterion_json(c));
    j["criteria"] = std::move(cs);
  }
  return j;
}

ordered_json match_json(const Profile& p, Date as_of, const std::vector<TrialResult>& results) {
  ordered_json j;
  j["patient"] = p.id;
  j["as_of"] = format_iso_date(as_of);
  ordered_json rs = ordered_json::array();
  for (const auto& r : results) rs.push_back(trial_result_json(r));
  j["results"] = std::move(rs);
  return j;
}

ordered_json explain_json(const Profile& p, Date as_of, const TrialResult& result) {
  ordered_json j;
  j["patient"] = p.id;
  j["as_of"] = format_iso_date(as_of);
  ordered_json r = trial_result_json(result);
  for (auto it = r.begin(); it != r.end(); ++it) j[it.key()] = *it;
  return j;
}

void print_match_text(std::ostream& out, const Profile& p, Date as_of, const std::vector<TrialResult>& results,
                      const TextStyle& style) {
  out << "Patient " << p.id << ", as of " << format_iso_date(as_of) << ": " << results.size() << " trial"
      << (results.size() == 1 ? "" : "s") << "\n\n";
  std::size_t idw = 5, stw = 6;
  for (const auto& r : results) {
    idw = std::max(idw, r.trial->id.size());
    stw = std::max(stw, r.trial->status.size());
  }
  out << pad("#", 3) << pad("trial", idw + 2) << pad("verdict", 14) << pad("score", 7) << pad("status", stw + 2)
      << "first reason it fails or is undecided\n";
  int rank = 0;
  for (const auto& r : results) {
    ++rank;
    std::string verdict = to_string(r.verdict);
    out << pad(std::to_string(rank), 3) << pad(r.trial->id, idw + 2);
    if (style.colour) out << colour_of(r.verdict) << pad(verdict, 14) << "\033[0m";
    else out << pad(verdict, 14);
    out << pad(fixed2(r.score), 7) << pad(r.trial->status.empty() ? "-" : r.trial->status, stw + 2);
    std::size_t col = 3 + idw + 2 + 14 + 7 + stw + 2;
    const CriterionResult* b = r.first_blocker();
    std::string reason;
    if (b) reason = short_reason(*b);
    else {
      int manual = 0;
      for (const auto& c : r.criteria) manual += c.outcome == Outcome::unknown;
      reason = manual ? std::to_string(manual) + " criteria to confirm by hand" : "all criteria met";
    }
    if (!r.cohorts.empty()) reason = "cohort " + r.cohort + ": " + reason;
    wrap(out, reason, col, col, static_cast<std::size_t>(style.width));
  }
}

void print_explain_text(std::ostream& out, const Profile& p, Date as_of, const TrialResult& r, const TextStyle& style) {
  const Trial& t = *r.trial;
  out << t.id << "  ";
  wrap(out, t.title, t.id.size() + 2, 2, static_cast<std::size_t>(style.width));
  out << "  patient " << p.id << ", as of " << format_iso_date(as_of) << "\n  verdict: ";
  if (style.colour) out << colour_of(r.verdict);
  out << to_string(r.verdict);
  if (style.colour) out << "\033[0m";
  out << "   score " << fixed2(r.score) << "   registry status " << (t.status.empty() ? "-" : t.status) << "\n";
  if (!r.cohorts.empty()) {
    // The best cohort's evaluation is shown; the others' verdicts beside it.
    std::string line = "cohort: " + r.cohort + " (of";
    for (std::size_t k = 0; k < r.cohorts.size(); ++k)
      line += (k ? ", " : " ") + r.cohorts[k].cohort + " " + to_string(r.cohorts[k].verdict) + " " + fixed2(r.cohorts[k].score);
    out << "  ";
    wrap(out, line + ")", 2, 4, static_cast<std::size_t>(style.width));
  }
  std::size_t idw = 2;
  for (const auto& c : r.criteria) idw = std::max(idw, c.criterion->id.size());
  std::vector<const CriterionResult*> manual;
  const char* section = nullptr;
  // Inclusions first, then exclusions, each in source order (registry fields first).
  std::vector<const CriterionResult*> ordered;
  for (auto kind : {CriterionKind::inclusion, CriterionKind::exclusion})
    for (const auto& c : r.criteria)
      if (c.criterion->kind == kind) ordered.push_back(&c);
  for (const CriterionResult* cp : ordered) {
    const CriterionResult& c = *cp;
    const Criterion& cr = *c.criterion;
    const char* s = cr.kind == CriterionKind::inclusion ? "Inclusion" : "Exclusion";
    if (s != section) {
      out << "\n  " << s << " criteria\n";
      section = s;
    }
    bool inclusion = cr.kind == CriterionKind::inclusion;
    std::string outcome = to_string(c.outcome);
    if (c.outcome == Outcome::unknown) outcome += c.result.reason == Unknown::manual ? " (to confirm)" : std::string(" (") + to_string(c.result.reason) + ")";
    if (c.result.reason == Unknown::manual && c.outcome == Outcome::unknown) manual.push_back(&c);
    std::string head = "    " + pad(cr.id, idw + 2);
    out << head;
    if (style.colour) out << colour_of(c.outcome, inclusion, c.result.reason);
    out << outcome;
    if (style.colour) out << "\033[0m";
    out << "  ";
    wrap(out, cr.text, head.size() + outcome.size() + 2, head.size(), static_cast<std::size_t>(style.width));
    std::string ind(head.size(), ' ');
    std::string rule = cr.compiled.rule ? ast::print(*cr.compiled.rule) : "(no rule)";
    out << ind << "rule: ";
    wrap(out, rule, ind.size() + 6, ind.size() + 6, static_cast<std::size_t>(style.width));
    out << ind << "why:  ";
    wrap(out, c.result.why, ind.size() + 6, ind.size() + 6, static_cast<std::size_t>(style.width));
    for (const auto& e : c.result.evidence) {
      std::string line = e.concept_id + " " + e.value + (e.unit.empty() ? "" : " " + e.unit) +
                         (e.date.empty() ? "" : " on " + e.date) + (e.note.empty() ? "" : " (" + e.note + ")") +
                         (e.field.empty() ? "" : " [" + e.field + "]");
      out << ind << "      ";
      wrap(out, "\u2022 " + line, ind.size() + 6, ind.size() + 8, static_cast<std::size_t>(style.width));
    }
    if (c.outcome == Outcome::unknown && !c.result.needs.empty()) {
      std::string needs;
      for (const auto& n : c.result.needs) needs += (needs.empty() ? "" : "; ") + n;
      out << ind << "to decide: ";
      wrap(out, needs, ind.size() + 11, ind.size() + 11, static_cast<std::size_t>(style.width));
    }
    for (const auto& note : cr.compiled.notes) {
      out << ind << "note: ";
      wrap(out, note, ind.size() + 6, ind.size() + 6, static_cast<std::size_t>(style.width));
    }
  }
  if (!manual.empty()) {
    out << "\n  To confirm by hand:";
    for (auto* c : manual) out << " " << c->criterion->id;
    out << "\n";
  }
}

}  // namespace trialmatch
