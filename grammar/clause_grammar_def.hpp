#pragma once
// The clause grammar's rules, over tokens. Thresholds, e.g.
//   < 14 or > 35          between 18 and 65 years       from 6 to 12 months
//   ≥ 7.5 % (58 mmol/mol) 18-65 years inclusive         greater than (>) 1.5 x ULN
//   18 years or older     2.5 or more times the ULN     0, 1 or 2
//   < 8 g/dL in males     at least a value of 60
// Token tests are primitive parsers (kind_parser, number_parser, ...); what
// the rules need beyond the tokens (the text, word classes, whether times
// are units) comes in with x3::with<input_tag>. Included by
// clause_grammar.cpp only.
#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/lexicon.hpp"
#include "grammar/clause_grammar.hpp"
#include "grammar/rule_parser.hpp"
#include "grammar/word_classes.hpp"

namespace trialmatch::grammar::clause {
using namespace std::string_view_literals;

namespace x3 = boost::spirit::x3;
using It = const Token*;

// What a parse reads besides the tokens.
struct Options {
  const ClauseInput* input = nullptr;
  It limit = nullptr;       // the caller's end: brackets and look-ahead stop there
  bool time_units = false;  // years, months ... are units (ages, durations)
  bool between = false;     // "between" was read before the first token
};
struct options_tag;

template <class Ctx>
const Options& options(const Ctx& ctx) {
  return x3::get<options_tag>(ctx);
}

// Whether the token's text is a word of the class (table word_class).
template <class Ctx>
bool word_of_class(const Ctx& ctx, It k, It last, Word w) {
  const ClauseInput& in = *options(ctx).input;
  if (k >= last || !in.classes) return false;
  return has_class(classes_of(in, static_cast<std::size_t>(k - in.tokens.data()), WordsOf::whole), w);
}

// ------------------------------------------------------------ token parsers

// A token of a kind and, if given, a value (a cue's or connective's name).
struct kind_parser : x3::parser<kind_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  Tok kind = Tok::word;
  const char* value = nullptr;
  // "times" as a cue of episodes: only that word.
  const char* text = nullptr;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr&) const {
    if (first == last || first->kind != kind || (value && first->value != value) || (text && first->text != text))
      return false;
    ++first;
    return true;
  }
};
inline kind_parser tok(Tok k) { return {{}, k, nullptr, nullptr}; }
inline kind_parser cue(const char* v) { return {{}, Tok::cue, v, nullptr}; }
inline kind_parser conn(const char* v) { return {{}, Tok::connective, v, nullptr}; }

// A token whose word is of a class of the table word_class ("but": contrast).
struct class_parser : x3::parser<class_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  Word word;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr&) const {
    const ClauseInput& in = *options(ctx).input;
    if (first == last || !in.classes) return false;
    if (!has_class(classes_of(in, static_cast<std::size_t>(first - in.tokens.data()), WordsOf::whole), word)) return false;
    ++first;
    return true;
  }
};
inline class_parser word_of(Word w) { return {{}, w}; }

// A comparator ("≥", "at least"; `post`: "or more", "and above") as its operator.
template <bool Post>
struct comparator_parser : x3::parser<comparator_parser<Post>> {
  using attribute_type = ast::CmpOp;
  static bool const has_attribute = true;
  bool with_words = false;  // only one written in words ("or more", not "+")

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || first->kind != (Post ? Tok::post_comparator : Tok::comparator)) return false;
    if (with_words && std::none_of(first->text.begin(), first->text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
      return false;
    x3::traits::move_to(comparator_op(first->value), attr);
    ++first;
    return true;
  }
};
const comparator_parser<false> cmp{};
const comparator_parser<true> post_cmp{};
const comparator_parser<true> post_cmp_words{{}, true};

// A value: a number not followed by a time unless times are units ("2
// weeks" is no threshold), nor glued to a word ("85th"); or a number word
// before xULN ("twice the upper limit of normal").
struct number_parser : x3::parser<number_parser> {
  using attribute_type = double;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last) return false;
    const It next = first + 1;
    const bool has_next = next != last;
    bool ok;
    // ... or before a time where times are units ("Age between one year and
    // 18 years"; not "a year").
    if (first->kind == Tok::number_word)
      ok = has_next && ((next->kind == Tok::unit && next->value == "xULN"sv) ||
                        (options(ctx).time_units && next->kind == Tok::time_unit &&
                         !word_of_class(ctx, first, last, Word::indefinite)));
    else if (first->kind != Tok::number) ok = false;
    else if (!options(ctx).time_units && has_next && next->kind == Tok::time_unit) ok = false;
    else ok = !(has_next && next->kind == Tok::word && next->begin == first->end);
    if (!ok) return false;
    x3::traits::move_to(first->number, attr);
    ++first;
    return true;
  }
};
const number_parser number{};

// A unit the tables know; for ages and durations also a time ("years") or
// "years old", "months of age".
struct unit_parser : x3::parser<unit_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last) return false;
    const bool times = options(ctx).time_units;
    std::string unit;
    if (first->kind == Tok::unit || (times && first->kind == Tok::time_unit)) {
      unit = first->value;
    } else if (times && first->kind == Tok::cue && first->value == "age_after"sv) {
      const std::string& x = first->text;  // "years old", "months of age", "days old"
      if (x.rfind("year", 0) == 0 || x.rfind("yr", 0) == 0) unit = "years";
      else if (x.rfind("month", 0) == 0) unit = "months";
      else if (x.rfind("week", 0) == 0) unit = "weeks";
      else if (x.rfind("day", 0) == 0) unit = "days";
      else return false;
    } else {
      return false;
    }
    x3::traits::move_to(unit, attr);
    ++first;
    // "40 kilograms (kg) - 150 kg": the unit restated in brackets right
    // after it, before the bound goes on.
    if (last - first >= 4 && first[0].kind == Tok::open && first[1].kind == Tok::unit && first[2].kind == Tok::close &&
        first[3].kind != Tok::period && first[3].kind != Tok::comma && first[3].kind != Tok::semicolon)
      first += 3;
    return true;
  }
};
const unit_parser unit{};

// "exceeds 2 times, or ... 1.5 times the upper limit of normal": "times"
// is a multiple of the ULN when one is named further on, else itself.
struct times_parser : x3::parser<times_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::cue || first->value != "episode"sv || first->text != "times"sv) return false;
    std::string unit = "times";
    for (It m = first + 1; m < options(ctx).limit && m != last; ++m)
      if (m->kind == Tok::unit && m->value == "xULN"sv) unit = "xULN";
    x3::traits::move_to(unit, attr);
    ++first;
    return true;
  }
};
const times_parser times{};

// A unit the tables do not know, kept as written ("mEq/L", "cells/mm3",
// "IU"): a short word, perhaps with slashes, straight after the number,
// that looks like a unit (a slash, a digit, a capital, or letters without a
// vowel: "ms"; "BMI ≥ 20 but", "3.0 if taking" are words); only what the rule language reads back as a
// unit (ASCII letters, digits and '/', not starting like one of its keywords).
struct written_unit_parser : x3::parser<written_unit_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::word || first->text.size() > 5) return false;
    It m = first + 1;
    auto is = [&](It k, Tok t) { return k != last && k->kind == t; };
    while (is(m, Tok::punct) && m->text == "/"sv && m + 1 != last &&
           (is(m + 1, Tok::word) || is(m + 1, Tok::time_unit) || is(m + 1, Tok::number)))
      m += 2;
    const std::string_view text = options(ctx).input->text;
    const It back = m - 1;
    if (back->end > static_cast<int>(text.size()) || first->begin > back->end) return false;
    std::string unit(text.substr(first->begin, back->end - first->begin));
    for (char ch : unit)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) && static_cast<unsigned char>(ch) < 0x80) && ch != '/') return false;
    const bool marked = std::any_of(unit.begin(), unit.end(), [](char ch) {
      return ch == '/' || std::isdigit(static_cast<unsigned char>(ch)) || std::isupper(static_cast<unsigned char>(ch));
    });
    const bool abbreviation = unit.size() >= 2 && unit.find_first_of("aeiouy") == std::string::npos;  // "ms", "mls"
    if (!marked && !abbreviation) return false;
    for (std::string_view kw : {"and", "or", "not", "within"})
      if (unit.size() >= kw.size() &&
          std::equal(kw.begin(), kw.end(), unit.begin(), [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }) &&
          (unit.size() == kw.size() || !std::isalnum(static_cast<unsigned char>(unit[kw.size()]))))
        return false;
    x3::traits::move_to(unit, attr);
    first = m;
    return true;
  }
};
const written_unit_parser written_unit{};

// "(53-75 mmol/mol)", "(110 g/L)": the same value in another unit; "(mg/dL)":
// the unit restated. Reads nothing else.
inline bool limit_unit(const std::string& unit) { return unit == "xULN"sv || unit == "xLLN"sv; }
struct restated_units_parser : x3::parser<restated_units_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr&) const {
    const Options& o = options(ctx);
    const It end = std::min(last, o.limit);
    // "< 8.0 mg/dL or 2.0 mmol/L": the bound restated in another unit after
    // "or", at the end of its clause.
    if (first + 2 < end && first > o.input->tokens.data() && first[-1].kind == Tok::unit &&
        first->kind == Tok::connective && first->value == "or"sv && first[1].kind == Tok::number &&
        first[2].kind == Tok::unit && first[2].value != first[-1].value && !limit_unit(first[2].value) &&
        !limit_unit(first[-1].value)) {  // not a multiple of a limit ("≥ LLN or 3 g/dL" is an alternative)
      const It after = first + 3;
      if (after >= end || after->kind == Tok::comma || after->kind == Tok::period || after->kind == Tok::semicolon ||
          after->kind == Tok::close) {
        first = after;
        return true;
      }
    }
    if (first >= end || first->kind != Tok::open) return false;
    It close = first;
    for (int depth = 0; close < end; ++close) {
      if (close->kind == Tok::open) ++depth;
      if (close->kind == Tok::close && --depth == 0) break;
    }
    if (close >= end) return false;
    if (close == first + 2 && (first + 1)->kind == Tok::unit) {
      first = close + 1;
      return true;
    }
    // "mg/deciliter [dL]": part of the unit just read, restated.
    if (close == first + 2 && (first + 1)->kind == Tok::word && first > o.input->tokens.data() &&
        first[-1].kind == Tok::unit && !(first + 1)->text.empty()) {
      std::string unit = first[-1].value;
      for (auto& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (unit.find((first + 1)->text) != std::string::npos) {
        first = close + 1;
        return true;
      }
    }
    const auto& words = o.input->words;
    bool has_number = false;
    for (It k = first + 1; k < close; ++k) {
      // "(3.9 millimoles per liter [mmol/L])": the unit restated inside.
      if (k->kind == Tok::open && k + 2 < close && (k + 1)->kind == Tok::unit && (k + 2)->kind == Tok::close) {
        k += 2;
        continue;
      }
      const auto index = static_cast<std::size_t>(k - o.input->tokens.data());
      const bool condition = index < words.size() && has_class(words[index], Word::condition);
      // "(> 3 x ULN in case of Gilbert syndrome)" is a bound for some, not a restatement.
      const bool fits = !condition && (k->kind == Tok::number || k->kind == Tok::unit || k->kind == Tok::comparator ||
                                       k->kind == Tok::filler || k->kind == Tok::word ||
                                       (k->kind == Tok::cue && (k->value == "dash"sv || k->value == "to"sv)));
      if (!fits) return false;
      has_number = has_number || k->kind == Tok::number;
    }
    if (!has_number) return false;
    first = close + 1;
    return true;
  }
};
const restated_units_parser restated_units{};

// "0 or 1", "0, 1, or 2", "3/4": whole numbers, each a value the measure
// may take (a score's grades): equalities, alternatives; a unit after the
// last applies to all. A single bare number is not read ("ECOG 2" could
// name a grade as well as a count), nor two without "or".
struct value_list_parser : x3::parser<value_list_parser> {
  using attribute_type = std::vector<Threshold>;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    const It end = std::min(last, options(ctx).limit);
    auto is = [&](It k, Tok t) { return k < last && k->kind == t; };
    auto whole = [&](It k) {
      return k < end && k->kind == Tok::number && k->number == std::floor(k->number) &&
             !(is(k + 1, Tok::word) && (k + 1)->begin == k->end) && !is(k + 1, Tok::time_unit) &&
             !is(k + 1, Tok::post_comparator) && !(is(k + 1, Tok::cue) && ((k + 1)->value == "dash"sv || (k + 1)->value == "to"sv));
    };
    if (!whole(first)) return false;
    std::vector<It> values{first};
    bool has_or = false;
    It j = first + 1;
    while (j < end) {
      It k = j;
      if (is(k, Tok::comma)) ++k;
      if (is(k, Tok::connective) && k->value == "or"sv) {
        has_or = true;
        ++k;
      }
      if (k == j || !whole(k)) break;
      values.push_back(k);
      j = k + 1;
    }
    // Two values with a comma only are a list when they are consecutive
    // grades ("ECOG 0, 1"), not two numbers of another kind ("18, 65").
    const bool grades = values.size() == 2 && values[0]->number <= 5 && values[1]->number == values[0]->number + 1 &&
                        !is(j, Tok::comma);  // "0, 1, 0r 2": the list goes on, unread
    if (!has_or && values.size() < 3 && !grades) return false;
    std::string unit;
    if (is(j, Tok::unit)) unit = (j++)->value;
    std::vector<Threshold> out;
    for (std::size_t v = 0; v < values.size(); ++v) out.push_back(Threshold{ast::CmpOp::eq, values[v]->number, unit, "", v > 0});
    x3::traits::move_to(out, attr);
    first = j;
    return true;
  }
};
const value_list_parser value_list{};

// Succeeds, reading nothing, when the options say so.
const auto times_are_units = x3::eps[([](auto& ctx) { x3::_pass(ctx) = options(ctx).time_units; })];
const auto after_between = x3::eps[([](auto& ctx) { x3::_pass(ctx) = options(ctx).between; })];
const auto not_after_between = x3::eps[([](auto& ctx) { x3::_pass(ctx) = !options(ctx).between; })];

// A window's opener: "within" (strong: alone it makes a window) or "in"
// (weak: only with an amount or "past"/"last").
struct window_opener_parser : x3::parser<window_opener_parser> {
  using attribute_type = bool;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::cue || (first->value != "window"sv && first->value != "window_weak"sv)) return false;
    x3::traits::move_to(first->value == "window"sv, attr);
    ++first;
    return true;
  }
};
const window_opener_parser window_opener{};

// Between a window's opener and its amount: "the past", "the last": true
// when it says the window lies in the past.
struct window_word_parser : x3::parser<window_word_parser> {
  using attribute_type = bool;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last || first >= options(ctx).limit) return false;
    const bool past = first->kind == Tok::cue && first->value == "history_adj"sv;
    if (!past && first->kind != Tok::filler) return false;
    x3::traits::move_to(past || word_of_class(ctx, first, last, Word::past), attr);
    ++first;
    return true;
  }
};
const window_word_parser window_word{};

