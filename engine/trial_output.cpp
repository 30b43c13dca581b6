#include "engine/trial_output.hpp"

#include <iomanip>
#include <sstream>

#include "engine/trial_compiler.hpp"

namespace trialmatch {

using nlohmann::ordered_json;

std::string format_phases(const std::vector<std::string>& phases) {
  if (phases.empty()) return "not stated";
  std::string out;
  for (const auto& p : phases) {
    std::string v = p;
    if (v == "NA") v = "N/A";
    else if (v.rfind("EARLY_PHASE", 0) == 0) v = "early " + v.substr(11);
    else if (v.rfind("PHASE", 0) == 0) v = v.substr(5);
    out += (out.empty() ? "" : "/") + v;
  }
  return out == "N/A" ? out : "Phase " + out;
}

namespace {
ordered_json coverage_object(const Coverage& c) {
  ordered_json j;
  j["computable"] = c.computable;
  j["partial"] = c.partial;
  j["manual"] = c.manual;
  j["unparsed"] = c.unparsed;
  return j;
}

ordered_json spans_json(const std::vector<grammar::Span>& spans, bool with_reason) {
  ordered_json arr = ordered_json::array();
  for (const auto& s : spans) {
    ordered_json j;
    j["text"] = s.text;
    j["begin"] = s.begin;
    j["end"] = s.end;
    if (with_reason) j["reason"] = s.reason;
    arr.push_back(std::move(j));
  }
  return arr;
}

ordered_json compiled_fields(const Criterion& c, ordered_json& cj) {
  const auto& k = c.compiled;
  cj["status"] = grammar::to_string(k.status);
  cj["rule"] = k.rule ? ordered_json(ast::print(*k.rule)) : ordered_json(nullptr);
  ordered_json atoms = ordered_json::array();
  for (const auto& a : k.atoms) {
    ordered_json aj;
    aj["concept"] = a.concept_id;
    aj["op"] = ast::to_string(a.op);
    aj["value"] = a.value;
    aj["unit"] = a.unit;
    if (!a.source.empty()) aj["source"] = a.source;
    atoms.push_back(std::move(aj));
  }
  cj["atoms"] = std::move(atoms);
  cj["unparsed"] = spans_json(k.unparsed, false);
  if (c.curated) cj["curated"] = true;
  if (!k.ignored.empty()) cj["ignored"] = spans_json(k.ignored, true);
  if (!k.notes.empty()) cj["notes"] = k.notes;
  return cj;
}
}  // namespace

std::string mark_unparsed(const Criterion& c) {
  std::string out;
  std::size_t pos = 0;
  for (const auto& s : c.compiled.unparsed) {
    if (s.begin < static_cast<int>(pos) || s.end > static_cast<int>(c.text.size()) || s.begin >= s.end) continue;
    out += c.text.substr(pos, s.begin - pos) + "\u00AB" + c.text.substr(s.begin, s.end - s.begin) + "\u00BB";
    pos = s.end;
  }
  return out + c.text.substr(std::min(pos, c.text.size()));
}

ordered_json coverage_json(const std::vector<Trial>& trials) {
  ordered_json arr = ordered_json::array();
  Coverage total;
  for (const auto& t : trials) {
    Coverage c = coverage_of(t);
    total += c;
    ordered_json j;
    j["id"] = t.id;
    j.update(coverage_object(c));
    arr.push_back(std::move(j));
  }
  ordered_json root;
  root["trials"] = std::move(arr);
  root["total"] = coverage_object(total);
  return root;
}

void print_coverage_text(std::ostream& out, const std::vector<Trial>& trials) {
  std::size_t w = 5;
  for (const auto& t : trials) w = std::max(w, t.id.size());
  auto row = [&](const std::string& name, const Coverage& c) {
    double share = c.total() ? 100.0 * c.computable / c.total() : 0.0;
    out << std::left << std::setw(static_cast<int>(w)) << name << std::right << std::setw(12) << c.computable << std::setw(9)
        << c.partial << std::setw(8) << c.manual << std::setw(10) << c.unparsed << std::setw(7) << c.total() << std::setw(12)
        << std::fixed << std::setprecision(1) << share << "%\n";
  };
  out << std::left << std::setw(static_cast<int>(w)) << "trial" << std::right << std::setw(12) << "computable" << std::setw(9)
      << "partial" << std::setw(8) << "manual" << std::setw(10) << "unparsed" << std::setw(7) << "total" << std::setw(13)
      << "computable%" << "\n";
  Coverage total;
  for (const auto& t : trials) {
    Coverage c = coverage_of(t);
    total += c;
    row(t.id, c);
  }
  if (trials.size() > 1) row("all " + std::to_string(trials.size()) + " trials", total);
}

ordered_json compile_json(const std::vector<Trial>& trials) {
  ordered_json arr = ordered_json::array();
  for (const auto& t : trials) {
    ordered_json j;
    j["id"] = t.id;
    j["title"] = t.title;
    j["coverage"] = coverage_object(coverage_of(t));
    j["registry"] = t.registry;
    j["status"] = t.status;
    j["phases"] = t.phases;
    j["enrollment"] = t.enrollment ? ordered_json(*t.enrollment) : ordered_json(nullptr);
    j["conditions"] = t.conditions;
    j["interventions"] = t.interventions;
    j["source"] = t.source;
    if (!t.citation.empty()) j["citation"] = t.citation;
    if (!t.derived_note.empty()) j["derived"] = t.derived_note;
    ordered_json crit = ordered_json::array();
    for (const auto& c : t.criteria) {
      ordered_json cj;
      cj["id"] = c.id;
      cj["kind"] = to_string(c.kind);
      cj["text"] = c.text;
      compiled_fields(c, cj);
      cj["origin"] = to_string(c.origin);
      if (!c.parent.empty()) cj["parent"] = c.parent;
      if (!c.group.empty()) cj["group"] = c.group;
      if (c.origin == CriterionOrigin::text) cj["line"] = c.line;
      crit.push_back(std::move(cj));
    }
    j["criteria"] = std::move(crit);
    ordered_json diags = ordered_json::array();
    for (const auto& d : t.diagnostics) diags.push_back(d.str());
    j["diagnostics"] = std::move(diags);
    arr.push_back(std::move(j));
  }
  ordered_json root;
  root["trials"] = std::move(arr);
  return root;
}

void wrap(std::ostream& out, const std::string& text, std::size_t first_col, std::size_t indent, std::size_t width) {
  std::istringstream words(text);
  std::string w;
  std::size_t col = first_col;
  bool first = true;
  while (words >> w) {
    if (!first && col + 1 + w.size() > width) {
      out << '\n' << std::string(indent, ' ');
      col = indent;
      first = true;
    }
    if (!first) {
      out << ' ';
      ++col;
    }
    out << w;
    col += w.size();
    first = false;
  }
  out << '\n';
}

void print_compile_text(std::ostream& out, const std::vector<Trial>& trials, int width) {
  bool first_trial = true;
  for (const auto& t : trials) {
    if (!first_trial) out << '\n';
    first_trial = false;
    out << t.id << "  ";
    wrap(out, t.title, t.id.size() + 2, 2, width);
    out << "  " << (t.registry.empty() ? "registry not stated" : t.registry) << " | "
        << (t.status.empty() ? "status not stated" : t.status) << " | " << format_phases(t.phases);
    if (t.enrollment) out << " | enrollment " << *t.enrollment;
    out << '\n';
    out << "  source: " << t.source << '\n';
    if (!t.citation.empty()) {
      out << "  from: ";
      wrap(out, t.citation, 8, 8, width);
    }
    if (!t.derived_note.empty()) {
      out << "  derived: ";
      wrap(out, t.derived_note, 11, 11, width);
    }
    std::size_t idw = 2;
    for (const auto& c : t.criteria) idw = std::max(idw, c.id.size());
    const char* section = nullptr;
    for (const auto& c : t.criteria) {
      const char* s = c.origin == CriterionOrigin::structured ? "Registry fields"
                      : c.kind == CriterionKind::inclusion   ? "Inclusion criteria"
                                                             : "Exclusion criteria";
      if (s != section) {
        out << "  " << s << '\n';
        section = s;
      }
      std::string prefix = "    " + c.id + std::string(idw - c.id.size() + 2, ' ');
      if (c.origin == CriterionOrigin::structured) prefix += std::string("(") + to_string(c.kind) + ") ";
      std::string marked = mark_unparsed(c);
      std::string text = c.group.empty() ? marked : "[" + c.group + "] " + marked;
      out << prefix;
      std::size_t indent = 4 + idw + 2;
      wrap(out, text, prefix.size(), indent, width);
      std::string rule = c.compiled.rule ? ast::print(*c.compiled.rule) : std::string("(no rule)");
      std::string tag = std::string(c.curated ? "curated " : "") + grammar::to_string(c.compiled.status) + ": ";
      out << std::string(indent, ' ') << "\u2192 ";
      wrap(out, tag + rule, indent + 2, indent + 4, width);
      for (const auto& note : c.compiled.notes) {
        out << std::string(indent, ' ') << "  note: ";
        wrap(out, note, indent + 8, indent + 8, width);
      }
    }
    for (const auto& d : t.diagnostics) out << "  note: " << d.str() << '\n';
  }
}

}  // namespace trialmatch
