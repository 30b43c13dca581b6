#include "engine/lexicon.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "engine/embedded.hpp"
#include "engine/json_util.hpp"

namespace trialmatch {

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

namespace {
constexpr std::array<std::pair<std::string_view, ConceptKind>, 8> kKinds = {{
    {"measure", ConceptKind::measure}, {"autoantibody", ConceptKind::autoantibody},
    {"group", ConceptKind::group}, {"condition", ConceptKind::condition},
    {"state", ConceptKind::state}, {"event", ConceptKind::event},
    {"medication", ConceptKind::medication}, {"demographic", ConceptKind::demographic}}};

constexpr std::array<std::string_view, 5> kCodeSystems = {"icd10", "snomed", "loinc", "atc", "rxnorm"};

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// ICD-10 "E08-E13" covers every code whose three-character category lies in
// the range; "E10" or "E10.1" covers codes starting with it.
bool icd10_covers(std::string_view pattern, std::string_view code) {
  if (auto dash = pattern.find('-'); dash != std::string_view::npos) {
    auto lo = pattern.substr(0, dash), hi = pattern.substr(dash + 1);
    auto cat = code.substr(0, std::min<std::size_t>(3, code.size()));
    return cat.size() == 3 && cat >= lo && cat <= hi;
  }
  return code.starts_with(pattern) && (code.size() == pattern.size() || code[pattern.size()] == '.' || pattern.size() > 3);
}

// Specificity of a match, for ordering: longer prefixes beat ranges.
int specificity(std::string_view pattern) {
  return pattern.find('-') != std::string_view::npos ? 0 : static_cast<int>(pattern.size());
}
}  // namespace

const char* to_string(ConceptKind kind) {
  for (auto& [name, k] : kKinds)
    if (k == kind) return name.data();
  return "?";
}

bool is_known_code_system(std::string_view system) {
  return std::find(kCodeSystems.begin(), kCodeSystems.end(), system) != kCodeSystems.end();
}

std::optional<Window> parse_window(std::string_view text) {
  if (text == "any") return Window{};
  auto sp = text.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  int n = 0;
  for (char c : text.substr(0, sp)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + (c - '0');
    if (n > 100000) return std::nullopt;
  }
  std::string unit(text.substr(sp + 1));
  if (!unit.ends_with('s')) unit += 's';
  if (unit != "days" && unit != "weeks" && unit != "months" && unit != "years") return std::nullopt;
  return Window{false, n, unit};
}

void Lexicon::add_document(const nlohmann::json& doc, const std::string& file) {
  FieldReader r(doc, file, "", nullptr);
  auto version = r.integer("trialmatch_lexicon", true);
  if (*version != 1) r.fail("trialmatch_lexicon", "unsupported lexicon format version " + std::to_string(*version));
  if (auto src = r.child("sources")) {
    for (auto it = src->object().begin(); it != src->object().end(); ++it)
      sources_[it.key()] = *src->string(it.key(), true);
  }
  if (auto aliases = r.child("unit_aliases")) {
    for (auto it = aliases->object().begin(); it != aliases->object().end(); ++it)
      unit_aliases_[it.key()] = *aliases->string(it.key(), true);
  }
  if (auto tables = r.child("phrases")) {
    for (auto it = tables->object().begin(); it != tables->object().end(); ++it) {
      auto table = tables->child(it.key(), true);
      for (auto p = table->object().begin(); p != table->object().end(); ++p)
        phrases_[it.key()][p.key()] = *table->string(p.key(), true);
    }
  }
  for (const auto& ir : r.objects("interpretations")) {
    Interpretation in;
    in.phrase = *ir.string("phrase", true);
    in.synonyms = ir.strings("synonyms");
    in.meaning = ir.string("meaning").value_or("");
    in.rule = ir.string("rule").value_or("");
    in.source = ir.string("source").value_or("");
    in.default_concept = ir.string("default_concept").value_or("");
    interpretations_.push_back(std::move(in));
  }
  for (const auto& cr : r.objects("concepts")) {
    Concept c;
    c.id = *cr.string("id", true);
    if (!valid_id(c.id)) cr.fail("id", "concept id \"" + c.id + "\" must be lower case letters, digits and _");
    if (index_.count(c.id)) cr.fail("id", "duplicate concept id \"" + c.id + "\"");
    std::string kind = *cr.string("kind", true);
    auto k = std::find_if(kKinds.begin(), kKinds.end(), [&](auto& p) { return p.first == kind; });
    if (k == kKinds.end()) cr.fail("kind", "unknown concept kind \"" + kind + "\"");
    c.kind = k->second;
    c.label = cr.string("label").value_or(c.id);
    c.synonyms = cr.strings("synonyms");
    c.source = cr.string("source").value_or("");
    if (auto codes = cr.child("codes")) {
      for (auto it = codes->object().begin(); it != codes->object().end(); ++it) {
        if (!is_known_code_system(it.key())) codes->fail(it.key(), "unknown code system \"" + it.key() + "\"");
        c.codes[it.key()] = codes->strings(it.key());
      }
    }
    c.unit = cr.string("unit").value_or("");
    if (c.kind == ConceptKind::measure && c.unit.empty()) cr.fail("unit", "a measure needs its canonical unit");
    for (const auto& vr : cr.objects("conversions")) {
      UnitConversion u;
      u.unit = *vr.string("unit", true);
      u.source = *vr.string("source", true);
      u.offset = vr.number("offset").value_or(0.0);
      auto factor = vr.number("factor");
      auto divisor = vr.number("divisor");
      if (factor.has_value() == divisor.has_value()) vr.fail("", "a conversion needs exactly one of factor or divisor");
      if ((factor && *factor <= 0) || (divisor && *divisor <= 0)) vr.fail(factor ? "factor" : "divisor", "must be positive");
      if (factor) u.factor = *factor;
      if (divisor) {
        u.divisor = *divisor;
        u.factor = 1.0 / *divisor;
      }
      c.conversions.push_back(std::move(u));
    }
    if (auto lb = cr.string("lookback")) {
      c.lookback = parse_window(*lb);
      if (!c.lookback) cr.fail("lookback", "expected \"<n> days|weeks|months|years\" or \"any\", found \"" + *lb + "\"");
    }
    if (cr.has("plausible")) {
      const auto& p = cr.object().at("plausible");
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number() || p[0].get<double>() >= p[1].get<double>())
        cr.fail("plausible", "expected [low, high] with low < high");
      c.plausible = {p[0].get<double>(), p[1].get<double>()};
    }
    c.members = cr.strings("members");
    c.caused_concept = cr.string("caused_concept").value_or("");
    c.includes = cr.strings("includes");
    if (auto uln = cr.child("uln_default")) {
      double v = *uln->number("value", true);
      std::string u = *uln->string("unit", true);
      c.uln_source = *uln->string("source", true);
      c.uln_default = v;
      if (u != c.unit) uln->fail("unit", "the default upper limit must be in the canonical unit " + c.unit);
    }
    c.complication_concept = cr.string("complication_concept").value_or("");
    if (auto sex = cr.string("sex")) {
      if (*sex != "female" && *sex != "male") cr.fail("sex", "expected \"female\" or \"male\", found \"" + *sex + "\"");
      c.sex = *sex;
      c.sex_source = *cr.string("sex_source", true);
    }
    c.codes_source = cr.string("codes_source").value_or("");
    c.narrower = cr.strings("narrower");
    c.active_means_uncontrolled = cr.boolean("active_means_uncontrolled").value_or(false);
    c.implausible_means = cr.strings("implausible_means");
    if (c.kind == ConceptKind::group && c.members.empty()) cr.fail("members", "a group needs its members");
    cr.warn_unknown_keys({"id", "kind", "label", "synonyms", "codes", "unit", "conversions", "lookback",
                          "plausible", "plausible_source", "members", "includes", "uln_default", "caused_concept",
                          "complication_concept", "sex", "sex_source", "codes_source", "narrower", "active_means_uncontrolled",
                          "implausible_means", "source"});
    index_.emplace(c.id, concepts_.size());
    concepts_.push_back(std::move(c));
  }
}