// A window's amount: a number, or a number word ("two"; "a" only before its
// time: "a year", not "a history").
struct window_amount_parser : x3::parser<window_amount_parser> {
  using attribute_type = double;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last || (first->kind != Tok::number && first->kind != Tok::number_word)) return false;
    const bool time_next = first + 1 != last && (first + 1)->kind == Tok::time_unit;
    if (first->kind == Tok::number_word && word_of_class(ctx, first, last, Word::indefinite) && !time_next) return false;
    x3::traits::move_to(first->number, attr);
    ++first;
    return true;
  }
};
const window_amount_parser window_amount{};

// A token before the caller's end.
template <class Subject>
struct bounded_parser : x3::unary_parser<Subject, bounded_parser<Subject>> {
  using base_type = x3::unary_parser<Subject, bounded_parser<Subject>>;
  using attribute_type = typename x3::traits::attribute_of<Subject, x3::unused_type>::type;
  static bool const has_attribute = !std::is_same_v<attribute_type, x3::unused_type>;
  constexpr bounded_parser(Subject const& subject) : base_type(subject) {}
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx& rctx, Attr& attr) const {
    if (first >= options(ctx).limit) return false;
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};
template <class Subject>
constexpr bounded_parser<Subject> bounded(Subject const& s) { return {s}; }

struct time_unit_parser : x3::parser<time_unit_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::time_unit) return false;
    x3::traits::move_to(first->value, attr);
    ++first;
    return true;
  }
};
const time_unit_parser time_unit{};

// Between two thresholds of a list: an empty bracket ("(inclusive)",
// "(≥)"), a comma, "or" or "and"; at least one of them. Its attribute: "or".
// A word of the class contrast ("but").
template <class Ctx>
bool contrast(const Ctx& ctx, It k, It last) {
  return k < last && k->kind == Tok::word && word_of_class(ctx, k, last, Word::contrast);
}

// "BMI >18 <28": straight after a value, a comparator of the other
// direction starts the other bound of a range.
inline bool opposite_bound(It k, It first, It last, It begin) {
  if (k >= last || k->kind != Tok::comparator || first <= begin) return false;
  auto side = [](const std::string& op) { return op == "gt"sv || op == "ge"sv ? 1 : op == "lt"sv || op == "le"sv ? -1 : 0; };
  const int here = side(k->value);
  if (here == 0) return false;
  const It value = first - 1;
  if (value->kind != Tok::number && value->kind != Tok::unit && value->kind != Tok::time_unit) return false;
  for (std::ptrdiff_t d = 0; d < 3 && d <= value - begin; ++d) {
    const It m = value - d;
    if (m->kind == Tok::comparator) return side(m->value) == -here;
    if (m->kind != Tok::number && m->kind != Tok::unit && m->kind != Tok::time_unit) return false;
  }
  return false;
}

struct joiner_parser : x3::parser<joiner_parser> {
  using attribute_type = bool;
  static bool const has_attribute = true;
  int want = -1;  // 1: only "or"; 0: anything but "or"; -1: either
  bool semicolon = false;  // a semicolon or colon joins too ("1.6 mg/dl for males; 1.4 mg/dl for females", "Men: ≤ 1.5 mg/dl: Women: ≤ 1.3 mg/dl")
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    const It end = options(ctx).limit;
    if (first >= end || first >= last) return false;
    auto is = [&](It k, Tok t) { return k < last && k->kind == t; };
    It k = first;
    if (is(k, Tok::open)) {
      It close = k;
      for (int depth = 0; close < end; ++close) {
        if (close->kind == Tok::open) ++depth;
        if (close->kind == Tok::close && --depth == 0) break;
      }
      bool empty = close < end;
      for (It m = k + 1; m < close && empty; ++m)
        empty = (m->kind == Tok::cue && m->value == "inclusive"sv) || m->kind == Tok::comparator || m->kind == Tok::filler;
      if (empty) k = close + 1;
    }
    if (is(k, Tok::comma) || (semicolon && (is(k, Tok::semicolon) || is(k, Tok::colon)))) ++k;
    bool is_or = false;
    if (is(k, Tok::connective) && k->value == "or"sv) {
      is_or = true;
      ++k;
    } else if ((is(k, Tok::connective) && k->value == "and"sv) || contrast(ctx, k, last)) {
      ++k;  // "≥ 100 mg/day but ≤ 2000 mg/day": "but" joins as "and"
    } else if (k == first && !(want == 0 && opposite_bound(k, first, last, options(ctx).input->tokens.data()))) {
      return false;
    }
    if (want >= 0 && is_or != (want == 1)) return false;
    x3::traits::move_to(is_or, attr);
    first = k;
    return true;
  }
};
const joiner_parser joiner{};
const joiner_parser or_joiner{{}, 1};
const joiner_parser and_joiner{{}, 0};
const joiner_parser sex_joiner{{}, -1, true};

// What makes an alternative threshold hold for some patients only, after
// it: "if ...", "in the presence of ...", "for patients with ...".
struct for_some_parser : x3::parser<for_some_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr&) const {
    const ClauseInput& in = *options(ctx).input;
    auto classes = [&](It k) -> ClassBits {
      const auto index = static_cast<std::size_t>(k - in.tokens.data());
      return k < last && index < in.words.size() ? in.words[index] : 0;
    };
    // "patients", "subjects with" (a filler): its first word names people.
    auto people = [&](It k) {
      if (k >= last) return false;
      if (k->kind == Tok::person) return true;
      if (!in.classes) return false;
      return has_class(classes_of(in, static_cast<std::size_t>(k - in.tokens.data()), WordsOf::first), Word::people);
    };
    auto presence = [&](It k) {
      if (k >= last || !in.classes) return false;
      return has_class(classes_of(in, static_cast<std::size_t>(k - in.tokens.data()), WordsOf::whole), Word::presence);
    };
    const bool some = has_class(classes(first), Word::condition) ||
                      (has_class(classes(first), Word::place_preposition) &&
                       (people(first + 1) || (has_class(classes(first + 1), Word::article) && presence(first + 2))));
    return some;  // a look-ahead: reads nothing
  }
};
const for_some_parser for_some{};

// A bare number and a unit the tables know, for the other sex's value.
struct any_number_parser : x3::parser<any_number_parser> {
  using attribute_type = double;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::number) return false;
    x3::traits::move_to(first->number, attr);
    ++first;
    return true;
  }
};
const any_number_parser any_number{};
struct known_unit_parser : x3::parser<known_unit_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::unit) return false;
    x3::traits::move_to(first->value, attr);
    ++first;
    return true;
  }
};
const known_unit_parser known_unit{};

// The kind of concept a mention names (the lexicon's), if it is one.
inline const Concept* concept_of(const ClauseInput& in, It k, It last) {
  // (k may be before the first token: "measure_at(i - 2)" at a text's start.)
  return k >= in.tokens.data() && k < last && k->kind == Tok::concept_ref && in.lexicon ? in.lexicon->find(k->value)
                                                                                        : nullptr;
}
inline bool event_at(const ClauseInput& in, It k, It last) {
  const Concept* c = concept_of(in, k, last);
  return c && c->kind == ConceptKind::event;
}
// Words that may stand between the parts of a construct.
inline bool soft_at(It k, It last) {
  return k < last && (k->kind == Tok::filler || k->kind == Tok::person ||
                      (k->kind == Tok::cue && (k->value == "result"sv || k->value == "history_adj"sv || k->value == "reference_weak"sv)));
}
struct soft_parser : x3::parser<soft_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr&) const {
    if (first >= options(ctx).limit || !soft_at(first, last)) return false;
    ++first;
    return true;
  }
};
const soft_parser soft{};

// A count: a number, or a number word ("two"; "a" only before what it
// counts: "a severe hypoglycemic event", not "a history").
struct count_number_parser : x3::parser<count_number_parser> {
  using attribute_type = double;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last || (first->kind != Tok::number && first->kind != Tok::number_word)) return false;
    const ClauseInput& in = *options(ctx).input;
    const auto index = static_cast<std::size_t>(first - in.tokens.data());
    const bool indefinite = first->kind == Tok::number_word && index < in.words.size() && has_class(in.words[index], Word::indefinite);
    const It next = first + 1;
    if (indefinite && !((next < last && next->kind == Tok::cue && next->value == "episode"sv) || event_at(in, next, last) || soft_at(next, last)))
      return false;
    x3::traits::move_to(first->number, attr);
    ++first;
    return true;
  }
};
const count_number_parser count_number{};

// "episodes", "times", "events" (cue episode), any number of them; its
// attribute: whether there was one. Always succeeds.
struct episodes_parser : x3::parser<episodes_parser> {
  using attribute_type = bool;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    bool any = false;
    while (first != last && first->kind == Tok::cue && first->value == "episode"sv) {
      any = true;
      ++first;
    }
    x3::traits::move_to(any, attr);
    return true;
  }
};
const episodes_parser episodes{};

// An event concept's mention and the episode words after it: its id, and
// whether there were any.
struct event_parser : x3::parser<event_parser> {
  using attribute_type = std::pair<std::string, bool>;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (!event_at(*options(ctx).input, first, last)) return false;
    std::pair<std::string, bool> got{first->value, false};
    ++first;
    while (first != last && first->kind == Tok::cue && first->value == "episode"sv) {
      got.second = true;
      ++first;
    }
    x3::traits::move_to(got, attr);
    return true;
  }
};
const event_parser event{};

// Where the parse stands, reading nothing: for a look back from there.
struct position_parser : x3::parser<position_parser> {
  using attribute_type = It;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx&, RCtx&, Attr& attr) const {
    x3::traits::move_to(first, attr);
    return true;
  }
};
const position_parser position{};

// A mention of something that lasts (a condition or a medication), as its id.
struct durable_parser : x3::parser<durable_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Concept* c = concept_of(*options(ctx).input, first, last);
    if (!c || (c->kind != ConceptKind::condition && c->kind != ConceptKind::medication)) return false;
    x3::traits::move_to(first->value, attr);
    ++first;
    return true;
  }
};
const durable_parser durable{};

// A number or a number word ("a year"), as its value.
struct amount_parser : x3::parser<amount_parser> {
  using attribute_type = double;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || (first->kind != Tok::number && first->kind != Tok::number_word)) return false;
    x3::traits::move_to(first->number, attr);
    ++first;
    return true;
  }
};
const amount_parser amount{};

// Between a lasting thing and its duration: "diagnosed", "(T1D)", people
// and filler; a bracket of at most five tokens and no number.
struct duration_modifier_parser : x3::parser<duration_modifier_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr&) const {
    const It end = options(ctx).limit;
    if (first >= end || first >= last) return false;
    if (soft_at(first, last) || first->kind == Tok::person ||
        (first->kind == Tok::cue && (first->value == "diagnosed"sv || first->value == "duration"sv))) {
      ++first;
      return true;
    }
    if (first->kind != Tok::open) return false;
    It close = first;
    for (int depth = 0; close < end; ++close) {
      if (close->kind == Tok::open) ++depth;
      if (close->kind == Tok::close && --depth == 0) break;
    }
    if (close >= end || close - first > 6) return false;
    for (It m = first + 1; m < close; ++m)
      if (m->kind == Tok::number) return false;
    first = close + 1;
    return true;
  }
};
const duration_modifier_parser duration_modifier{};

// The nearest condition named around a position (either way, nearest first).
inline std::string nearest_condition(const ClauseInput& in, It at) {
  const It begin = in.tokens.data(), last = begin + in.tokens.size();
  for (std::ptrdiff_t d = 1; d < last - begin; ++d)
    for (It k : {at - d, at + d}) {
      if (k < begin || k >= last) continue;
      const Concept* c = concept_of(in, k, last);
      if (c && c->kind == ConceptKind::condition) return c->id;
    }
  return "";
}

// A duration's comparator and how it was written: "for at least" (a cue
// for_ge, for_gt, for_lt: 0), "for" and perhaps a comparator (1), or a
// comparator alone (2: only after "diagnosed" or "duration").
struct duration_op_parser : x3::parser<duration_op_parser> {
  using attribute_type = std::pair<ast::CmpOp, int>;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last) return false;
    std::pair<ast::CmpOp, int> got{ast::CmpOp::ge, 0};
    if (first->kind == Tok::cue && (first->value == "for_ge"sv || first->value == "for_gt"sv || first->value == "for_lt"sv)) {
      got.first = first->value == "for_ge"sv ? ast::CmpOp::ge : first->value == "for_gt"sv ? ast::CmpOp::gt : ast::CmpOp::lt;
      ++first;
    } else if (first->kind == Tok::cue && first->value == "for"sv) {
      got.second = 1;
      ++first;
      if (first != last && first->kind == Tok::comparator) got.first = comparator_op((first++)->value);
    } else if (first->kind == Tok::comparator) {
      got = {comparator_op(first->value), 2};
      ++first;
    } else {
      return false;
    }
    x3::traits::move_to(got, attr);
    return true;
  }
};
const duration_op_parser duration_op{};

// ------------------------------------------------------------------ rules

using Thresholds = std::vector<Threshold>;

const x3::rule<class unit_tail_class, std::string> unit_tail = "unit";
const x3::rule<class bound_op_class, ast::CmpOp> bound_op = "or more, or older";
const x3::rule<class upper_bound_class, Threshold> upper_bound = "upper bound";
const x3::rule<class between_body_class, Thresholds> between_body = "range";
const x3::rule<class between_form_class, Thresholds> between_form = "between ... and ...";
const x3::rule<class comparator_form_class, Thresholds> comparator_form = "comparator and value";
const x3::rule<class number_form_class, Thresholds> number_form = "value first";
const x3::rule<class threshold_class, Thresholds> threshold = "threshold";

// A range's low and high ends share a unit written once.
inline Thresholds range_of(double lo, std::string lo_unit, Threshold hi) {
  if (lo_unit.empty()) lo_unit = hi.unit;
  if (hi.unit.empty()) hi.unit = lo_unit;
  return {Threshold{ast::CmpOp::ge, lo, lo_unit, "", false}, hi};
}

// "- 65 years", "to ≤ 28 kg/m2": a range's high end (≤ unless written).
const auto make_upper = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const auto& op = boost::fusion::at_c<0>(a);
  const auto& unit = boost::fusion::at_c<2>(a);
  x3::_val(ctx) = Threshold{op ? *op : ast::CmpOp::le, boost::fusion::at_c<1>(a), unit ? *unit : std::string(), "", false};
};
const auto upper_bound_def = ((cue("to") | cue("dash") | word_of(Word::range_to)) >> -cmp >> number >> -unit)[make_upper];

const auto make_between = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const auto& lo_unit = boost::fusion::at_c<1>(a);
  const auto& op = boost::fusion::at_c<2>(a);
  const auto& hi_unit = boost::fusion::at_c<4>(a);
  x3::_val(ctx) = range_of(boost::fusion::at_c<0>(a), lo_unit ? *lo_unit : std::string(),
                           Threshold{op ? *op : ast::CmpOp::le, boost::fusion::at_c<3>(a), hi_unit ? *hi_unit : std::string(), "", false});
};
const auto between_body_def =
    (number >> -unit >> (conn("and") | cue("to") | cue("dash") | word_of(Word::and_typo) | word_of(Word::range_to)) >> -cmp >> number >>
     -unit)[make_between];
