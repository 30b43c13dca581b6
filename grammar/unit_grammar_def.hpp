#pragma once
// The unit grammar, e.g.
//   mg/dl   kg/m^2   kg per meter squared   kilograms per square metre
//   x 10^9 cells/l   /mm3   ml/min/1.73 m2   u/kg body weight/day   400 pm
//   x uln   times the institutional upper limit of normal   fold the upper normal limit
// Words are looked up in the language tables handed in with
// x3::with<unit_tables_tag>; the rules give the structure. Included by
// unit_grammar.cpp only.
#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "grammar/unit_ast.hpp"

namespace trialmatch::grammar::units {

namespace x3 = boost::spirit::x3;

// A phrase table matched longest first. A match must end where a word ends:
// before a non-letter (a digit may follow: "m2", "mm3").
struct WordTable {
  std::vector<std::pair<std::string, std::string>> entries;  // sorted by phrase
  // By first byte, where its entries start (from[256] is the end): a phrase
  // is looked for among those that start as the text does, not all.
  std::uint32_t from[257] = {};

  void index() {
    std::uint32_t k = 0;
    for (unsigned b = 0; b < 256; ++b) {
      from[b] = k;
      while (k < entries.size() && (entries[k].first.empty() ? 0u : static_cast<unsigned char>(entries[k].first.front())) == b) ++k;
    }
    from[256] = k;
  }

  const std::pair<std::string, std::string>* longest(const char* p, const char* end) const {
    const std::pair<std::string, std::string>* best = nullptr;
    if (p == end) return best;
    std::string_view rest(p, end - p);
    const auto b = static_cast<unsigned char>(*p);
    for (std::uint32_t k = from[b]; k < from[b + 1]; ++k) {
      const auto& e = entries[k];
      // The second byte first: most entries differ there.
      if (e.first.size() > 1 && (rest.size() < 2 || e.first[1] != rest[1])) continue;
      if (e.first.size() <= (best ? best->first.size() : 0) || !rest.starts_with(e.first)) continue;
      const char* q = p + e.first.size();
      bool glued_letter = q < end && std::isalpha(static_cast<unsigned char>(*q)) && std::isalpha(static_cast<unsigned char>(q[-1]));
      if (!glued_letter) best = &e;
    }
    return best;
  }
};

enum TableId { atom_symbol, atom_word, power_before, power_after, count_word, per_word, multiplier, limit_abbrev,
               limit_side, limit_normal, limit_word, limit_range, qualifier, the_word, of_word, scale_word, limit_source,
               kTableCount };

struct Tables {
  WordTable table[kTableCount];
};

struct unit_tables_tag;

// Reads one entry of a language table; its attribute is the entry's value.
template <TableId Id>
struct table_parser : x3::parser<table_parser<Id>> {
  using attribute_type = std::string;
  static bool const has_attribute = true;

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It last, Ctx const& ctx, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, ctx);
    const Tables& tables = x3::get<unit_tables_tag>(ctx);
    const auto* e = tables.table[Id].longest(first, last);
    if (!e) return false;
    first += e->first.size();
    x3::traits::move_to(e->second, attr);
    return true;
  }
};

template <TableId Id>
const table_parser<Id> word{};

// An atom's table value is "prefix|base" or "prefix|base|power".
inline unit_ast::Term term_of(const std::string& value) {
  unit_ast::Term t;
  auto bar = value.find('|');
  t.prefix = value.substr(0, bar);
  auto rest = value.substr(bar + 1);
  auto bar2 = rest.find('|');
  t.base = rest.substr(0, bar2);
  if (bar2 != std::string::npos) t.power = std::stoi(rest.substr(bar2 + 1));
  return t;
}

using x3::_attr;
using x3::_val;
using x3::lexeme;
using x3::lit;

const x3::rule<class term_class, unit_ast::Term> term = "unit term";
const x3::rule<class den_class, unit_ast::Term> den_term = "unit after per";
const x3::rule<class count_scale_class, double> count_scale = "power of ten";
const x3::rule<class ratio_class, unit_ast::Unit> ratio = "unit";
const x3::rule<class limit_class, unit_ast::Unit> limit_multiple = "multiple of a reference limit";
const x3::rule<class unit_class, unit_ast::Unit> unit = "unit";

const auto set_term = [](auto& ctx) { _val(ctx) = term_of(_attr(ctx)); };
const auto times_power = [](auto& ctx) { _val(ctx).power *= _attr(ctx); };
const auto power_value = [](auto& ctx) { _val(ctx).power *= std::stoi(_attr(ctx)); };
const auto set_scale = [](auto& ctx) { _val(ctx).scale = _attr(ctx); };
const auto ten_to = [](auto& ctx) {
  double v = 1;
  for (int i = 0; i < _attr(ctx); ++i) v *= 10;
  _val(ctx) = v;
};
const auto superscript = [](double v) { return [v](auto& ctx) { _val(ctx) = v; }; };

// "m2", "m^2", "m³": a power written against its base ("6.5%-9%" is a
// range: no power before a unit).
const auto glued_power = x3::rule<class glued_power_class, int>{"power"} = (lit('^') >> x3::int_) | (x3::int_ >> !(x3::alnum | lit('%') | (lit('.') >> x3::digit) | (lit(',') >> x3::digit))) |
                         (lit("\xC2\xB3") >> x3::attr(3));