void Lexicon::validate(const std::string& file) const {
  compute_ancestors();
  for (std::size_t i = 0; i < concepts_.size(); ++i) {
    const auto& c = concepts_[i];
    std::string where = "/concepts/" + std::to_string(i);
    for (const auto& m : c.members)
      if (!find(m)) throw InputError({Severity::error, file, 0, 0, where + "/members", "unknown member concept \"" + m + "\""});
    for (const auto& inc : c.includes)
      if (!find(inc)) throw InputError({Severity::error, file, 0, 0, where + "/includes", "unknown concept \"" + inc + "\""});
    for (const auto& other : c.implausible_means) {
      const Concept* m = find(other);
      if (!m || m->kind != ConceptKind::measure || !m->plausible || !c.plausible)
        throw InputError({Severity::error, file, 0, 0, where + "/implausible_means",
                          "\"" + other + "\" must be a measure, and both need a plausible range"});
    }
    if (c.uln_default && !sources_.count(c.uln_source))
      throw InputError({Severity::error, file, 0, 0, where + "/uln_default", "cites unknown source \"" + c.uln_source + "\""});
    for (const auto& linked : {c.caused_concept, c.complication_concept})
      if (!linked.empty() && !find(linked))
        throw InputError({Severity::error, file, 0, 0, where, "links to unknown concept \"" + linked + "\""});
    if (!c.codes_source.empty() && !sources_.count(c.codes_source))
      throw InputError({Severity::error, file, 0, 0, where + "/codes_source", "cites unknown source \"" + c.codes_source + "\""});
    if (!c.sex.empty() && !sources_.count(c.sex_source))
      throw InputError({Severity::error, file, 0, 0, where + "/sex_source", "cites unknown source \"" + c.sex_source + "\""});
    for (const auto& u : c.conversions)
      if (!sources_.count(u.source))
        throw InputError({Severity::error, file, 0, 0, where + "/conversions", "conversion to " + u.unit + " cites unknown source \"" + u.source + "\""});
  }
}