const auto between_form_def = (cue("between") | (cue("from") >> &number)) >> between_body;

// "outside the range of 90-150 mmHg", "outside the normal range (35-50%)":
// below the low end or above the high end.
const x3::rule<class outside_form_class, Thresholds> outside_form = "outside a range";
const auto make_outside = [](auto& ctx) {
  Thresholds r = x3::_attr(ctx);
  if (r.size() == 2) {
    r[0].op = ast::CmpOp::lt;
    r[1].op = ast::CmpOp::gt;
    r[1].or_before = true;
  }
  x3::_val(ctx) = r;
};
const auto outside_form_def =
    (word_of(Word::outside) >> *soft >> -tok(Tok::open) >> between_body >> -tok(Tok::close))[make_outside];

// "≥ 7.5 %", "less than (<) 10.0", "at least a value of 60", "greater than
// 18.5 to 33.0" (a range: its first operator is dropped if it is "=").
const auto make_comparator_form = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const auto& unit_written = boost::fusion::at_c<2>(a);
  const auto& upper = boost::fusion::at_c<3>(a);
  Threshold low{boost::fusion::at_c<0>(a), boost::fusion::at_c<1>(a), unit_written ? *unit_written : std::string(), "", false};
  if (!upper) {
    x3::_val(ctx) = Thresholds{low};
    return;
  }
  if (low.op == ast::CmpOp::eq) low.op = ast::CmpOp::ge;
  Threshold hi = *upper;
  if (low.unit.empty()) low.unit = hi.unit;
  if (hi.unit.empty()) hi.unit = low.unit;
  x3::_val(ctx) = Thresholds{low, hi};
};
const auto assign = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };
const auto unit_tail_def = unit[assign] | times[assign] | written_unit[assign];
const auto comparator_form_def =
    (cmp >> ((tok(Tok::open) >> tok(Tok::comparator) >> tok(Tok::close)) | x3::repeat(0, 2)[tok(Tok::filler)]) >> number >>
     -unit_tail >> -upper_bound)[make_comparator_form];

// "≤ ULN", "no greater than the upper limit of normal", "≥ LLN": a bound at
// the limit itself, once the limit.
struct limit_parser : x3::parser<limit_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || first->kind != Tok::unit || (first->value != "xULN"sv && first->value != "xLLN"sv)) return false;
    x3::traits::move_to(first->value, attr);
    ++first;
    return true;
  }
};
const limit_parser limit{};
const auto make_limit_form = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  x3::_val(ctx) = Thresholds{Threshold{boost::fusion::at_c<0>(a), 1.0, boost::fusion::at_c<1>(a), "", false}};
};
const x3::rule<class limit_form_class, Thresholds> limit_form = "bound at the limit of normal";
const auto limit_form_def = (cmp >> x3::omit[x3::repeat(0, 2)[tok(Tok::filler)]] >> limit)[make_limit_form];

// "18-65 years", "18 years or older", "2.5 or more times ULN", "18 years of
// age or older", "0, 1 or 2".
const auto make_range_from = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  x3::_val(ctx) = range_of(boost::fusion::at_c<0>(a), boost::fusion::at_c<1>(a), boost::fusion::at_c<2>(a));
};
const auto make_bound_with_unit = [](auto& ctx) {  // number, unit, operator
  auto& a = x3::_attr(ctx);
  x3::_val(ctx) = Thresholds{Threshold{boost::fusion::at_c<2>(a), boost::fusion::at_c<0>(a), boost::fusion::at_c<1>(a), "", false}};
};
const auto make_bound_words = [](auto& ctx) {  // number, operator, unit after it
  auto& a = x3::_attr(ctx);
  const auto& u = boost::fusion::at_c<2>(a);
  x3::_val(ctx) = Thresholds{Threshold{boost::fusion::at_c<1>(a), boost::fusion::at_c<0>(a), u ? *u : std::string(), "", false}};
};
const auto make_bound = [](auto& ctx) {  // number, operator
  auto& a = x3::_attr(ctx);
  x3::_val(ctx) = Thresholds{Threshold{boost::fusion::at_c<1>(a), boost::fusion::at_c<0>(a), "", "", false}};
};
const auto make_range_bare = [](auto& ctx) {  // number, upper bound
  auto& a = x3::_attr(ctx);
  x3::_val(ctx) = range_of(boost::fusion::at_c<0>(a), std::string(), boost::fusion::at_c<1>(a));
};
// "or older", "+"; for ages "of age or older" after the number; past one
// filler ("2X normal for age or less").
const auto bound_op_def = post_cmp[assign] | (times_are_units >> cue("age_after") >> post_cmp)[assign] |
                          (x3::omit[tok(Tok::filler)] >> post_cmp)[assign];
// "ECOG = 0, 1 or 2": an equals sign before a list of grades.
const x3::rule<class equals_list_class, Thresholds> equals_list = "= a list of values";
const auto equals_list_def = kind_parser{{}, Tok::comparator, "eq", nullptr} >> value_list;

const auto number_form_def =
    value_list[assign] |
    (number >> unit >> upper_bound)[make_range_from] |
    (number >> unit >> bound_op)[make_bound_with_unit] |
    (number >> upper_bound)[make_range_bare] |
    // "2.5 or more times the upper normal limit": the unit after words
    // ("18-65+ years" is a range written oddly, not ≥ 65).
    (number >> post_cmp_words >> -unit)[make_bound_words] |
    (number >> bound_op)[make_bound];

// A threshold with what may follow it: the value restated in other units,
// "inclusive", and the sex it is for.
const auto set_thresholds = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };
const auto set_sex = [](auto& ctx) {
  for (auto& t : x3::_val(ctx)) t.sex = x3::_attr(ctx);
};
struct sex_parser : x3::parser<sex_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (first == last) return false;
    // "between 40 kg and 85 kg if female": "if" and the sex's noun.
    if (first->kind == Tok::word && last - first >= 2 && word_of_class(ctx, first, last, Word::condition) &&
        first[1].kind == Tok::cue && (first[1].value == "male_noun"sv || first[1].value == "female_noun"sv)) {
      x3::traits::move_to(std::string(first[1].value == "male_noun"sv ? "male" : "female"), attr);
      first += 2;
      return true;
    }
    // "> 48 % (women)": the sex's noun alone in brackets.
    if (first->kind == Tok::open && last - first >= 3 && first[1].kind == Tok::cue && first[2].kind == Tok::close &&
        (first[1].value == "male_noun"sv || first[1].value == "female_noun"sv)) {
      x3::traits::move_to(std::string(first[1].value == "male_noun"sv ? "male" : "female"), attr);
      first += 3;
      return true;
    }
    if (first->kind != Tok::cue || (first->value != "male"sv && first->value != "female"sv)) return false;
    x3::traits::move_to(first->value, attr);
    ++first;
    return true;
  }
};
const sex_parser sex{};
// "male > 133 μmol/L", "women: ≥ 12 g/dL", "Men: 12.2-18 g/dl": the sex's
// noun before a measure's bound or range (before an age it names who:
// "Women ≥ 18 years").
struct sex_lead_parser : x3::parser<sex_lead_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    if (options(ctx).time_units || first == last || first->kind != Tok::cue) return false;
    const std::string& v = first->value;
    if (v != "male_noun"sv && v != "female_noun"sv) return false;
    It k = first + 1;
    if (k < last && k->kind == Tok::colon) ++k;
    // "Men: ≤ 1.4 mg/dl", "Men 12.2-18 g/dl": a bound or a range.
    const bool range = k + 2 < last && k->kind == Tok::number && k[2].kind == Tok::number &&
                       ((k[1].kind == Tok::cue && (k[1].value == "dash"sv || k[1].value == "to"sv)));
    if (k == last || (k->kind != Tok::comparator && !range)) return false;
    x3::traits::move_to(std::string(v.rfind("male", 0) == 0 ? "male" : "female"), attr);
    first = k;
    return true;
  }
};
const sex_lead_parser sex_lead{};
// What follows the sex: a bound or a range.
const x3::rule<class sexed_bound_class, Thresholds> sexed_bound = "bound";
const auto sexed_bound_def = comparator_form | number_form;
BOOST_SPIRIT_DEFINE(sexed_bound)
const auto set_sex_first = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  Thresholds ts = std::move(boost::fusion::at_c<1>(a));
  for (auto& t : ts) t.sex = boost::fusion::at_c<0>(a);
  x3::_val(ctx) = std::move(ts);
};
// "between" read before: only the range may follow.
const auto threshold_def = ((after_between >> between_body)[set_thresholds] |
                            (not_after_between >> between_form)[set_thresholds] |
                            (not_after_between >> outside_form)[set_thresholds] |
                            (not_after_between >> equals_list)[set_thresholds] |
                            (not_after_between >> comparator_form)[set_thresholds] |
                            (not_after_between >> limit_form)[set_thresholds] |
                            (not_after_between >> sex_lead >> sexed_bound)[set_sex_first] |
                            (not_after_between >> number_form)[set_thresholds]) >>
                           *restated_units >> *cue("inclusive") >> -sex[set_sex];
// A later threshold of a list ("between" is its own word there).
const x3::rule<class next_threshold_class, Thresholds> next_threshold = "threshold";
const auto next_threshold_def = (between_form[set_thresholds] | comparator_form[set_thresholds] | limit_form[set_thresholds] |
                                 number_form[set_thresholds]) >>
                                *restated_units >> *cue("inclusive") >> -sex[set_sex];

// A list of thresholds on one measure, each after a joiner; what starts a
// later one: a comparator, "between", or a number before "or more" or a dash.
const x3::rule<class threshold_list_class, Thresholds> threshold_list = "thresholds";
const auto next_starts = &(tok(Tok::comparator) | cue("between") |
                           (tok(Tok::number) >> (tok(Tok::post_comparator) | cue("dash") | cue("to") | word_of(Word::range_to))));
// "at least 60 kg for men and 48 kg for women": a bare value for the other
// sex takes the comparator (and unit, unless written) of the one before.
const auto add_other_sex = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& list = x3::_val(ctx);
  const std::string& sex = boost::fusion::at_c<3>(a);
  if (list.empty() || list.back().sex.empty() || list.back().sex == sex) {
    x3::_pass(ctx) = false;
    return;
  }
  Threshold t = list.back();
  t.value = boost::fusion::at_c<1>(a);
  if (const auto& u = boost::fusion::at_c<2>(a)) t.unit = *u;
  t.sex = sex;
  t.or_before = boost::fusion::at_c<0>(a);
  list.push_back(t);
};
// "male > 133 μmol/L or female > 108 μmol/L", "men ≤ 83 IU/L women < 60
// IU/L": the other sex's bound, its sex first, continues a list whose last
// bound has a sex (after one for everyone it would read as an exception).
const auto add_sexed = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& list = x3::_val(ctx);
  const std::string& sex = boost::fusion::at_c<1>(a);
  auto& next = boost::fusion::at_c<2>(a);
  if (list.empty() || list.back().sex.empty() || list.back().sex == sex || next.empty()) {
    x3::_pass(ctx) = false;
    return;
  }
  const auto& joined = boost::fusion::at_c<0>(a);
  next.front().or_before = joined && *joined;
  for (auto& t : next) t.sex = sex;
  list.insert(list.end(), next.begin(), next.end());
};
const auto add_next = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& next = boost::fusion::at_c<1>(a);
  if (!next.empty()) next.front().or_before = boost::fusion::at_c<0>(a);
  auto& list = x3::_val(ctx);
  list.insert(list.end(), next.begin(), next.end());
};
const auto threshold_list_def =
    threshold[set_thresholds] >>
    *((sex_joiner >> any_number >> -known_unit >> *restated_units >> sex)[add_other_sex] |
      // An alternative "or ..." for some patients only ends the list.
      (or_joiner >> next_starts >> next_threshold >> !for_some)[add_next] |
      // So does one after a comma alone (", < 5 x ULN in patients with ...").
      (!(tok(Tok::comma) >> next_starts >> next_threshold >> for_some) >> and_joiner >> next_starts >>
       next_threshold)[add_next] |
      (-sex_joiner >> sex_lead >> sexed_bound >> *restated_units >> *cue("inclusive"))[add_sexed]);

// "within 12 months", "in the past 3 months", "within the last year", "in
// the 3 months prior to enrollment": an amount (1 if none) of a time unit.
// "in" alone, without an amount or "past", is no window ("in years").
const x3::rule<class window_class, ast::Window> window = "window";
const auto make_window = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const bool strong = boost::fusion::at_c<0>(a);
  const auto& words = boost::fusion::at_c<1>(a);
  const auto& amount = boost::fusion::at_c<2>(a);
  const bool past = std::find(words.begin(), words.end(), true) != words.end();
  if (!strong && !amount && !past) {
    x3::_pass(ctx) = false;
    return;
  }
  x3::_val(ctx) = ast::Window{amount ? static_cast<int>(*amount) : 1, boost::fusion::at_c<3>(a)};
};
const auto window_def = (window_opener >> x3::repeat(0, 3)[window_word] >> -window_amount >> time_unit)[make_window] >>
                        -(bounded(cue("before")) >> *bounded(tok(Tok::filler)));

BOOST_SPIRIT_DEFINE(window)

// "more than 4 episodes of severe hypoglycemia in the past 12 months", "2 or
// more severe hypoglycemic events", "at least one episode" after the event
// was named ("(more than 2 episodes over the last 6 months)"). A comparator
// after the number wins over one before it.
const x3::rule<class event_count_class, ast::Count> event_count = "count of events";
const auto make_event_count = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const It start = boost::fusion::at_c<0>(a);
  const auto& before = boost::fusion::at_c<1>(a);
  const auto& after = boost::fusion::at_c<3>(a);
  const bool episodes_before = boost::fusion::at_c<4>(a);
  const auto& event = boost::fusion::at_c<5>(a);
  const auto& window = boost::fusion::at_c<6>(a);
  std::string id;
  if (event) id = event->first;
  const bool episode = episodes_before || (event && event->second);
  const ClauseInput& in = *options(ctx).input;
  if (id.empty() && episode)
    for (It k = start; k-- > in.tokens.data();)
      if (event_at(in, k, in.tokens.data() + in.tokens.size())) {
        id = k->value;
        break;
      }
  if (id.empty()) {
    x3::_pass(ctx) = false;
    return;
  }
  ast::Count c;
  c.concepts = {id};
  c.op = after ? *after : before ? *before : ast::CmpOp::ge;
  c.n = static_cast<int>(boost::fusion::at_c<2>(a));
  if (window) c.window = *window;
  x3::_val(ctx) = c;
};
const auto event_count_def = (position >> -cmp >> count_number >> -post_cmp >> x3::repeat(0, 3)[soft] >> episodes >>
                              x3::repeat(0, 2)[soft] >> -event >> -window)[make_event_count];

