#include "engine/trial_output.hpp"

#include <sstream>

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

ordered_json compile_json(const std::vector<Trial>& trials) {
  ordered_json arr = ordered_json::array();
  for (const auto& t : trials) {
    ordered_json j;
    j["id"] = t.id;
    j["title"] = t.title;
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

namespace {
// Greedy word wrap; continuation lines start at `indent` columns.
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
}  // namespace

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
      std::string text = c.group.empty() ? c.text : "[" + c.group + "] " + c.text;
      out << prefix;
      wrap(out, text, prefix.size(), 4 + idw + 2, width);
    }
    for (const auto& d : t.diagnostics) out << "  note: " << d.str() << '\n';
  }
}

}  // namespace trialmatch