// "milliliters (mL)/minute", "meter (m)^2": a unit word restated by its
// symbol in brackets (as registry exports write units) is one term.
const auto same_term = [](auto& ctx) {
  const unit_ast::Term t = term_of(_attr(ctx));
  x3::_pass(ctx) = t.base == _val(ctx).base && t.prefix == _val(ctx).prefix;
};
// (Only inside a unit: a bracket after a whole unit is a value or unit
// restated, read as such by the clause grammar.)
const auto restated_symbol = (lit('(') >> lexeme[word<atom_symbol> >> -x3::omit[glued_power]] >> lit(')'))[same_term] >>
                             &(lit('/') | lit('^') | word<per_word>);

const auto term_def = (lexeme[word<atom_symbol>[set_term] >> -glued_power[times_power]] |
                       (-word<power_before>[power_value] >> word<atom_word>[([](auto& ctx) {
                          int p = _val(ctx).power;
                          _val(ctx) = term_of(_attr(ctx));
                          _val(ctx).power *= p;
                        })] >> -restated_symbol >> -lexeme[lit('^') >> x3::int_][times_power])) >>
                      -(word<power_after>[power_value] >> -restated_symbol);
// ("meter square (m^2)" at a unit's end stays for the clause grammar.)

// "per 1.73 m2", "/100 mL", "/kg body weight".
const auto den_term_def = -((x3::double_ >> !x3::lit('^'))[([](auto& ctx) { _val(ctx).scale = _attr(ctx); })]) >>
                          term[([](auto& ctx) {
                            double s = _val(ctx).scale;
                            _val(ctx) = _attr(ctx);
                            _val(ctx).scale = s;
                          })] >>
                          -x3::omit[word<qualifier>];

const auto per_ahead = lit('/') | word<per_word>;
// "x 10^9", "x10e9", "10(9)", "x 10⁹", "x 109" (a superscript lost, before "/").
const auto count_scale_def =
    (-x3::omit[word<multiplier>] >> lexeme[(lit("10") >> (lit('^') | 'e' | '*') >> x3::int_[ten_to]) |
                                 (lit("10(") >> x3::int_[ten_to] >> ')') | lit("10\xE2\x81\xB9")[superscript(1e9)] |
                                 lit("10\xC2\xB3")[superscript(1e3)]]) |
    // Only after a times sign: "x 109/l", "x 103/ul".
    ((lit('x') | '*') >> lexeme[lit("10") >> (lit('3')[superscript(1e3)] | lit('9')[superscript(1e9)]) >> &(lit('/') | ' ')]) |
    // "thousand/microliter": a count's scale in words, before a per.
    (word<scale_word>[([](auto& ctx) { _val(ctx) = std::stod(_attr(ctx)); })] >> &per_ahead);

const auto per = lit('/') | word<per_word>;
// "kg·m-2", "kg∙m^-2", "kg.m-2": a product; a negative power divides (the facade moves it).
const auto product = lit("\xE2\x88\x99") | lit("\xC2\xB7") | (lit('.') >> !x3::digit);
const auto add_num = [](auto& ctx) { _val(ctx).numerator.push_back(_attr(ctx)); };
const auto add_den = [](auto& ctx) { _val(ctx).denominator.push_back(_attr(ctx)); };

const auto ratio_def =
    (count_scale[([](auto& ctx) { _val(ctx).count_scale = _attr(ctx); })] >> -x3::omit[word<count_word>] >>
     +(per >> den_term[add_den])) |
    (x3::omit[word<count_word>] >> +(per >> den_term[add_den])) | (+(per >> den_term[add_den])) |
    (term[add_num] >> *(product >> term[add_num]) >> *(per >> den_term[add_den]));

const auto set_limit = [](auto& ctx) { _val(ctx).limit = _attr(ctx); };
const auto normal_named = [](auto& ctx) { _val(ctx).names_normal = true; };
const auto multiplied = [](auto& ctx) { _val(ctx).multiplier = true; };
const auto the = x3::omit[word<the_word>];

// "x ULN", "times the institutional upper limit of the normal range",
// "fold upper normal limit", "x normal".
const auto normal_words = *x3::omit[word<limit_normal>][normal_named];
// "ULN for the local reference lab", "ULN of the institution": whose limit.
const auto whose_limit = x3::omit[word<of_word> >> *the >> +(word<limit_normal> | word<limit_source>)];
const auto limit_multiple_def =
    -x3::omit[word<multiplier>][multiplied] >> *the >>
    ((normal_words >> word<limit_abbrev>[([](auto& ctx) {
       _val(ctx).limit = _attr(ctx);
       _val(ctx).abbreviated = true;
     })] >> -whose_limit) |
     (normal_words >> word<limit_side>[set_limit] >> normal_words >> x3::omit[word<limit_word> | word<limit_range>] >>
      -(-(x3::omit[word<of_word>] >> -the) >> normal_words >> -x3::omit[word<limit_range>])) |
     // "x normal", "times the normal value": only after a multiplier (the facade checks).
     (+x3::omit[word<limit_normal>][normal_named] >> x3::attr(std::string("xULN?"))[set_limit] >>
      -x3::omit[word<limit_word> | word<limit_range>]));

const auto unit_def = limit_multiple | ratio;

BOOST_SPIRIT_DEFINE(term, den_term, count_scale, ratio, limit_multiple, unit)

}  // namespace trialmatch::grammar::units