BOOST_SPIRIT_DEFINE(event_count)

// How long something has lasted, or since it ended:
//   type 1 diabetes for at least 1 year        diagnosed with T1D for ≥ 12 months
//   diabetes duration > 5 years                diagnosed with T1D within the past 3 months (≤ 3 months)
//   within 100 days of diagnosis               less than 1 year since cure
// (the last two of the condition named nearest).
const x3::rule<class duration_class, ast::Duration> duration = "duration";
inline ast::Duration make_duration(std::string fn, std::string id, ast::CmpOp op, double value, std::string unit) {
  ast::Duration d;
  d.function = std::move(fn);
  d.concept_id = std::move(id);
  d.op = op;
  d.value = value;
  d.unit = std::move(unit);
  return d;
}
const auto duration_opener = (cue("diagnosed") | cue("duration")) >> x3::repeat(0, 3)[soft];
const auto make_duration_for = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const bool diagnosed = boost::fusion::at_c<0>(a);
  const It op_at = boost::fusion::at_c<2>(a);
  const auto& op = boost::fusion::at_c<3>(a);
  // A comparator alone follows "diagnosed" or "duration" only ("T2D
  // subjects diagnosed at least 6 months prior to screening").
  if (op.second == 2 && !diagnosed &&
      !(op_at[-1].kind == Tok::cue && (op_at[-1].value == "duration"sv || op_at[-1].value == "diagnosed"sv))) {
    x3::_pass(ctx) = false;
    return;
  }
  const auto& post = boost::fusion::at_c<6>(a);
  x3::_val(ctx) = make_duration("duration", boost::fusion::at_c<1>(a), post ? *post : op.first, boost::fusion::at_c<4>(a),
                                boost::fusion::at_c<5>(a));
};
const auto make_duration_window = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const ast::Window& w = boost::fusion::at_c<1>(a);
  x3::_val(ctx) = make_duration("duration", boost::fusion::at_c<0>(a), ast::CmpOp::le, w.amount, w.unit);
};
const auto make_near = [](std::string fn, bool window) {
  return [fn, window](auto& ctx) {
    auto& a = x3::_attr(ctx);
    const It at = boost::fusion::at_c<0>(a);
    std::string id = nearest_condition(*options(ctx).input, at);
    if (id.empty()) {
      x3::_pass(ctx) = false;
      return;
    }
    const ast::CmpOp op = window ? ast::CmpOp::le : boost::fusion::at_c<1>(a);
    x3::_val(ctx) = make_duration(fn, id, op, boost::fusion::at_c<2>(a), boost::fusion::at_c<3>(a));
  };
};
struct has_opener_parser : x3::parser<has_opener_parser> {  // whether "diagnosed"/"duration" opens it
  using attribute_type = bool;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx& rctx, Attr& attr) const {
    x3::unused_type none;
    const bool opened = duration_opener.parse(first, last, ctx, rctx, none);
    x3::traits::move_to(opened, attr);
    return true;
  }
};
const has_opener_parser has_opener{};
const auto duration_def =
    (has_opener >> durable >> x3::repeat(0, 6)[duration_modifier] >> position >> duration_op >> amount >> time_unit >>
     -post_cmp >> *bounded(cue("before") | cue("ago") | tok(Tok::filler)))[make_duration_for] |
    (duration_opener >> durable >> x3::repeat(0, 6)[duration_modifier] >> window)[make_duration_window] |
    (position >> cue("window") >> x3::attr(ast::CmpOp::le) >> amount >> time_unit >> cue("since_diagnosis"))[make_near("duration", true)] |
    (position >> cmp >> amount >> time_unit >> (cue("since_cure") | cue("since")))[make_near("since", false)];

BOOST_SPIRIT_DEFINE(duration)

// ------------------------------------------------------------------ ages

// Token tests the age rules share.
struct Tokens {
  const ClauseInput& in;
  It begin, last, limit;
  template <class Ctx>
  explicit Tokens(const Ctx& ctx)
      : in(*options(ctx).input), begin(in.tokens.data()), last(begin + in.tokens.size()), limit(options(ctx).limit) {}
  bool is(It k, Tok t) const { return k >= begin && k < last && k->kind == t; }
  bool cue(It k, std::string_view v) const { return is(k, Tok::cue) && k->value == v; }
  bool conn(It k, std::string_view v) const { return is(k, Tok::connective) && k->value == v; }
  bool word_in(It k, Word w) const {
    const auto index = static_cast<std::size_t>(k - begin);
    return k >= begin && k < last && index < in.words.size() && has_class(in.words[index], w);
  }
  // Any word of a token of several ("aged between") of the class.
  bool any_word_in(It k, Word w) const {
    if (k < begin || k >= last || !in.classes) return false;
    return has_class(classes_of(in, static_cast<std::size_t>(k - begin), WordsOf::any), w);
  }
  bool age_word(It k) const { return (is(k, Tok::concept_ref) && k->value == "age"sv) || cue(k, "age"); }
  bool number_at(It k) const { return is(k, Tok::number) || is(k, Tok::number_word); }
  It close_of(It open) const {
    int depth = 0;
    for (It k = open; k < limit; ++k) {
      if (k->kind == Tok::open) ++depth;
      if (k->kind == Tok::close && --depth == 0) return k;
    }
    return limit;
  }
  // Thresholds of an age or duration from k (times are units).
  int thresholds(It k, bool between, Thresholds& out) const {
    return read_threshold_list(in, static_cast<int>(k - begin), static_cast<int>(limit - begin), true, between, out);
  }
};

// The comparator read from the other side: "18 ≤ age" is age ≥ 18.
inline ast::CmpOp flipped(ast::CmpOp op) {
  switch (op) {
    case ast::CmpOp::lt: return ast::CmpOp::gt;
    case ast::CmpOp::le: return ast::CmpOp::ge;
    case ast::CmpOp::gt: return ast::CmpOp::lt;
    case ast::CmpOp::ge: return ast::CmpOp::le;
    default: return op;
  }
}

inline bool is_time(const std::string& u) { return u == "years"sv || u == "months"sv || u == "weeks"sv || u == "days"sv; }
inline bool in_years(const Thresholds& ts) {
  return std::any_of(ts.begin(), ts.end(), [](auto& t) { return t.unit == "years"sv || t.unit == "months"sv; });
}

// An age's thresholds from `from`: past "age", a colon and filler, a range
// (after "between"), in times only; "of age", "inclusive" and "or older"
// after them. Returns the end, or null.
inline It age_thresholds(const Tokens& t, It from, Thresholds& ts) {
  bool between = from > t.begin && t.any_word_in(from - 1, Word::range_opener);
  It j = from;
  while (j < t.limit && j - from < 4 &&
         (t.is(j, Tok::filler) || t.is(j, Tok::colon) || t.age_word(j) || t.any_word_in(j, Word::range_opener))) {
    between = between || t.any_word_in(j, Word::range_opener);
    ++j;
  }
  // An age cannot equal two numbers: "ages of 7 and 75 years" is a range.
  between = between || (t.number_at(j) && t.conn(j + 1, "and") && t.number_at(j + 2));
  ts.clear();
  const int k = t.thresholds(j, between && t.number_at(j), ts);
  if (k < 0 || ts.empty()) return nullptr;
  for (const auto& th : ts)
    if (!th.unit.empty() && !is_time(th.unit)) return nullptr;
  It e = t.begin + k;
  // "age < 72 hours": not in years, and no rule reads ages in hours.
  if (ts.back().unit.empty() && t.word_in(e, Word::clock_unit)) return nullptr;
  // "or under" closes the bound ("18 years or under"), unless a word follows
  // it ("less than 18 years old or under guardianship").
  auto closing = [&](It m) {
    return t.is(m, Tok::post_comparator) && !(t.is(m + 1, Tok::word) || t.is(m + 1, Tok::concept_ref) ||
                                              t.is(m + 1, Tok::filler) || t.is(m + 1, Tok::number));
  };
  while (e < t.limit && (t.cue(e, "age_after") || t.cue(e, "inclusive") || closing(e) || t.age_word(e))) {
    if (t.is(e, Tok::post_comparator))
      for (auto& th : ts) th.op = comparator_op(e->value);
    ++e;
  }
  return e;
}

