// The unit grammar's one instantiation, and what is done with a unit read:
// checks a parse cannot express, and the spelling the lexicon uses.
#include "grammar/unit_grammar.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "grammar/criteria_lexer.hpp"
#include "grammar/phrase_trie.hpp"
#include "grammar/unit_grammar_def.hpp"

namespace trialmatch::grammar {

namespace {

namespace x3 = boost::spirit::x3;
using units::TableId;
using Dims = std::map<std::string, int>;

const std::map<std::string, std::string>& table_or_empty(const PhraseTables& t, const std::string& name) {
  static const std::map<std::string, std::string> empty;
  auto it = t.find(name);
  return it == t.end() ? empty : it->second;
}

double number_in(const std::string& table, const std::string& key, const std::string& text) {
  try {
    std::size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw std::runtime_error("language table " + table + ", entry \"" + key + "\": \"" + text + "\" is not a number");
}

// "0.001 m^3", "86400 s", "1000 mol m^-3", "0.01": a factor, then bases to powers.
struct Definition {
  double factor = 1;
  Dims dims;
};

Definition parse_definition(const std::string& key, const std::string& text) {
  Definition d;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    auto sp = text.find(' ', pos);
    std::string part = text.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? text.size() : sp + 1;
    if (part.empty()) continue;
    if (first) {
      d.factor = number_in("unit_base_definition", key, part);
      first = false;
      continue;
    }
    auto caret = part.find('^');
    int power = caret == std::string::npos ? 1 : static_cast<int>(number_in("unit_base_definition", key, part.substr(caret + 1)));
    d.dims[part.substr(0, caret)] += power;
  }
  return d;
}

std::string format_factor(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

struct UnitReader::Impl {
  units::Tables tables;
  std::map<std::string, double> prefix_factor;
  std::map<std::string, Definition> base_definition;
  std::map<std::string, std::string> standalone;   // texts a single plain term may be
  std::map<std::string, std::string> after_number;  // ... and those it may be right after a number ("470ms")
  std::map<std::string, std::string> conventions;  // printed form -> spelling
  std::map<std::string, std::string> by_form;      // printed form -> lexicon spelling
  std::map<std::string, std::string> by_dimension; // dimension key -> lexicon spelling
  // Every table's phrases together: a unit starts with one of them or with
  // a literal of the grammar, so most words are turned away by one walk.
  // Words a unit may start with, and words that lead to one ("the", "times",
  // "cells", "normal": a unit starts there only if one may start after them).
  PhraseTrie<char> openers;
  PhraseTrie<char> leads;

  bool may_open(std::string_view text, int depth = 0) const {
    if (text.empty()) return false;
    // The grammar's literal openers: "/", "10^9", "x 10^9", "* 10^9": only
    // before a number or what opens a unit ("/dL", "x ULN"; not "AST/ALT",
    // "xerostomia").
    if (text[0] == '/' || ((text[0] == 'x' || text[0] == '*') && !(text.size() > 1 && std::isalpha(static_cast<unsigned char>(text[1]))))) {
      std::string_view rest = text.substr(1);
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      if (rest.empty()) return false;
      if (std::isdigit(static_cast<unsigned char>(rest[0])) || rest[0] == '(') return true;
      return rest[0] != '/' && rest[0] != 'x' && rest[0] != '*' && may_open(rest);
    }
    // A power of ten opens a count ("10^9/L", "10e9", "10(9)", "10⁹"); no other number does.
    if (text[0] == '1')
      return text.size() > 2 && text[1] == '0' &&
             (text[2] == '^' || text[2] == 'e' || text[2] == '*' || text[2] == '(' || static_cast<unsigned char>(text[2]) >= 0x80);
    const char* p = text.data();
    const char* end = p + text.size();
    auto whole_word = [&](const std::string& entry) {
      const char* q = p + entry.size();
      return !(q < end && std::isalpha(static_cast<unsigned char>(*q)) && std::isalpha(static_cast<unsigned char>(q[-1])));
    };
    bool found = false;
    openers.prefixes(p, end, [&](const auto& e) { found = found || whole_word(e.first); });
    if (found || depth >= 6) return found;
    std::size_t lead = 0;
    leads.prefixes(p, end, [&](const auto& e) {
      if (whole_word(e.first)) lead = std::max(lead, e.first.size());
    });
    if (lead == 0) return false;
    std::string_view rest = text.substr(lead);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    return may_open(rest, depth + 1);
  }

  void fill(TableId id, const std::map<std::string, std::string>& entries) {
    auto& out = tables.table[id].entries;
    for (const auto& e : entries) out.emplace_back(e.first, e.second);
  }
  void seal() {
    using namespace units;
    std::vector<std::pair<std::string, char>> open, lead;
    for (int id = 0; id < kTableCount; ++id) {
      const bool opens = id == atom_symbol || id == atom_word || id == power_before || id == per_word || id == limit_abbrev ||
                         id == limit_side || id == limit_normal || id == scale_word;
      for (const auto& e : tables.table[id].entries) (opens ? open : lead).emplace_back(e.first, 0);
    }
    openers.build(std::move(open));
    leads.build(std::move(lead));
    for (auto& t : tables.table) {
      std::sort(t.entries.begin(), t.entries.end());
      t.entries.erase(std::unique(t.entries.begin(), t.entries.end(),
                                  [](const auto& a, const auto& b) { return a.first == b.first; }),
                      t.entries.end());
      t.index();
    }
  }

  std::optional<unit_ast::Unit> parse(std::string_view text, std::size_t& length) const {
    const char* first = text.data();
    const char* last = first + text.size();
    unit_ast::Unit u;
    const auto parser = x3::with<units::unit_tables_tag>(tables)[units::unit];
    bool ok = x3::phrase_parse(first, last, parser, x3::ascii::space, u);
    if (!ok) return std::nullopt;
    // "kg.m-2": a term to a negative power divides.
    for (auto it = u.numerator.begin(); it != u.numerator.end();) {
      if (it->power >= 0) {
        ++it;
        continue;
      }
      it->power = -it->power;
      u.denominator.insert(u.denominator.begin(), *it);
      it = u.numerator.erase(it);
    }
    while (first > text.data() && first[-1] == ' ') --first;  // the skipper's trailing blank
    length = static_cast<std::size_t>(first - text.data());
    return u;
  }

  static std::string print_term(const unit_ast::Term& t) {
    std::string s;
    if (t.scale != 1) s += format_factor(t.scale);
    s += t.prefix + t.base;
    if (t.power != 1) s += std::to_string(t.power);
    return s;
  }

  // UCUM-like: "mg/dL", "x10^9/L", "mL/min/1.73m2", "[iU]/kg/d".
  static std::string print(const unit_ast::Unit& u) {
    if (!u.limit.empty()) return u.limit;
    std::string s;
    if (u.count_scale != 1) s += "x10^" + std::to_string(static_cast<int>(std::lround(std::log10(u.count_scale))));
    for (std::size_t i = 0; i < u.numerator.size(); ++i) s += (i ? "." : "") + print_term(u.numerator[i]);
    for (const auto& t : u.denominator) s += "/" + print_term(t);
    return s;
  }

  // Numerator and denominator bases kept apart (mmol/mol is not mg/g), with
  // the factor to them: pmol/mL and nmol/L share a key.
  std::optional<std::string> dimension_key(const unit_ast::Unit& u) const {
    if (!u.limit.empty()) return std::nullopt;
    Dims num, den;
    double factor = u.count_scale;
    auto add = [&](const unit_ast::Term& t, int sign) -> bool {
      auto pf = prefix_factor.find(t.prefix);
      auto bd = base_definition.find(t.base);
      if ((!t.prefix.empty() && pf == prefix_factor.end()) || bd == base_definition.end()) return false;
      double f = std::pow((t.prefix.empty() ? 1.0 : pf->second) * bd->second.factor, t.power) * t.scale;
      factor = sign > 0 ? factor * f : factor / f;
      for (const auto& [base, power] : bd->second.dims) {
        int p = power * t.power * sign;
        (p > 0 ? num : den)[base] += std::abs(p);
      }
      return true;
    };
    for (const auto& t : u.numerator)
      if (!add(t, 1)) return std::nullopt;
    for (const auto& t : u.denominator)
      if (!add(t, -1)) return std::nullopt;
    std::string key;
    for (const auto& [b, p] : num) key += b + "^" + std::to_string(p) + " ";
    key += "/";
    for (const auto& [b, p] : den) key += " " + b + "^" + std::to_string(p);
    return key + " @" + format_factor(factor);
  }

  // What a parse cannot say: a lone plain word is a unit only if listed; a
  // bare denominator only for counts per volume ("/mm3"); a limit only
  // when it names normal, or a multiplier stands before it.
  bool acceptable(const unit_ast::Unit& u, std::string_view text, bool follows_number) const {
    if (!u.limit.empty()) {
      if (u.limit == "xULN?") return u.multiplier && u.names_normal;
      return u.multiplier || u.names_normal || u.abbreviated;
    }
    if (u.numerator.empty()) {
      if (u.denominator.size() != 1) return false;
      auto bd = base_definition.find(u.denominator[0].base);
      if (bd == base_definition.end()) return false;
      auto m = bd->second.dims.find("m");
      return m != bd->second.dims.end() && m->second * u.denominator[0].power == 3;
    }
    if (u.numerator.size() == 1 && u.denominator.empty() && u.count_scale == 1)
      return standalone.count(std::string(text)) > 0 || (follows_number && after_number.count(std::string(text)) > 0);
    return true;
  }

  std::string spelling(unit_ast::Unit& u) const {
    if (u.limit == "xULN?") u.limit = "xULN";
    std::string form = print(u);
    if (auto c = conventions.find(form); c != conventions.end()) return c->second;
    if (auto f = by_form.find(form); f != by_form.end()) return f->second;
    if (auto key = dimension_key(u))
      if (auto d = by_dimension.find(*key); d != by_dimension.end()) return d->second;
    return form;
  }
};

UnitReader::UnitReader(const PhraseTables& t, const std::vector<std::string>& lexicon_spellings)
    : impl_(std::make_unique<Impl>()) {
  auto& im = *impl_;
  const auto& prefix_symbol = table_or_empty(t, "unit_prefix_symbol");
  const auto& prefix_word = table_or_empty(t, "unit_prefix_word");
  const auto& base_symbol = table_or_empty(t, "unit_base_symbol");
  const auto& base_word = table_or_empty(t, "unit_base_word");
  // Prefixed atoms are made here: "mg", "umol", "dl"; "milligrams", "microliter".
  std::map<std::string, std::string> atoms_symbol = table_or_empty(t, "unit_atom_symbol");
  std::map<std::string, std::string> atoms_word = table_or_empty(t, "unit_atom_word");
  for (const auto& [b, base] : base_symbol) {
    atoms_symbol.emplace(b, "|" + base);
    for (const auto& [p, prefix] : prefix_symbol) atoms_symbol.emplace(p + b, prefix + "|" + base);
  }
  for (const auto& [b, base] : base_word) {
    atoms_word.emplace(b, "|" + base);
    for (const auto& [p, prefix] : prefix_word) atoms_word.emplace(p + b, prefix + "|" + base);
  }
  im.fill(units::atom_symbol, atoms_symbol);
  im.fill(units::atom_word, atoms_word);
  im.fill(units::power_before, table_or_empty(t, "unit_power_before"));
  im.fill(units::power_after, table_or_empty(t, "unit_power_after"));
  im.fill(units::count_word, table_or_empty(t, "unit_count_word"));
  im.fill(units::per_word, table_or_empty(t, "unit_per"));
  im.fill(units::multiplier, table_or_empty(t, "unit_multiplier"));
  im.fill(units::limit_abbrev, table_or_empty(t, "unit_limit_abbreviation"));
  im.fill(units::limit_side, table_or_empty(t, "unit_limit_side"));
  im.fill(units::limit_normal, table_or_empty(t, "unit_limit_normal"));
  im.fill(units::limit_word, table_or_empty(t, "unit_limit_word"));
  im.fill(units::limit_range, table_or_empty(t, "unit_limit_range"));
  im.fill(units::qualifier, table_or_empty(t, "unit_qualifier"));
  im.fill(units::the_word, table_or_empty(t, "unit_limit_lead"));
  im.fill(units::of_word, table_or_empty(t, "unit_limit_of"));
  im.fill(units::scale_word, table_or_empty(t, "unit_scale_word"));
  im.fill(units::limit_source, table_or_empty(t, "unit_limit_source"));
  im.seal();
  for (const auto& [p, f] : table_or_empty(t, "unit_prefix_factor")) im.prefix_factor[p] = number_in("unit_prefix_factor", p, f);
  for (const auto& [b, d] : table_or_empty(t, "unit_base_definition")) im.base_definition[b] = parse_definition(b, d);
  for (const auto* table : {&atoms_symbol, &atoms_word})
    for (const auto& [text, value] : *table) {
      auto term = units::term_of(value);
      if (!term.prefix.empty() && !im.prefix_factor.count(term.prefix))
        throw std::runtime_error("language table unit_*: \"" + text + "\" has prefix \"" + term.prefix +
                                 "\", which unit_prefix_factor does not define");
      if (!im.base_definition.count(term.base))
        throw std::runtime_error("language table unit_*: \"" + text + "\" has base \"" + term.base +
                                 "\", which unit_base_definition does not define");
    }
  im.standalone = table_or_empty(t, "unit_standalone");
  im.after_number = table_or_empty(t, "unit_after_number");
  im.conventions = table_or_empty(t, "unit_convention");
  // The lexicon's spellings first, then the language table's; the first
  // spelling of a unit wins.
  std::vector<std::string> spellings = lexicon_spellings;
  std::vector<std::pair<std::string, std::string>> ranked(table_or_empty(t, "unit_spelling").begin(),
                                                          table_or_empty(t, "unit_spelling").end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& r : ranked) spellings.push_back(r.first);
  for (const auto& s : spellings) {
    std::vector<int> ignored;
    std::string norm = normalise_criterion(s, ignored);  // the lexicon's µ is the criteria's u
    std::size_t length = 0;
    auto u = im.parse(norm, length);
    if (!u || length != norm.size() || !u->limit.empty()) continue;
    im.by_form.emplace(Impl::print(*u), s);
    if (auto key = im.dimension_key(*u)) im.by_dimension.emplace(*key, s);
  }
}

UnitReader::~UnitReader() = default;

std::optional<UnitMatch> UnitReader::read(std::string_view text, bool follows_number) const {
  if (!impl_->may_open(text)) return std::nullopt;
  std::size_t length = 0;
  auto u = impl_->parse(text, length);
  if (!u || length == 0) return std::nullopt;
  // A unit ends where a word ends.
  if (length < text.size() && std::isalnum(static_cast<unsigned char>(text[length])) &&
      std::isalnum(static_cast<unsigned char>(text[length - 1])))
    return std::nullopt;
  if (!impl_->acceptable(*u, text.substr(0, length), follows_number)) return std::nullopt;
  UnitMatch m;
  m.length = length;
  m.spelling = impl_->spelling(*u);
  m.unit = std::move(*u);
  return m;
}

std::optional<std::string> UnitReader::spell(std::string_view text) const {
  auto m = read(text);
  if (!m || m->length != text.size()) return std::nullopt;
  return m->spelling;
}

}  // namespace trialmatch::grammar