const Concept* Lexicon::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &concepts_[it->second];
}

std::vector<std::string> Lexicon::with_ancestors(const std::string& id) const {
  std::vector<std::string> out{id};
  for (std::size_t i = 0; i < out.size(); ++i)
    for (const auto& c : concepts_)
      if (std::find(c.includes.begin(), c.includes.end(), out[i]) != c.includes.end() &&
          std::find(out.begin(), out.end(), c.id) == out.end())
        out.push_back(c.id);
  return out;
}

void Lexicon::compute_ancestors() const {
  patterns_.clear();
  for (std::size_t i = 0; i < concepts_.size(); ++i)
    for (const auto& [system, codes] : concepts_[i].codes)
      for (const auto& pattern : codes) patterns_[system].emplace_back(pattern, i);
  ancestors_.assign(concepts_.size(), {});
  for (std::size_t i = 0; i < concepts_.size(); ++i)
    for (const auto& id : with_ancestors(concepts_[i].id)) ancestors_[i].push_back(index_.find(id)->second);
}

const std::vector<std::size_t>& Lexicon::ancestor_indices(std::size_t concept_index) const {
  if (ancestors_.size() != concepts_.size()) compute_ancestors();  // a lexicon never validated
  return ancestors_[concept_index];
}

bool Lexicon::within(std::string_view id, std::string_view ancestor) const {
  auto it = index_.find(id);
  auto up = index_.find(ancestor);
  if (it == index_.end() || up == index_.end()) return id == ancestor;
  const auto& all = ancestor_indices(it->second);
  return std::find(all.begin(), all.end(), up->second) != all.end();
}

void Lexicon::add_counted_as(const Concept& c, std::vector<std::uint32_t>& out) const {
  for (std::size_t i : ancestor_indices(static_cast<std::size_t>(&c - concepts_.data())))
    if (std::find(out.begin(), out.end(), i) == out.end()) out.push_back(static_cast<std::uint32_t>(i));
}