// The patient's age, as thresholds:
//   Age 18-65 years      Age (20-50)        Minimum age: 18 years     at least the age of 18
//   younger than 18 years                   over the age of 18        18 years or older
//   patients < 18        males and females aged 18 to 45              Female, > 35 years
// Not an age at onset ("if onset was between ages 31-41") nor after "not".
struct age_parser : x3::parser<age_parser> {
  using attribute_type = Thresholds;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    Thresholds ts;
    It end = read(t, first, ts);
    // "at least 2 years post-menopausal", "2 years since diagnosis": time
    // since an event, not an age.
    // ("18 years of age or older since ..." is an age: its words say so.)
    if (!end || (end < t.limit && t.in.classes && t.is(end - 1, Tok::time_unit) &&
                 has_class(classes_of(t.in, static_cast<std::size_t>(end - t.begin), WordsOf::first), Word::elapsed)))
      return false;
    // "diagnosed at least 6 months prior to screening": a time before an
    // event ("Age >= 18 years prior to ..." is an age: it says so).
    if (end < t.limit && t.is(end - 1, Tok::time_unit) && t.cue(end, "before") && !t.age_word(first)) return false;
    // "< 21 years of age when originally diagnosed", "at migraine onset":
    // an age at diagnosis or onset ("≥ 18 years diagnosed with ..." is not).
    if (end < t.limit && t.word_in(end, Word::at_time))
      for (It k = end + 1; k < t.limit && k < end + 6; ++k) {  // "at the time of migraine onset"
        if (t.cue(k, "diagnosed") || t.word_in(k, Word::onset)) return false;
        // ("at disease onset", "at diabetes onset": the condition's name between)
        if (!t.is(k, Tok::word) && !t.is(k, Tok::filler) && !t.is(k, Tok::pathology) && !t.is(k, Tok::concept_ref)) break;
      }
    x3::traits::move_to(ts, attr);
    first = end;
    return true;
  }

  static It read(const Tokens& t, It i, Thresholds& ts) {
    if (i >= t.last || t.cue(i, "other_quantity")) return nullptr;
    for (It m = std::max(t.begin, i - 4); m < i; ++m)
      if (t.word_in(m, Word::onset) || t.cue(m, "diagnosed") || t.cue(m, "other_quantity")) return nullptr;
    // "1st degree relative with sudden death under 40 years of age": a
    // relative's age, named earlier in the clause (not "the parent and the
    // patient (over 7)": the person named last is whose age it is).
    for (It m = i - 1; !t.is(i, Tok::person) && m >= t.begin && i - m <= 8 && !t.is(m, Tok::comma) && !t.is(m, Tok::semicolon) &&
                       !t.is(m, Tok::colon) && !t.is(m, Tok::person);
         --m)
      if (t.word_in(m, Word::kin)) return nullptr;
    // "18 ≤ age ≤ 70": the value before the word, its comparator read from
    // the age's side, then the bound after it.
    if (t.is(i, Tok::number) && i->number < 120 && t.is(i + 1, Tok::comparator) && t.age_word(i + 2)) {
      const ast::CmpOp op = comparator_op((i + 1)->value);
      if (op == ast::CmpOp::eq || op == ast::CmpOp::ne) return nullptr;
      Thresholds after;
      It e = age_thresholds(t, i + 3, after);
      ts = {Threshold{flipped(op), i->number, "years", "", false}};
      if (!e) return i + 3;
      ts.insert(ts.end(), after.begin(), after.end());
      return e;
    }
    if (t.age_word(i)) {
      // "Age (20-50)"
      if (t.is(i + 1, Tok::open)) {
        const It close = t.close_of(i + 1);
        if (It e = age_thresholds(t, i + 2, ts); e && e <= close) return close + 1;
      }
      return age_thresholds(t, i + 1, ts);
    }
    if (It e = compared(t, i, ts)) return e;
    // "Older > 18 years": a word that speaks of age before the comparator.
    if (!t.is(i, Tok::comparator) && t.any_word_in(i, Word::age_comparison) && t.is(i + 1, Tok::comparator)) {
      Thresholds got;
      const int k = t.thresholds(i + 1, false, got);
      if (k > 0 && !got.empty() && std::all_of(got.begin(), got.end(), [](auto& th) { return th.unit.empty() || is_time(th.unit); })) {
        ts = got;
        return t.begin + k;
      }
    }
    if (t.is(i, Tok::person)) return after_people(t, i, ts);
    if (sex_noun(t, i))
      if (It e = after_people(t, i, ts, true)) return e;
    return bare(t, i, ts);
  }

  static bool sex_noun(const Tokens& t, It k) { return t.cue(k, "male_noun") || t.cue(k, "female_noun"); }

  // "Minimum age: 18 years", "greater than the age of 18", "younger than
  // 18 years": a comparator before the word age, or one that speaks of age.
  static It compared(const Tokens& t, It i, Thresholds& ts) {
    if (!t.is(i, Tok::comparator)) return nullptr;
    It a = i + 1;
    while (t.is(a, Tok::filler) && a - i < 3) ++a;
    if (t.age_word(a)) {
      It j = a + 1;
      while (t.is(j, Tok::colon) || t.is(j, Tok::filler)) ++j;
      if (!t.is(j, Tok::number)) return nullptr;
      Threshold th{comparator_op(i->value), j->number, "years", "", false};
      ++j;
      if (t.is(j, Tok::time_unit)) th.unit = (j++)->value;
      while (t.cue(j, "age_after")) ++j;
      ts = {th};
      return j;
    }
    if (!t.any_word_in(i, Word::age_comparison)) return nullptr;
    Thresholds got;
    const int k = t.thresholds(i, false, got);
    if (k <= 0) return nullptr;
    It e = t.begin + k;
    while (e < t.limit && (t.cue(e, "age_after") || t.cue(e, "inclusive"))) ++e;
    ts = got;
    return e;
  }

  // A bound closed by "or older", "and younger": it speaks of age.
  static bool closed_by_age_word(const Tokens& t, It from, It to) {
    for (It m = from; m < to && m < t.limit; ++m)
      if (t.is(m, Tok::post_comparator) && t.any_word_in(m, Word::age_comparison)) return true;
    return false;
  }

  // "patients < 18", "males and females aged 18 to 45", "subjects 18 years or older"
  // "Women (18-75 years)", "Men between 45 and 80 years", "Adults (18 and
  // older)": a bracket or a range word may stand between.
  // After a sex alone ("Women 45-68 years", "Men between 45 and 80 years")
  // the span must say it is an age: a bracket, a range, "of age" or "older";
  // "women less than 2 years after menopause" is not one.
  static It after_people(const Tokens& t, It i, Thresholds& ts, bool sex_only = false) {
    It j = i;
    It open = nullptr;
    bool comma = false;  // "Males and females, 18 or older": then it must say it is an age
    while (j < t.limit && j - i < 6 &&
           (t.is(j, Tok::person) || t.conn(j, "and") || t.conn(j, "or") || (t.is(j, Tok::filler) && !sex_only) ||
            sex_noun(t, j) || (t.is(j, Tok::comma) && j == i + 1) || (t.is(j, Tok::open) && !open))) {
      // "patients who have received > 1 year of dialysis", "subjects must
      // have received no more than 2 therapies": what they underwent, not an age.
      if (t.word_in(j, Word::undergone)) return nullptr;
      if (t.is(j, Tok::open)) open = j;
      comma = comma || t.is(j, Tok::comma);
      ++j;
    }
    It e = people_age(t, j, ts, sex_only && !open, comma && !open);
    if (e && open) {
      if (!t.is(e, Tok::close)) return nullptr;
      ++e;
    }
    return e;
  }

  // must_say_age: only what says it is an age; in_years: or a span of years
  // ("Patients, ≥ 18 years with ...", not "at least 12 months post-...").
  static It people_age(const Tokens& t, It j, Thresholds& ts, bool must_say_age, bool in_years_only = false) {
    if (t.age_word(j)) return age_thresholds(t, j + 1, ts);
    if (It e = compared(t, j, ts)) return e;
    const bool range = t.any_word_in(j, Word::range_opener);
    Thresholds got;
    const int k = t.thresholds(j + (range ? 1 : 0), range, got);
    if (must_say_age && !range && k > 0 && !t.cue(t.begin + k, "age_after") && !closed_by_age_word(t, j, t.begin + k) &&
        !(t.is(j, Tok::number) && got.size() == 2))
      return nullptr;
    if (in_years_only && k > 0 && !t.cue(t.begin + k, "age_after") && !closed_by_age_word(t, j, t.begin + k) &&
        !std::all_of(got.begin(), got.end(), [](auto& th) { return th.unit == "years"sv; }))
      return nullptr;
    // A bare number after a person and a comparator is an age ("patients <
    // 18"), not one followed by what it counts ("< 2 lines of therapy").
    const It after = t.begin + k;
    const bool ends = k > 0 && (after >= t.limit || t.is(after, Tok::comma) || t.is(after, Tok::period) ||
                                t.is(after, Tok::semicolon) || t.is(after, Tok::close) || t.is(after, Tok::connective) ||
                                t.is(after, Tok::person) || t.word_in(after, Word::relative_person) ||
                                t.word_in(after, Word::obligation) || t.word_in(after, Word::modal));
    // So is a range of bare numbers there ("Patient is between 18 and 60, inclusive").
    if (k > 0 && !got.empty() && (t.is(j, Tok::comparator) || (range && got.size() == 2)) &&
        (ends || t.cue(after, "inclusive")) &&
        std::all_of(got.begin(), got.end(), [](auto& th) { return th.unit.empty() && th.value > 0 && th.value < 120; })) {
      ts = got;
      return t.begin + k;
    }
    const bool years = in_years(got) && std::all_of(got.begin(), got.end(), [](auto& th) {
                         return th.unit == "years"sv || th.unit == "months"sv || th.unit.empty();
                       });
    if (k > 0 && !got.empty() &&
        (years || t.cue(t.begin + k, "age_after") || t.cue(t.begin + k - 1, "age_after") ||
         closed_by_age_word(t, j, t.begin + k)))
      return age_thresholds(t, j + (range ? 1 : 0), ts);
    return nullptr;
  }

  // "18 years or older", "≥ 18 years old", "18-65 years of age": in years
  // and "of age", or a criterion that is only that span of years (nothing
  // before it but people, sexes and filler, nothing after it that makes it a
  // duration: "since diagnosis", "of diabetes").
  static It bare(const Tokens& t, It i, Thresholds& ts) {
    // "18 and 65 years old": two numbers, then "years old".
    if (t.number_at(i) && t.conn(i + 1, "and") && t.number_at(i + 2) &&
        (t.cue(i + 3, "age_after") || (t.is(i + 3, Tok::time_unit) && t.cue(i + 4, "age_after"))))
      return age_thresholds(t, i, ts);
    // "Male, 18 and 45 years": the same with "between" lost, set off by itself
    // after the sex or people it is the age of (a lower, then a higher age).
    if (t.number_at(i) && t.conn(i + 1, "and") && t.number_at(i + 2) && t.is(i + 3, Tok::time_unit) &&
        (i + 3)->value == "years"sv && i->number < (i + 2)->number && (i + 2)->number <= 120 &&
        (i + 4 >= t.limit || t.is(i + 4, Tok::comma) || t.is(i + 4, Tok::period) || t.is(i + 4, Tok::semicolon)) &&
        (i == t.begin || (t.is(i - 1, Tok::comma) && i - 1 > t.begin &&
                          (t.is(i - 2, Tok::person) || sex_noun(t, i - 2) || t.cue(i - 2, "male") || t.cue(i - 2, "female")))))
      return age_thresholds(t, i, ts);
    Thresholds got;
    const int k = t.thresholds(i, false, got);
    // "55 or older", "≥ 50 y/o": no unit, but the words that close it speak of age.
    // Not the end of a range whose start was not read ("18-65+ years"), nor
    // after "=" (a lost ≤ or ≥).
    const bool closed_by_age =
        k > 0 && !got.empty() && !(i > t.begin && (t.number_at(i - 1) || t.is(i - 1, Tok::punct) || t.cue(i - 1, "dash"))) &&
        std::all_of(got.begin(), got.end(),
                    [](auto& th) { return th.unit.empty() && th.value < 120 && th.op != ast::CmpOp::eq; }) &&
        (closed_by_age_word(t, i, t.begin + k) || t.cue(t.begin + k, "age_after"));
    if (k < 0 || got.empty() || !(in_years(got) || closed_by_age)) return nullptr;
    const It e = t.begin + k;
    for (It m = i; m <= e && m < t.limit; ++m)
      if (t.cue(m, "age_after")) return age_thresholds(t, i, ts);
    // "18 years or older at the time of consent"; but not inside a relative
    // clause ("Females who are 9 years and older or who ... must"), which
    // describes whom the rest applies to.
    if (closed_by_age_word(t, i, e) &&
        std::none_of(t.begin, i, [&](const Token& m) { return t.any_word_in(&m, Word::relative_person); }))
      return age_thresholds(t, i, ts);
    if (!std::all_of(got.begin(), got.end(), [](auto& th) { return th.unit == "years"sv || th.unit.empty(); })) return nullptr;
    // "Male or female cigarette smokers, 18-75 years, motivated to ...": a
    // range of adult ages in years set off by commas is the age.
    const bool adult_range = got.size() == 2 && got[0].unit == "years"sv && got[1].unit == "years"sv &&
                             got[0].op == ast::CmpOp::ge && got[1].op == ast::CmpOp::le && got[0].value >= 16 &&
                             got[1].value <= 100 && got[0].value < got[1].value;
    if (adult_range && t.is(i - 1, Tok::comma) && (e >= t.limit || t.is(e, Tok::comma) || t.is(e, Tok::period)))
      return age_thresholds(t, i, ts);
    for (It m = t.begin; m < i; ++m)
      if (!(t.is(m, Tok::person) || t.is(m, Tok::filler) || t.is(m, Tok::comma) || t.cue(m, "male_noun") ||
            t.cue(m, "female_noun") || t.conn(m, "and") || t.conn(m, "or") || t.is(m, Tok::colon)))
        return nullptr;
    // (Up to the people it is the age of: "18 to 65 years subjects who ...".)
    for (It m = e; m < t.last && !t.is(m, Tok::comma) && !t.is(m, Tok::period) && !t.is(m, Tok::semicolon); ++m) {
      if (t.is(m, Tok::person) ||
          (t.is(m, Tok::filler) && t.in.classes &&
           has_class(classes_of(t.in, static_cast<std::size_t>(m - t.begin), WordsOf::first), Word::people)))
        break;
      if (!(t.is(m, Tok::filler) || t.cue(m, "inclusive") || t.cue(m, "male_noun") || t.cue(m, "female_noun") ||
            t.is(m, Tok::open) || t.is(m, Tok::close)))
        return nullptr;
    }
    return age_thresholds(t, i, ts);
  }
};
const age_parser age{};

// ------------------------------------------------------------------ n of a list

// "at least two of the following:", "3 or more of the following signs:",
// "more than 2 of the following": how many of the list after it must hold
// (n >= 2), and whether the list is elsewhere (`dangling`: nothing follows
// the opener in this text). Ends after "of the following", or after what
// the list is of up to its colon ("the following signs:") unless that colon
// ends the text and the words name a concept (they may be the criterion's
// only content). "2 of 6 HLA antigens" is a count of something else.
struct NOf {
  int n = 0;
  bool dangling = false;
};
struct n_of_parser : x3::parser<n_of_parser> {
  using attribute_type = NOf;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    It j = first;
    std::optional<ast::CmpOp> op;
    if (t.is(j, Tok::comparator)) op = comparator_op((j++)->value);
    if (!t.number_at(j) || j >= t.limit) return false;
    const double count = (j++)->number;
    if (!op && t.is(j, Tok::post_comparator)) op = comparator_op((j++)->value);
    if (op && *op != ast::CmpOp::ge && *op != ast::CmpOp::gt) return false;
    if (!t.word_in(j, Word::partitive)) return false;
    ++j;
    if (t.word_in(j, Word::article)) ++j;
    if (!t.word_in(j, Word::list_follows)) return false;
    ++j;
    It colon = nullptr;
    for (It m = j; m < t.limit && m - j <= 8; ++m) {
      if (t.is(m, Tok::colon)) {
        colon = m;
        break;
      }
      if (t.is(m, Tok::comparator) || t.is(m, Tok::number) || t.is(m, Tok::open) || t.is(m, Tok::close) ||
          t.is(m, Tok::comma) || t.is(m, Tok::semicolon) || t.is(m, Tok::period) || t.is(m, Tok::connective))
        break;
    }
    auto list_after = [&](It m) {
      while (m < t.limit && (t.is(m, Tok::period) || t.is(m, Tok::colon) || t.is(m, Tok::punct))) ++m;
      return m < t.limit;
    };
    NOf got;
    got.dangling = colon ? !list_after(colon + 1) : !list_after(j);
    if (colon) {
      bool names = false;
      for (It m = j; m < colon; ++m) names = names || t.is(m, Tok::concept_ref);
      if (!got.dangling || !names) j = colon + 1;
    }
    if (count != std::floor(count) || count > 20) return false;
    got.n = static_cast<int>(count) + (op && *op == ast::CmpOp::gt ? 1 : 0);
    if (got.n < 2 || j > t.limit) return false;
    x3::traits::move_to(got, attr);
    first = j;
    return true;
  }
};
const n_of_parser n_of{};

// ------------------------------------------------------------------ scopes

// "Part C", "Parts A and B", "Cohort 2", "Arm 1": a part of the study (the
// language table study_part names the head words) and its short names; the
// whole of [first, limit).
struct part_label_parser : x3::parser<part_label_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr&) const {
    const Tokens t(ctx);
    const auto& tables = t.in.lexicon->phrases();
    auto parts = tables.find("study_part");
    if (parts == tables.end() || first >= t.limit || t.limit - first > 6 || !parts->second.count(first->text)) return false;
    for (It m = first + 1; m < t.limit; ++m)
      if (!(t.is(m, Tok::comma) || t.conn(m, "and") || t.conn(m, "or") || t.is(m, Tok::number) ||
            (m->text.size() <= 2 && std::isalnum(static_cast<unsigned char>(m->text[0])))))
        return false;
    if (t.limit - first < 2) return false;
    first = t.limit;
    return true;
  }
};
const part_label_parser part_label{};

// A label before a colon that names where or for whom what follows holds:
// "Trained Users only:", "Cohort 2 only:" (what only it requires), "For
// Japan:", "In Japan and Korea only:" (capitalised names after a place
// preposition). Ends before the colon.
struct place_label_parser : x3::parser<place_label_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr&) const {
    const Tokens t(ctx);
    const It b = first;
    {
      It colon = b;
      while (colon < t.limit && colon - b <= 6 && !t.is(colon, Tok::colon)) ++colon;
      bool label = colon < t.limit && colon - b >= 2 && colon - b <= 6 && t.word_in(colon - 1, Word::only);
      for (It m = b; label && m < colon - 1; ++m)
        label = !t.is(m, Tok::comparator) && !t.is(m, Tok::concept_ref) && !t.is(m, Tok::open) &&
                !t.cue(m, "female_noun") && !t.cue(m, "male_noun") && !t.cue(m, "female") && !t.cue(m, "male") &&
                !t.is(m, Tok::unit);
      if (label) {
        first = colon;
        return true;
      }
    }
    if (!t.word_in(b, Word::place_preposition)) return false;
    int names = 0;
    It m = b + 1;
    for (; m < t.limit && !t.is(m, Tok::colon); ++m) {
      if (t.conn(m, "and") || t.is(m, Tok::comma) || (names > 0 && t.word_in(m, Word::only))) continue;
      const bool capital = static_cast<std::size_t>(m->begin) < t.in.text.size() &&
                           std::isupper(static_cast<unsigned char>(t.in.text[static_cast<std::size_t>(m->begin)])) != 0;
      if (!capital || t.is(m, Tok::person) || t.is(m, Tok::comparator) || t.is(m, Tok::number) || t.is(m, Tok::open))
        return false;
      ++names;
    }
    if (names == 0 || m >= t.limit) return false;
    first = m;
    return true;
  }
};
const place_label_parser place_label{};

// "women", "female patients", "males": one sex and only people and filler,
// the whole of [first, limit): the sex ("male" or "female").
struct sex_group_parser : x3::parser<sex_group_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    std::string sex;
    for (It k = first; k < t.limit; ++k) {
      const char* named = t.cue(k, "female_noun") ? "female" : t.cue(k, "male_noun") ? "male" : nullptr;
      if (named) {
        if (!sex.empty() && sex != named) return false;
        sex = named;
      } else if (!t.is(k, Tok::filler) && !t.is(k, Tok::person)) {
        return false;
      }
    }
    if (sex.empty()) return false;
    x3::traits::move_to(sex, attr);
    first = t.limit;
    return true;
  }
};
const sex_group_parser sex_group{};

// A criterion that opens by forbidding, past people, filler and an
// article: "No history of ...", "Must not be ...", "Not pregnant or
// lactating", "Non pregnant", "Not be receiving ...", "Cannot ...". A
// look-ahead: reads nothing.
struct prohibition_parser : x3::parser<prohibition_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr&) const {
    const Tokens t(ctx);
    auto modal = [&](It k) { return t.word_in(k, Word::modal); };
    auto person = [&](It k) { return t.is(k, Tok::person) || t.cue(k, "female_noun") || t.cue(k, "male_noun"); };
    It k = first;
    // "Investigational Medications: A subject must not ...": past a label.
    for (It c = first; c < t.limit && c - first < 5; ++c) {
      if (t.is(c, Tok::colon)) {
        k = c + 1;
        break;
      }
      if (!(t.is(c, Tok::word) || t.is(c, Tok::filler) || t.is(c, Tok::concept_ref))) break;
    }
    const It opening = k;
    while (k < t.limit && !modal(k) && !t.word_in(k, Word::can) &&
           (t.is(k, Tok::filler) || person(k) || t.is(k, Tok::punct) || t.is(k, Tok::number_word) ||
            t.word_in(k, Word::article)))
      ++k;
    if (k >= t.limit) return false;
    // The first word of the token ("no", "no history of").
    auto first_word_in = [&](Word w) {
      if (!t.in.classes) return false;
      return has_class(classes_of(t.in, static_cast<std::size_t>(k - t.begin), WordsOf::first), w);
    };
    if ((t.cue(k, "negation") || t.cue(k, "negation_history")) && first_word_in(Word::no)) return true;
    if (modal(k) && t.word_in(k + 1, Word::not_)) return true;
    // "Can not have received ..." (not "can not sit or stand": an inability).
    if (t.word_in(k, Word::can) && t.word_in(k + 1, Word::not_) &&
        (t.word_in(k + 2, Word::undergone) || t.word_in(k + 2, Word::copula)))
      return true;
    // "Patient must have no uncontrolled infection".
    if (modal(k) && (t.word_in(k + 1, Word::undergone) || t.word_in(k + 1, Word::copula)) &&
        (t.cue(k + 2, "negation") || t.cue(k + 2, "negation_history")) && t.in.classes &&
        has_class(classes_of(t.in, static_cast<std::size_t>(k + 2 - t.begin), WordsOf::first), Word::no))
      return true;
    if ((t.cue(k, "negation") && t.word_in(k, Word::not_)) || t.cue(k, "negation_prefix")) {
      // "Not be ...", "Not received any investigational product ..." (with
      // no one named first: "Subjects who have not had prior chemotherapy"
      // says whom the list excludes).
      if (t.word_in(k + 1, Word::copula) || (k == opening && t.cue(k, "negation") && t.word_in(k + 1, Word::undergone)))
        return true;
      const Concept* c = t.is(k + 1, Tok::concept_ref) && t.in.lexicon ? t.in.lexicon->find((k + 1)->value) : nullptr;
      return c && c->kind == ConceptKind::state;
    }
    (void)last;
    return t.word_in(k, Word::modal_negated);
  }
};
const prohibition_parser prohibition{};

// ------------------------------------------------------------------ groups of patients

// The words that open a group of patients named by what they have, take or
// are; it reads them, so the group's own words start where it ends. Its
// attribute says which form:
//   "For patients on insulin:", "in subjects without ...": a place
//   preposition, people, a word of class population_with (the people's
//   token may end in it: "patients with") -> false;
//   "Patients with hypertension", "Subjects treated with insulin",
//   "Patients who are ...": people, then such a word or "who" -> true (the
//   subject of what follows).
struct group_opener_parser : x3::parser<group_opener_parser> {
  using attribute_type = bool;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    auto index = [&](It k) { return static_cast<std::size_t>(k - t.begin); };
    auto people = [&](It k) {
      return t.is(k, Tok::person) || (t.in.classes && has_class(classes_of(t.in, index(k), WordsOf::first), Word::people));
    };
    auto ends_in_with = [&](It k) {
      return t.in.classes && has_class(classes_of(t.in, index(k), WordsOf::any), Word::population_with);
    };
    const It i = first;
    if (i + 1 >= t.limit) return false;
    if (t.word_in(i, Word::place_preposition) && people(i + 1) &&
        (ends_in_with(i + 1) || t.word_in(i + 2, Word::population_with))) {
      first = i + 2;
      x3::traits::move_to(false, attr);
      return true;
    }
    // "For women with diabetes: ...": "for women" is one cue, a sex.
    if ((t.cue(i, "female") || t.cue(i, "male")) && t.word_in(i + 1, Word::population_with)) {
      first = i + 1;
      x3::traits::move_to(false, attr);
      return true;
    }
    // "For patients who are on insulin: ...": the group is what follows
    // "who"; "who will receive cisplatin" (one cue: a plan) is its words.
    if (t.word_in(i, Word::place_preposition) && people(i + 1)) {
      if (t.word_in(i + 2, Word::relative_person) || (t.cue(i + 2, "future") && (i + 2)->text.starts_with("who "))) {
        first = t.cue(i + 2, "future") ? i + 2 : i + 3;
        x3::traits::move_to(false, attr);
        return true;
      }
    }
    // "Women who are breastfeeding must ...", one name of a state in the
    // lexicon: people named by what they are; the name is the group.
    if (t.is(i, Tok::concept_ref) && people(i) && t.in.classes) {
      const std::string& name = i->text;
      const auto space = name.find(' ');
      const auto second = space == std::string::npos ? std::string() : name.substr(space + 1, name.find(' ', space + 1) - space - 1);
      const ClassBits cls = t.in.classes->of(second);
      if (has_class(cls, Word::relative_person) || has_class(cls, Word::population_with)) {
        x3::traits::move_to(true, attr);
        return true;  // `first` stays: the group's words start here
      }
    }
    const bool sex_who = (t.cue(i, "female_noun") || t.cue(i, "male_noun")) && t.word_in(i + 1, Word::relative_person);
    if (sex_who ||
        (people(i) && (ends_in_with(i) || t.word_in(i + 1, Word::population_with) || t.word_in(i + 1, Word::relative_person)))) {
      // After "who" the group is what follows it ("Women who are breastfeeding").
      first = t.word_in(i + 1, Word::relative_person) ? i + 2 : i + 1;
      x3::traits::move_to(true, attr);
      return true;
    }
    return false;
  }
};
const group_opener_parser group_opener{};

// ------------------------------------------------------------------ antibodies

struct antibodies_parser : x3::parser<antibodies_parser> {
  using attribute_type = ast::Expr;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    ast::Expr e;
    const It end = read(t, first, e);
    if (!end) return false;
    x3::traits::move_to(e, attr);
    first = end;
    return true;
  }

  static const Concept* concept_at(const Tokens& t, It k) { return concept_of(t.in, k, t.last); }
  static bool soft(const Tokens& t, It k) { return soft_at(k, t.last) && k >= t.begin; }
  // A group of antibodies (not of measures: "transaminases").
  static bool antibody_group(const Tokens& t, const Concept* c) {
    if (!c || c->kind != ConceptKind::group || c->members.empty() || !t.in.lexicon) return false;
    const Concept* first = t.in.lexicon->find(c->members.front());
    return first && first->kind == ConceptKind::autoantibody;
  }
  static bool antibody_at(const Tokens& t, It k) {
    const Concept* c = concept_at(t, k);
    return (c && c->kind == ConceptKind::autoantibody) || antibody_group(t, c) || t.cue(k, "antibody_group") ||
           t.cue(k, "antibody_word");
  }
  static std::vector<std::string> group_members(const Tokens& t, It k) {
    const Concept* c = concept_at(t, k);
    if (antibody_group(t, c)) return c->members;
    if (c && c->kind == ConceptKind::autoantibody) return {c->id};
    if ((t.cue(k, "antibody_group") || t.cue(k, "antibody_word")) && t.in.lexicon)
      if (const Concept* g = t.in.lexicon->find("islet_autoantibodies")) return g->members;
    return {};
  }
  // The antibodies listed after a count's noun: "[GADA, IA-2A, IAA, ICA,
  // ZnT8A]", or after a colon ("autoantibodies: GADA, IA2A, ZnT8A"; the
  // colon may be the noun's own, `after_colon`, when the lexicon's phrase
  // holds it).
  static std::vector<std::string> listed(const Tokens& t, It i, It& next, bool after_colon) {
    std::vector<std::string> out;
    next = i;
    auto add = [&](const Concept* c) {
      if (std::find(out.begin(), out.end(), c->id) == out.end()) out.push_back(c->id);
    };
    if (t.is(i, Tok::open)) {
      const It close = t.close_of(i);
      for (It k = i + 1; k < close; ++k)
        if (const Concept* c = concept_at(t, k); c && c->kind == ConceptKind::autoantibody) add(c);
      if (!out.empty()) next = close + 1;
    } else if (t.is(i, Tok::colon) || after_colon) {
      It k = after_colon ? i : i + 1;
      for (; k < t.limit; ++k) {
        const Concept* c = concept_at(t, k);
        if (c && c->kind == ConceptKind::autoantibody) add(c);
        else if (!t.is(k, Tok::comma) && !t.conn(k, "or") && !t.conn(k, "and") && !t.cue(k, "antibody_word")) break;
      }
      if (!out.empty()) next = k;
    }
    return out;
  }
  // A count of positive results from the antibody at k (the count at `from`).
  static It count(const Tokens& t, ast::CmpOp op, int n, It k, It from, ast::Expr& out) {
    std::vector<std::string> members = group_members(t, k);
    if (members.empty()) return nullptr;
    It j = k + 1;
    while (j < t.limit && (t.cue(j, "positive") || t.cue(j, "antibody_word") || t.cue(j, "antibody_group") || soft(t, j))) ++j;
    It next = j;
    const bool colon_in_noun = j == k + 1 && !k->text.empty() && k->text.back() == ':';
    const auto named = listed(t, j, next, colon_in_noun);
    // "HIV 1/2 antibodies", "a monoclonal antibody": a bare "antibodies" is
    // the islet autoantibodies only with them listed or with words that say
    // so ("2 or more diabetes antibodies").
    if (named.empty() && t.word_in(k, Word::antibody_noun)) {
      bool said = false;
      for (It m = from; m < k; ++m) said = said || t.word_in(m, Word::islet_qualifier);
      if (!said) return nullptr;
    }
    if (!named.empty()) {
      members = named;
      j = next;
    }
    while (j < t.limit && t.cue(j, "positive")) ++j;
    ast::Count c;
    c.positive = true;
    c.concepts = members;
    c.op = op;
    c.n = n;
    out = ast::Expr(c);
    return j;
  }

  static It read(const Tokens& t, It i, ast::Expr& out) {
    // [at least] one [positive result for] <antibodies>
    {
      It j = i;
      ast::CmpOp op = ast::CmpOp::ge;
      bool has_op = false;
      if (t.is(j, Tok::comparator)) {
        op = comparator_op(j->value);
        has_op = true;
        ++j;
      }
      if (t.cue(i, "positive")) {  // "positive for at least one autoantibody"
        j = i + 1;
        while (soft(t, j) || t.cue(j, "for")) ++j;
        if (t.is(j, Tok::comparator)) {
          op = comparator_op(j->value);
          has_op = true;
          ++j;
        }
      }
      // "at least one of the ..." is a count of one.
      const bool any_of = t.cue(j, "any_of");
      if (t.number_at(j) || any_of) {
        const int n = any_of ? 1 : static_cast<int>(j->number);
        if (any_of) {
          op = ast::CmpOp::ge;
          has_op = true;
        }
        ++j;
        if (t.is(j, Tok::post_comparator)) op = comparator_op((j++)->value);
        // "2 or more diabetes-related antibodies": the words that say which.
        while (j < t.limit &&
               (t.cue(j, "positive") || soft(t, j) || t.cue(j, "for") || t.is(j, Tok::word) ||
                t.word_in(j, Word::islet_qualifier) || (t.cue(j, "dash") && t.word_in(j - 1, Word::islet_qualifier))) &&
               !antibody_at(t, j) && j - i < 8) {
          if (t.is(j, Tok::word) && j->text.size() > 12) break;
          ++j;
        }
        if (antibody_at(t, j) && (has_op || n >= 1))
          if (It e = count(t, op, n, j, i, out)) return e;
      }
    }
    // "positive GADA", "GAD65 antibody positive", "negative for IA-2A"
    const bool leading = t.cue(i, "positive") || t.cue(i, "negative");
    It j = i;
    if (leading) {
      j = i + 1;
      for (int n = 0; n < 2 && j < t.limit && soft(t, j); ++n) ++j;
      if (t.cue(j, "for")) ++j;
    }
    std::vector<std::string> concepts;
    bool any = false;
    It k = j;
    while (k < t.limit) {
      const Concept* c = concept_at(t, k);
      if (!c || c->kind != ConceptKind::autoantibody) break;
      concepts.push_back(c->id);
      ++k;
      while (t.cue(k, "antibody_word")) ++k;
      It m = k;
      while (m < t.limit && m->kind == Tok::filler) ++m;  // "[GAD]" restating the name
      // "positive GADA; and/or IA-2A": a semicolon before a connective too.
      if (t.is(m, Tok::comma) || (t.is(m, Tok::semicolon) && (t.conn(m + 1, "or") || t.conn(m + 1, "and")))) ++m;
      if (t.conn(m, "or") || t.conn(m, "and")) {
        any = any || t.conn(m, "or");
        ++m;
      } else if (t.is(m, Tok::punct) && m->text == "/"sv) {
        ++m;
      }
      const Concept* after = concept_at(t, m);
      if (m != k && after && after->kind == ConceptKind::autoantibody) k = m;
      else break;
    }
    if (concepts.empty()) return nullptr;
    const bool trailing = t.cue(k, "positive") || t.cue(k, "negative");
    if (!leading && !trailing) return nullptr;
    const bool negative = leading ? t.cue(i, "negative") : t.cue(k, "negative");
    if (trailing) ++k;
    std::vector<ast::Expr> leaves;
    for (const auto& c : concepts) {
      ast::Predicate p;
      p.function = negative ? "negative" : "positive";
      p.concept_id = c;
      leaves.push_back(ast::Expr(p));
    }
    if (leaves.size() == 1) {
      out = leaves.front();
    } else if (!negative && (any || concepts.size() > 1)) {
      ast::Count c;
      c.positive = true;
      c.concepts = concepts;
      c.op = ast::CmpOp::ge;
      c.n = any ? 1 : static_cast<int>(concepts.size());
      out = ast::Expr(c);
    } else {
      out = ast::make_nary(ast::Logic::and_, leaves);
    }
    return k;
  }
};
const antibodies_parser antibodies{};

// ------------------------------------------------------------------ vague words