namespace {
// UCUM: an annotation alone ({score}) and "1" are the unit one.
bool dimensionless(std::string_view unit) {
  return unit == "1" || (unit.size() >= 2 && unit.front() == '{' && unit.back() == '}');
}
}  // namespace

Lexicon::UnitRoute Lexicon::unit_route(const Concept& c, std::string_view unit) const {
  auto alias = unit_aliases_.find(unit);
  std::string_view u = alias == unit_aliases_.end() ? unit : std::string_view(alias->second);
  if (u == c.unit) return {true, nullptr};
  // A score ({score}, UCUM's annotation of the unit 1) is often recorded with
  // no unit at all, and nothing else could be meant.
  if (u.empty() && dimensionless(c.unit)) return {true, nullptr};
  for (const auto& conv : c.conversions)
    if (conv.unit == u) return {true, &conv};
  return {};
}

std::optional<double> Lexicon::to_canonical(const Concept& c, double value, std::string_view unit, std::string* how) const {
  UnitRoute route = unit_route(c, unit);
  if (!route.ok) return std::nullopt;
  double v = route.apply(value);
  if (how && route.conversion) {
    const UnitConversion& conv = *route.conversion;
    std::string f = conv.divisor ? "\u00F7 " + format_double(*conv.divisor) : "\u00D7 " + format_double(conv.factor);
    if (conv.offset != 0) f += " + " + format_double(conv.offset);
    *how = format_double(value) + " " + conv.unit + " " + f + " = " + format_double(v) + " " + c.unit + " (" + conv.source + ")";
  }
  return v;
}

std::vector<const Concept*> Lexicon::by_code(std::string_view system, std::string_view code) const {
  std::vector<std::pair<int, const Concept*>> hits;
  std::string upper(code);
  if (system == "icd10" || system == "atc")
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // Claims files write ICD-10 without the dot: E1065 is E10.65.
  if (system == "icd10" && upper.size() > 3 && upper.find('.') == std::string::npos) upper.insert(3, ".");
  if (ancestors_.size() != concepts_.size()) compute_ancestors();  // a lexicon never validated
  auto sys = patterns_.find(system);
  if (sys == patterns_.end()) return {};
  const bool icd = system == "icd10", atc = system == "atc";
  std::size_t current = SIZE_MAX;
  int best = -1;
  auto flush = [&] {
    if (best >= 0) hits.emplace_back(best, &concepts_[current]);
    best = -1;
  };
  for (const auto& [pattern, index] : sys->second) {
    if (index != current) {
      if (current != SIZE_MAX) flush();
      current = index;
    }
    bool hit = icd ? icd10_covers(pattern, upper) : atc ? std::string_view(upper).starts_with(pattern) : pattern == code;
    if (hit) best = std::max(best, specificity(pattern));
  }
  if (current != SIZE_MAX) flush();
  std::stable_sort(hits.begin(), hits.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<const Concept*> out;
  for (auto& h : hits) out.push_back(h.second);
  return out;
}

std::string Lexicon::canonical_unit_spelling(std::string_view unit) const {
  auto it = unit_aliases_.find(unit);
  return it == unit_aliases_.end() ? std::string(unit) : it->second;
}

Lexicon load_lexicon_files(const std::vector<std::string>& paths) {
  Lexicon lex;
  for (const auto& p : paths) lex.add_document(parse_json(read_file(p), p), p);
  lex.validate(paths.empty() ? "" : paths.back());
  return lex;
}

const Lexicon& bundled_lexicon() {
  static const Lexicon lex = [] {
    Lexicon l;
    std::string last;
    for (const auto& f : embedded_files()) {
      if (!f.path.starts_with("lexicon/") || !f.path.ends_with(".json")) continue;
      last = "<bundled>/" + std::string(f.path);
      l.add_document(parse_json(f.content, last), last);
    }
    l.validate(last);
    return l;
  }();
  return lex;
}

}  // namespace trialmatch