struct interpretation_parser : x3::parser<interpretation_parser> {
  using attribute_type = std::pair<ast::Expr, std::string>;  // the rule, the note
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    std::pair<ast::Expr, std::string> got;
    const It end = read(t, first, got);
    if (!end) return false;
    x3::traits::move_to(got, attr);
    first = end;
    return true;
  }

  static bool person_at(const Tokens& t, It k) { return t.is(k, Tok::person) || t.cue(k, "female_noun") || t.cue(k, "male_noun"); }
  // Nothing after the phrase but people and filler, to the end of its part.
  static bool bare_end(const Tokens& t, It k) {
    while (k < t.limit && (person_at(t, k) || t.is(k, Tok::filler))) ++k;
    return k >= t.limit || t.is(k, Tok::period) || t.is(k, Tok::semicolon) || t.is(k, Tok::close) || t.is(k, Tok::open);
  }
  static It skip_soft3(const Tokens& t, It k) {
    for (int n = 0; n < 3 && k < t.limit && soft_at(k, t.last); ++n) ++k;
    return k;
  }

  static It read(const Tokens& t, It i, std::pair<ast::Expr, std::string>& out) {
    if (!t.is(i, Tok::cue) || i->value.rfind("interpret:", 0) != 0 || !t.in.lexicon) return nullptr;
    const std::string phrase = i->value.substr(10);
    const Interpretation* in = nullptr;
    for (const auto& x : t.in.lexicon->interpretations())
      if (x.phrase == phrase) in = &x;
    if (!in) return nullptr;
    It j = i + 1;
    std::string rule = in->rule;
    if (auto pos = rule.find("{concept}"); pos != std::string::npos) {
      const It k = skip_soft3(t, j);
      std::string c;
      const Concept* info = concept_of(t.in, k, t.last);
      if (info && info->kind == ConceptKind::condition) {
        c = info->id;
        j = k + 1;
      } else if (bare_end(t, k)) {
        c = in->default_concept;
      } else {
        // "Newly diagnosed AML", "new-onset angina": about a name the lexicon
        // does not know, not the default (which failed every patient without
        // type 1 diabetes in such trials).
        return nullptr;
      }
      if (c.empty()) return nullptr;
      rule.replace(pos, 9, c);
    } else if (!bare_end(t, j) && !concept_of(t.in, skip_soft3(t, j), t.last)) {
      // "juvenile idiopathic arthritis" is not "under 18 years".
      return nullptr;
    }
    auto parsed = trialmatch::grammar::parse_rule(rule);
    auto* e = std::get_if<ast::Expr>(&parsed);
    if (!e) return nullptr;
    const std::string_view text = t.in.text;
    const std::string written(text.substr(i->begin, i->end - i->begin));
    out = {*e, "interpreted \"" + written + "\" as " + in->meaning + " (" + ast::print(*e) + ")"};
    return j;
  }
};
const interpretation_parser interpretation{};

// ------------------------------------------------------------------ test results

// At the test's token; reads back for a result before it (so it is called,
// not composed: tested_result() in clause_grammar.cpp).
inline bool test_result(const Tokens& t, It i, bool exclusion, ast::Expr& out, It& from, It& to) {
  if (!t.in.lexicon || i >= t.last) return false;
  const auto& tables = t.in.lexicon->phrases();
  auto table = tables.find("tested_state");
  if (table == tables.end()) return false;
  auto state = table->second.find(i->text);
  if (state == table->second.end()) return false;
  auto skippable = [&](It k) { return (k >= t.begin && soft_at(k, t.last)) || (t.is(k, Tok::number_word) && k->number == 1); };
  It k = i - 1, m = i + 1;
  while (k >= t.begin && skippable(k)) --k;
  while (m < t.limit && skippable(m)) ++m;
  bool negative = false;
  from = i;
  to = i + 1;
  if (exclusion && !t.cue(k, "positive") && !t.cue(m, "positive")) return false;  // a requirement, not what excludes
  if (t.cue(k, "negative") || t.cue(k, "positive")) {
    negative = t.cue(k, "negative");
    from = k;
  } else if (t.cue(m, "negative") || t.cue(m, "positive")) {
    negative = t.cue(m, "negative");
    to = m + 1;
  } else {
    return false;
  }
  ast::Predicate p;
  p.concept_id = state->second;
  out = ast::Expr(p);
  if (negative) out = ast::make_nary(ast::Logic::and_, {ast::make_not(out), ast::Expr(ast::Manual{"procedure", {}})});
  return true;
}

// ------------------------------------------------------------------ mentions

inline It segment_end(const Tokens& t, It i, bool stop_at_comma) {
  int depth = 0;
  for (; i < t.limit; ++i) {
    if (t.is(i, Tok::open)) ++depth;
    else if (t.is(i, Tok::close)) {
      if (depth == 0) return i;
      --depth;
    } else if (depth == 0 && (t.is(i, Tok::semicolon) || t.is(i, Tok::period) || (stop_at_comma && t.is(i, Tok::comma))))
      return i;
  }
  return t.limit;
}

// "First-degree relative with type 1 diabetes", "partners who are
// pregnant": the concept at i is another person's (a word of class kin
// names them, after the last person named), not the patient's.
inline bool of_someone_else(const Tokens& t, It i) {
  for (It k = i - 1; k >= t.begin && i - k <= 6; --k) {
    if (t.is(k, Tok::comma) || t.is(k, Tok::semicolon) || t.is(k, Tok::colon) || t.is(k, Tok::period) ||
        t.is(k, Tok::person) || t.is(k, Tok::concept_ref) || t.conn(k, "and") || t.conn(k, "or"))
      return false;
    if (t.word_in(k, Word::kin)) return true;
  }
  return false;
}

inline It concept_mention(const Tokens& t, It i, bool organ_pathology, ast::Expr& out, std::vector<SetAside>& ignored) {
  auto index = [&](It k) { return static_cast<int>(k - t.begin); };
  auto skip_soft = [&](It k, int n) {
    while (k < t.limit && n-- > 0 && soft_at(k, t.last)) ++k;
    return k;
  };
  const Lexicon* lex = t.in.lexicon;
  if (!lex) return nullptr;
  const Concept* c = concept_of(t.in, i, t.last);
  std::string id;
  if (c) {
    if (c->kind == ConceptKind::measure || c->kind == ConceptKind::autoantibody || c->kind == ConceptKind::group) return nullptr;
    if (c->kind == ConceptKind::demographic && c->id != "healthy_volunteer"sv) return nullptr;
    id = c->id;
  } else if (t.is(i, Tok::organ) && organ_pathology) {
    id = i->value;
    c = lex->find(id);
    if (!c) return nullptr;
  } else {
    return nullptr;
  }
  if ((c->kind == ConceptKind::condition || c->kind == ConceptKind::state || c->kind == ConceptKind::event) && of_someone_else(t, i))
    return nullptr;
  // "complications of (severe) diabetes" name the complications, not diabetes.
  for (It k = i - 1; k >= t.begin && i - k <= 3; --k) {
    if (t.is(k, Tok::pathology) && t.word_in(k, Word::complication) && !c->complication_concept.empty()) {
      id = c->complication_concept;
      break;
    }
    if (!t.is(k, Tok::filler)) break;
  }
  It j = i + 1;
  // "diabetes caused by Cushing's syndrome, ..." is secondary diabetes; the
  // causes named are not conditions of their own: they run to the end of
  // the bracket or sentence.
  const It k = skip_soft(j, 2);
  if (t.cue(k, "cause")) {
    if (!c->caused_concept.empty()) id = c->caused_concept;
    It stop = segment_end(t, k, false);
    // "... secondary to diabetic nephropathy (..., corresponding to GFR of
    // 15-59 ml/min)": a bracket that compares a value is not the cause.
    for (It b = k + 1; b < stop; ++b) {
      if (!t.is(b, Tok::open)) continue;
      const It close = t.close_of(b);
      bool compares = false;
      for (It m = b + 1; m < close && m < stop && !compares; ++m) compares = t.is(m, Tok::comparator) || t.is(m, Tok::unit);
      if (compares) {
        stop = b;
        break;
      }
      b = close;
    }
    if (k < stop) ignored.push_back({index(k), index(stop), "cause"});
    j = stop;
  }
  ast::Predicate p;
  p.concept_id = id;
  ast::Window w;
  const int m = read_window(t.in, index(skip_soft(j, 2)), index(t.limit), w);
  const Concept* info = lex->find(id);
  if (m >= 0) {
    if (info && info->kind == ConceptKind::state) {
      if (index(j) < m) ignored.push_back({index(j), m, "window of a state"});
    } else {
      p.window = w;
      if (info && info->kind == ConceptKind::condition) p.function = "history";
    }
    j = t.begin + m;
  }
  out = ast::Expr(p);
  const bool drug = info && info->kind == ConceptKind::medication;
  It after_hyphen = t.cue(j, "dash") ? j + 1 : j;
  // "HIV test must be negative", "Hepatitis B must be negative": a result
  // after words of no meaning, a modal verb or "be".
  if (!t.cue(after_hyphen, "negative") && !t.cue(after_hyphen, "positive")) {
    It k = after_hyphen;
    while (k < t.limit && k - after_hyphen < 4 &&
           (t.is(k, Tok::filler) || t.word_in(k, Word::modal) || t.word_in(k, Word::copula)))
      ++k;
    // (Not "Tumors must be negative for HER2": the result is of what follows.)
    const bool ends = k + 1 >= t.limit || t.is(k + 1, Tok::comma) || t.is(k + 1, Tok::period) ||
                      t.is(k + 1, Tok::semicolon) || t.is(k + 1, Tok::connective) || t.is(k + 1, Tok::close);
    if (k > after_hyphen && ends && (t.cue(k, "negative") || t.cue(k, "positive"))) after_hyphen = k;
  }
  // "HIV negative", "HIV-negative": read as "HIV", it failed every patient without it.
  if (t.cue(after_hyphen, "negative")) {
    out = ast::make_not(out);
    j = after_hyphen + 1;
  } else if (t.cue(after_hyphen, "positive")) {
    j = after_hyphen + 1;
  } else if (drug && !p.window && t.cue(after_hyphen, "naive")) {
    // "insulin-naive": never treated with it.
    p.function = "history";
    out = ast::make_not(ast::Expr(p));
    j = after_hyphen + 1;
  }
  return j;
}

// ------------------------------------------------------------------ measures

// The head of a measure comparison (clause_grammar.hpp, MeasureHead).
struct measure_head_parser : x3::parser<measure_head_parser> {
  using attribute_type = MeasureHead;
  static bool const has_attribute = true;

  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    MeasureHead head;
    if (!read(t, first, head)) return false;
    // "AST/SGOT and ALT/SGPT", "QTcB or QTcF": a measure restated is one.
    std::vector<std::string> once;
    for (auto& c : head.concepts)
      if (std::find(once.begin(), once.end(), c) == once.end()) once.push_back(std::move(c));
    head.concepts = std::move(once);
    first = t.begin + (head.end >= 0 ? head.end : head.thresholds_at);
    x3::traits::move_to(head, attr);
    return true;
  }

  static const Concept* concept_at(const Tokens& t, It k) { return concept_of(t.in, k, t.last); }
  static bool measure_at(const Tokens& t, It k) {
    const Concept* c = concept_at(t, k);
    return c && c->kind == ConceptKind::measure && c->id != "age"sv;
  }
  // "(NGSP)", "(HbA1c)": a bracket of at most five tokens with no number,
  // comparator or unit restates the name.
  static It skip_restatement(const Tokens& t, It k) {
    // "Alanine transaminase (ALT) (SGPT)": one name, restated twice.
    for (int n = 0; n < 3 && t.is(k, Tok::open); ++n) {
      const It close = t.close_of(k);
      if (close >= t.limit) return k;
      // "aspartate transaminase (AST; serum glutamic oxaloacetic transaminase
      // [SGOT])": only names of the same measure, however long.
      if (close - k > 6 && k > t.begin && t.is(k - 1, Tok::concept_ref)) {
        bool same = true;
        for (It m = k + 1; m < close && same; ++m)
          same = (t.is(m, Tok::concept_ref) && m->value == (k - 1)->value) || t.is(m, Tok::semicolon) ||
                 t.is(m, Tok::comma) || t.is(m, Tok::open) || t.is(m, Tok::close) || t.is(m, Tok::filler);
        if (same) {
          k = close + 1;
          continue;
        }
      }
      if (close - k > 6) return k;
      for (It m = k + 1; m < close; ++m)
        if (t.is(m, Tok::number) || t.is(m, Tok::comparator) || t.is(m, Tok::unit)) return k;
      k = close + 1;
    }
    return k;
  }

  // Whether the measures read are scores ("performance status grade 0-2";
  // "Hemoglobin Grade 1" is a toxicity grade, not a value).
  static bool scored(const Tokens& t, const MeasureHead& head) {
    if (!t.in.lexicon) return false;
    return std::all_of(head.concepts.begin(), head.concepts.end(), [&](const std::string& id) {
      const Concept* c = t.in.lexicon->find(id);
      return c && c->unit == "{score}"sv;
    });
  }

  // "within the (normal) range of", "in the range of", "ranging from": the
  // words that announce a range of values, to its first number; null if none.
  static It range_announced(const Tokens& t, It k) {
    const bool opener = (t.cue(k, "window") || t.cue(k, "window_weak")) &&
                        (k->text == "within"sv || k->text == "in"sv || k->text == "in the"sv || k->text == "within the"sv);
    if (opener) ++k;
    for (int n = 0; n < 3 && t.is(k, Tok::filler) && !t.any_word_in(k, Word::range_opener); ++n) ++k;
    // "between" opens its own range (threshold_def reads it).
    if (!t.any_word_in(k, Word::range_opener) || t.cue(k, "between") || t.is(k, Tok::number)) return nullptr;
    ++k;
    if (t.cue(k, "from") || (t.is(k, Tok::filler) && k->text == "of"sv)) ++k;
    return t.is(k, Tok::number) ? k : nullptr;
  }

  // A group of measures named as one ("transaminases": ALT and AST).
  static const Concept* measure_group_at(const Tokens& t, It k) {
    const Concept* c = concept_at(t, k);
    if (!c || c->kind != ConceptKind::group || c->members.empty() || !t.in.lexicon) return nullptr;
    for (const auto& m : c->members) {
      const Concept* member = t.in.lexicon->find(m);
      if (!member || member->kind != ConceptKind::measure) return nullptr;
    }
    return c;
  }
  // A group's members, or the measures a bracket after it names
  // ("transaminase (SGOT)" is AST, "liver enzymes (AST, ALT, alkaline
  // phosphatase)" those three); `j` moves past that bracket.
  static std::vector<std::string> group_read(const Tokens& t, const Concept& group, It& j) {
    if (t.is(j, Tok::open)) {
      const It close = t.close_of(j);
      std::vector<std::string> named;
      for (It k = j + 1; k < close && close < t.limit; ++k)
        if (measure_at(t, k)) named.push_back(k->value);
      if (!named.empty()) {
        j = close + 1;
        return named;
      }
    }
    return group.members;
  }

  // Words of no concept (a method, a time: "on pre-entry
  // electrocardiogram") before a bracket that opens with a comparator: the
  // bracket, or `k` if there is none.
  static It bracket_after_words(const Tokens& t, It k) {
    It m = k;
    while (m < t.limit && m - k < 5 &&
           (t.is(m, Tok::word) || t.is(m, Tok::filler) || t.cue(m, "dash") || (t.is(m, Tok::punct) && m->text == "-"sv)))
      ++m;
    return m > k && t.is(m, Tok::open) && t.is(m + 1, Tok::comparator) ? m : k;
  }

  static bool read(const Tokens& t, It i, MeasureHead& head) {
    It j = i + 1;
    if (const Concept* group = measure_group_at(t, i)) {
      head.concepts = group_read(t, *group, j);
    } else if (!measure_at(t, i)) {
      // "aspartate or alanine aminotransferase": the first shares the second's head.
      // ("total or direct bilirubin": "total" alone is a filler word.)
      if (!(t.is(i, Tok::word) || t.is(i, Tok::filler)) || !(t.conn(i + 1, "or") || t.conn(i + 1, "and")) ||
          !measure_at(t, i + 2) || !t.in.lexer)
        return false;
      const std::string& name = (i + 2)->text;
      const auto sp = name.find(' ');
      if (sp == std::string::npos) return false;
      const std::string id = t.in.lexer->concept_named(i->text + name.substr(sp));
      const Concept* info = t.in.lexicon ? t.in.lexicon->find(id) : nullptr;
      if (!info || info->kind != ConceptKind::measure) return false;
      head.concepts.push_back(id);
    } else {
      head.concepts.push_back(i->value);
    }
    j = skip_restatement(t, j);
    // A list sharing one comparator: "total bilirubin, ALT, and AST ≥ 2×ULN",
    // "AST/ALT". After "A and", B cannot open a comma list of its own; after
    // its "and"/"or" a list is complete ("ALT and AST, creatinine < 1.8"),
    // unless no measure stands before it ("liver disease or ALT, AST, or
    // bilirubin > 2 x ULN").
    bool joined = (t.conn(i - 1, "and") || t.conn(i - 1, "or")) &&
                  (measure_at(t, i - 2) || measure_group_at(t, i - 2) || t.is(i - 2, Tok::close));
    while (j < t.limit) {
      It k = j;
      if (t.is(k, Tok::comma)) {
        if (joined) break;
        ++k;
      }
      if (t.conn(k, "and") || t.conn(k, "or")) {
        head.any = head.any || t.conn(k, "or");
        // "bilirubin, AST/ALT, ALP < 2 x normal": a slash pairs two names
        // inside the list; it does not close it.
        if (k->text != "/"sv) joined = true;
        ++k;
      }
      // "AST/ALT", "AST - ALAT": a slash or a dash between two names.
      // (The dash set apart by blanks: "HGB-A1C", "Karnofsky-Lansky" are one name.)
      const bool dash = t.cue(k, "dash") && measure_at(t, k + 1) && k->begin > 0 &&
                        t.in.text[static_cast<std::size_t>(k->begin) - 1] == ' ';
      if (k == j && !(t.is(k, Tok::punct) && k->text == "/"sv) && !dash) break;
      if (t.is(k, Tok::punct) || dash) ++k;
      for (int n = 0; n < 2 && k < t.limit && soft_at(k, t.last); ++n) ++k;
      if (const Concept* group = measure_group_at(t, k)) {
        It after = k + 1;
        for (auto& m : group_read(t, *group, after)) head.concepts.push_back(m);
        j = skip_restatement(t, after);
        continue;
      }
      // "AST, ALT, or GGT ≥ 3 times upper normal limit": a last member the
      // lexicon does not know, written as an abbreviation, right before the
      // comparator: its bound stays unread beside the others.
      if (!measure_at(t, k) && k != j && t.is(k, Tok::word) && t.is(k + 1, Tok::comparator) && !head.concepts.empty() &&
          (t.conn(k - 1, "or") || t.conn(k - 1, "and"))) {
        const std::string_view written = t.in.text.substr(static_cast<std::size_t>(k->begin), static_cast<std::size_t>(k->end - k->begin));
        if (written.size() >= 2 && std::all_of(written.begin(), written.end(), [](char c) {
              return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
            })) {
          head.unknown.push_back(static_cast<int>(k - t.begin));
          j = k + 1;
          break;
        }
      }
      if (!measure_at(t, k)) break;
      head.concepts.push_back(k->value);
      j = skip_restatement(t, k + 1);
    }
    // "alanine aminotransferase (ALT), levels ≥ 3 X ULN": a comma before
    // the word for the quantity.
    if (t.is(j, Tok::comma) && t.word_in(j + 1, Word::quantity) && t.is(j + 2, Tok::comparator)) j += 2;
    // Filler, restatements and a qualifier word between the measure and its
    // threshold ("HbA1c(NGSP) >= 10", "HbA1c value >= 7", "result:").
    for (int guard = 0; guard < 8 && j < t.limit; ++guard) {
      if (soft_at(j, t.last) || t.is(j, Tok::colon) || t.cue(j, "result") || t.cue(j, "diagnosed") ||
          (t.cue(j, "to") && t.is(j + 1, Tok::comparator)) ||  // "QTc prolongation to > 450 msec"
          t.cue(j, "since_diagnosis") || t.cue(j, "positive") || t.cue(j, "negative") ||
          (t.is(j, Tok::concept_ref) && j->value == head.concepts.back())) {
        ++j;
      } else if (const It bracket = bracket_after_words(t, j); bracket != j) {
        j = bracket;  // "QTc interval on pre-entry electrocardiogram (> 450 msec)": read at the bracket
      } else if (t.is(j, Tok::open) && (t.is(j + 1, Tok::comparator) || t.is(j + 1, Tok::number) ||
                                        (t.cue(j + 1, "between") && t.is(j + 2, Tok::number)))) {
        // "C-peptide negative (<100 pmol/L ...)", "reduced GFR (<90 ml/min/1.73m2)", "INR (between 2-3)"
        const It close = t.close_of(j);
        const int k = read_threshold_list(t.in, static_cast<int>(j + 1 - t.begin), static_cast<int>(close - t.begin), false,
                                          false, head.bracket);
        if (k < 0) break;
        head.bracket_read_to = k;
        head.bracket_close = static_cast<int>(close - t.begin);
        head.end = static_cast<int>(std::min(close + 1, t.limit) - t.begin);
        head.thresholds_at = static_cast<int>(j - t.begin);
        return true;
      } else if (t.is(j, Tok::open)) {
        const It close = t.close_of(j);
        bool restatement = close < t.limit && close - j <= 24;
        // "(BMI = weight in kg/height in m2)": the measure's formula, no bound.
        const bool formula = t.is(j + 1, Tok::concept_ref) && (j + 1)->value == head.concepts.back() &&
                             t.is(j + 2, Tok::comparator) && (j + 2)->value == "eq"sv;
        for (It k = j + 1; k < close && restatement && !formula; ++k)
          restatement = !t.is(k, Tok::unit) && !t.is(k, Tok::comparator);
        if (!restatement) break;
        j = close + 1;
      } else if (t.is(j, Tok::word) && j + 1 < t.limit &&
                 (t.is(j + 1, Tok::comparator) || t.cue(j + 1, "between") ||
                  (t.cue(j + 1, "to") && t.is(j + 2, Tok::comparator))) &&
                 j->text.size() <= 17 && (j - i <= 3 || (j - i <= 5 && soft_at(j - 1, t.last)))) {
        ++j;
      } else if (const It k = range_announced(t, j)) {
        head.between = true;
        j = k;
      } else if (t.word_in(j, Word::quantity) || (t.conn(j, "with") && t.word_in(j + 1, Word::quantity)) ||
                 (t.word_in(j, Word::score_word) && scored(t, head))) {
        // "score of 0-2", "with values between 5.7 and 6.4%": a word that
        // names the quantity measured (word class quantity; not "ratio"),
        // filler, then the value.
        It k = t.conn(j, "with") ? j + 2 : j + 1;
        while (k < t.limit && soft_at(k, t.last) && k - j <= 4) ++k;
        if (!(t.is(k, Tok::comparator) || t.cue(k, "between") || t.is(k, Tok::number))) break;
        j = k;
      } else {
        break;
      }
    }
    head.thresholds_at = static_cast<int>(j - t.begin);
    return true;
  }
};
const measure_head_parser measure_head{};

// A measure's mention, as its id (not age).
struct measure_parser : x3::parser<measure_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Tokens t(ctx);
    if (!measure_head_parser::measure_at(t, first)) return false;
    x3::traits::move_to(first->value, attr);
    ++first;
    return true;
  }
};
const measure_parser measure{};

// "> 2.0 U/kg total insulin dose per day": one bound with its unit, then
// the measure (a bare number before a word is too weak a sign).
const x3::rule<class bound_then_measure_class, std::pair<Threshold, std::string>> bound_then_measure = "bound, then its measure";
const auto make_bound_then_measure = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const Thresholds& ts = boost::fusion::at_c<0>(a);
  if (ts.size() != 1 || ts.front().unit.empty()) {
    x3::_pass(ctx) = false;
    return;
  }
  x3::_val(ctx) = {ts.front(), boost::fusion::at_c<1>(a)};
};
// (The measure may stand alone in brackets: "≥ 160 mm Hg (systolic)".)
const auto bound_then_measure_def =
    (&cmp >> threshold >> x3::repeat(0, 3)[soft] >> measure)[make_bound_then_measure] |
    (&cmp >> threshold >> tok(Tok::open) >> measure >> tok(Tok::close))[make_bound_then_measure];

// "19 kg/m2 ≤ BMI", "7.0% < HbA1c": a value, its unit, and a comparator
// (not = or !=) read from the measure's side; the measure is not read.
const x3::rule<class value_then_measure_class, Threshold> value_then_measure = "value, then its measure";
const auto make_value_then_measure = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const ast::CmpOp op = boost::fusion::at_c<2>(a);
  if (op == ast::CmpOp::eq || op == ast::CmpOp::ne) {
    x3::_pass(ctx) = false;
    return;
  }
  const auto& unit = boost::fusion::at_c<1>(a);
  x3::_val(ctx) = Threshold{flipped(op), boost::fusion::at_c<0>(a), unit ? *unit : std::string(), "", false};
};
const auto value_then_measure_def = (any_number >> -known_unit >> cmp >> &measure)[make_value_then_measure];

BOOST_SPIRIT_DEFINE(bound_then_measure, value_then_measure)

// A cue naming two measures written as one value: "pair:systolic_bp,diastolic_bp".
struct pair_cue_parser : x3::parser<pair_cue_parser> {
  using attribute_type = std::pair<const Concept*, const Concept*>;
  static bool const has_attribute = true;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx& ctx, RCtx&, Attr& attr) const {
    const Lexicon* lexicon = options(ctx).input->lexicon;
    if (first == last || first->kind != Tok::cue || first->value.rfind("pair:", 0) != 0 || !lexicon) return false;
    const std::string& v = first->value;
    const auto comma = v.find(',');
    if (comma == std::string::npos) return false;
    const Concept* a = lexicon->find(v.substr(5, comma - 5));
    const Concept* b = lexicon->find(v.substr(comma + 1));
    if (!a || !b) return false;
    x3::traits::move_to(std::make_pair(a, b), attr);
    ++first;
    return true;
  }
};
const pair_cue_parser pair_cue{};
// "/" however it was read (a slash between values may be read as "or").
struct slash_parser : x3::parser<slash_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <class Ctx, class RCtx, class Attr>
  bool parse(It& first, It last, const Ctx&, RCtx&, Attr&) const {
    if (first == last || first->text != "/"sv) return false;
    ++first;
    return true;
  }
};
const slash_parser slash{};

const x3::rule<class value_pair_class, ast::Expr> value_pair = "two values (140/90)";
// Two measures, one comparator, a value for each: above means either
// value above (`or`), below both (`and`). The attribute is (start, the
// measures, op, first value, second value, unit, stop); `measures` gives
// the two concepts, null if there are not two.
template <class Ctx>
void pair_of_values(Ctx& ctx, const Concept* pa, const Concept* pb, ast::CmpOp op, double v1, double v2,
                    const boost::optional<std::string>& unit, It start, It stop) {
  if (!pa || !pb || op == ast::CmpOp::eq || op == ast::CmpOp::ne || (unit && (*unit != pa->unit || *unit != pb->unit))) {
    x3::_pass(ctx) = false;
    return;
  }
  ast::Comparison x, y;
  x.concept_id = pa->id;
  y.concept_id = pb->id;
  x.op = y.op = op;
  x.value = v1;
  y.value = v2;
  x.unit = pa->unit;
  y.unit = pb->unit;
  x.span = y.span = ast::Span{start->begin, (stop - 1)->end};
  const bool above = op == ast::CmpOp::gt || op == ast::CmpOp::ge;
  x3::_val(ctx) = ast::make_nary(above ? ast::Logic::or_ : ast::Logic::and_, {ast::Expr(x), ast::Expr(y)});
}
template <class Ctx, class Measures>
void make_pair_of_values(Ctx& ctx, const Measures& measures) {
  auto& a = x3::_attr(ctx);
  const auto [pa, pb] = measures(boost::fusion::at_c<1>(a));
  pair_of_values(ctx, pa, pb, boost::fusion::at_c<2>(a), boost::fusion::at_c<3>(a), boost::fusion::at_c<4>(a),
                 boost::fusion::at_c<5>(a), boost::fusion::at_c<0>(a), boost::fusion::at_c<6>(a));
}
// "blood pressure > 140/90 mmHg": the pair the cue names.
const auto make_value_pair = [](auto& ctx) {
  make_pair_of_values(ctx, [](const std::pair<const Concept*, const Concept*>& p) { return p; });
};
// "blood pressure measurement of 160/90 mmHg or higher": the comparator after the values.
const auto make_value_pair_after = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  const auto& pair = boost::fusion::at_c<1>(a);
  pair_of_values(ctx, pair.first, pair.second, boost::fusion::at_c<5>(a), boost::fusion::at_c<2>(a),
                 boost::fusion::at_c<3>(a), boost::fusion::at_c<4>(a), boost::fusion::at_c<0>(a), boost::fusion::at_c<6>(a));
};
// "Systolic/diastolic blood pressure < 140/90", "SBP/DBP > 160/100 mmHg":
// two measures named, one comparator, a value for each.
const auto make_measures_pair = [](auto& ctx) {
  const Lexicon* lexicon = options(ctx).input->lexicon;
  make_pair_of_values(ctx, [&](const MeasureHead& head) {
    std::pair<const Concept*, const Concept*> p{nullptr, nullptr};
    if (head.concepts.size() == 2 && head.end < 0 && lexicon)
      p = {lexicon->find(head.concepts[0]), lexicon->find(head.concepts[1])};
    return p;
  });
};
// (A word may stand before the comparator: "blood pressure consistently above 150/90".)
const auto value_pair_def = (position >> pair_cue >> x3::repeat(0, 3)[soft] >> -tok(Tok::word) >> cmp >> any_number >>
                             slash >> any_number >> -known_unit >> position)[make_value_pair] |
                            (position >> pair_cue >> x3::repeat(0, 3)[soft] >> any_number >> slash >> any_number >>
                             -known_unit >> post_cmp >> position)[make_value_pair_after] |
                            (position >> measure_head >> cmp >> any_number >> slash >> any_number >> -known_unit >>
                             position)[make_measures_pair];

BOOST_SPIRIT_DEFINE(value_pair)

BOOST_SPIRIT_DEFINE(limit_form)
BOOST_SPIRIT_DEFINE(unit_tail, bound_op, upper_bound, between_body, between_form, outside_form, equals_list, comparator_form,
                    number_form,
                    threshold, next_threshold, threshold_list)

}  // namespace trialmatch::grammar::clause
