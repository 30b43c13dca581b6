#include "grammar/criteria_lexer.hpp"

#include <boost/spirit/home/x3.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "engine/lexicon.hpp"
#include "grammar/phrase_trie.hpp"
#include "grammar/unit_grammar.hpp"

namespace trialmatch::grammar {
using namespace std::string_view_literals;

namespace x3 = boost::spirit::x3;

const char* to_string(Tok kind) {
  static const char* names[] = {"word", "number", "concept", "comparator", "post_comparator", "unit", "time_unit",
                                "number_word", "connective", "cue", "manual", "filler", "pathology", "organ", "person", "void",
                                "open", "close", "comma", "semicolon", "colon", "period", "punct"};
  return names[static_cast<int>(kind)];
}

namespace {

struct Entry {
  Tok kind = Tok::word;
  std::string value;
};

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) & 0x80); }

struct Replacement {
  std::string_view from;
  std::string_view to;
};
// Spellings normalised before matching, so tables hold one form.
constexpr Replacement kReplacements[] = {
    {"\xE2\x89\xA5", ">="}, {"\xE2\x89\xA4", "<="}, {"\xE2\x89\xA7", ">="}, {"\xE2\x89\xA6", "<="},
    {"\xE2\xA9\xBE", ">="}, {"\xE2\xA9\xBD", "<="}, {"\xC3\x97", "x"},      {"\xC2\xB5", "u"},
    {"\xCE\xBC", "u"},      {"\xC2\xB2", "2"},      {"\xE2\x80\x93", "-"},  {"\xE2\x80\x94", "-"},
    {"\xE2\x80\x90", "-"},  {"\xE2\x80\x91", "-"},  {"\xE2\x88\x92", "-"},  {"\xE2\x80\x99", "'"},
    {"\xE2\x80\x98", "'"},  {"\xE2\x80\x9C", "\""}, {"\xE2\x80\x9D", "\""}, {"\xC2\xA0", " "},
    {"\xEF\xBC\x9C", "<"},  {"\xEF\xBC\x9E", ">"},  {"\xE2\x89\xA0", "!="}, {"\xEF\xBD\x9E", "~"},
    // Markdown escapes in ClinicalTrials.gov API exports ("m\^2", "1\. Age")
    {"\\>", ">"},           {"\\<", "<"},           {"\\[", "["},           {"\\]", "]"},
    {"\\^", "^"},           {"\\*", "*"},           {"\\_", "_"},           {"\\~", "~"},
    {"\\=", "="},           {"\\+", "+"},           {"\\-", "-"},           {"\\.", "."},
    {"\\#", "#"},
    {"\xE2\x85\xB9", "x "},  // small roman numeral ten, typed for a times sign
    {"\xE2\x81\x84", "/"},   {"\xE2\x88\x95", "/"},   {"\xEF\xBC\x8F", "/"},  // fraction, division, full-width slash
    {"\xEF\xBC\x9D", "="},  {"\xEF\xBC\x85", "%"},  // full-width equals, percent
    {"\xCB\x82", "<"},     {"\xCB\x83", ">"},  // modifier letter arrowheads, typed for < and >
    {"\xC2\xB7", "."},  // middle dot: a decimal point between digits, else a blank (below)
    {"\xE2\x80\xA2", "\xE2\x80\xA2"},  // bullet: a multiplication sign between digits ("75•109/L"), else kept (below)
};

}  // namespace

namespace {
// Bytes normalising only lowers: ASCII other than blanks, "(", "-", "/" and "\\".
constexpr auto kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0; c < 0x80; ++c) plain[c] = true;
  for (char c : {' ', '\t', '\n', '\r', '(', '-', '/', '\\'}) plain[static_cast<unsigned char>(c)] = false;
  return plain;
}();
}  // namespace

std::string normalise_criterion(std::string_view text, std::vector<int>& offsets, std::vector<int>* ends) {
  // No spelling is longer normalised than written, so the output fits in
  // the input's size: bytes are written by index, without growing.
  std::string out(text.size(), '\0');
  offsets.resize(text.size() + 1);
  if (ends) ends->resize(text.size());
  std::size_t n = 0;
  auto put = [&](char c, std::size_t from, std::size_t to) {
    out[n] = c;
    offsets[n] = static_cast<int>(from);
    if (ends) (*ends)[n] = static_cast<int>(to);
    ++n;
  };
  bool space = false;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    // Most bytes are plain ASCII that only lowers: no replacement, blank,
    // plural bracket, hyphen or slash to weigh. A run of them is copied at once.
    if (kPlain[static_cast<unsigned char>(c)]) {
      if (space) {  // the blank before it, unless a unit's "/" precedes ("mmol/ l")
        if (out[n - 1] != '/') put(' ', i, i);
        space = false;
      }
      std::size_t j = i;
      do {
        const char p = text[j];
        out[n] = (p >= 'A' && p <= 'Z') ? static_cast<char>(p - 'A' + 'a') : p;
        offsets[n] = static_cast<int>(j);
        ++n;
        ++j;
      } while (j < text.size() && kPlain[static_cast<unsigned char>(text[j])]);
      if (ends)
        for (std::size_t k = n - (j - i), at = i; k < n; ++k, ++at) (*ends)[k] = static_cast<int>(at + 1);
      i = j;
      continue;
    }
    std::string_view rep;
    std::size_t len = 1;
    // Only multi-byte characters and backslashes have spellings to replace.
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\\') {
      for (const auto& r : kReplacements) {
        if (text.substr(i, r.from.size()) == r.from) {
          rep = r.to;
          len = r.from.size();
          // "1.5×upper limit of normal": a times sign against a word stands apart from it.
          if (rep == "x"sv && i + len < text.size() && std::isalpha(static_cast<unsigned char>(text[i + len]))) rep = "x ";
          // "7·5 %" (a middle dot for the decimal point) between digits; a
          // stray bullet at a word's end ("0 to 2·"); else a product in a
          // unit ("kg·m^-2"), kept.
          if (r.from == "\xE2\x80\xA2" && n > 0 && std::isdigit(static_cast<unsigned char>(out[n - 1])) &&
              i + len < text.size() && std::isdigit(static_cast<unsigned char>(text[i + len])))
            rep = " x ";
          if (r.from == "\xC2\xB7") {
            const bool digit_before = n > 0 && std::isdigit(static_cast<unsigned char>(out[n - 1]));
            const bool at_end = i + len >= text.size() || std::isspace(static_cast<unsigned char>(text[i + len]));
            if (digit_before && !at_end && std::isdigit(static_cast<unsigned char>(text[i + len]))) rep = ".";
            else if (at_end) rep = " ";
            else rep = r.from;
          }
          break;
        }
      }
    }
    // "stroke(s)", "product(s)": a plural ending glued to its word reads as the word.
    if (c == '(' && !space && n > 0 && std::isalpha(static_cast<unsigned char>(out[n - 1])) && i + 2 < text.size() &&
        (text[i + 1] == 's' || text[i + 1] == 'S') && text[i + 2] == ')' &&
        (i + 3 == text.size() || !std::isalnum(static_cast<unsigned char>(text[i + 3])))) {
      i += 3;
      continue;
    }
    if (rep.empty() && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) rep = " ";
    if (rep == " "sv) {
      space = n > 0;
      i += len;
      continue;
    }
    // "mmol/ l", "kg / m2": units are written with and without blanks.
    if (space && (c == '/' || rep == "/"sv || out[n - 1] == '/')) space = false;
    // "35-year-old", "6-month": a hyphen between a number and a word is a blank.
    if (rep.empty() && c == '-' && n > 0 && std::isdigit(static_cast<unsigned char>(out[n - 1])) && i + 1 < text.size() &&
        std::isalpha(static_cast<unsigned char>(text[i + 1])) && !space) {
      put(' ', i, i + 1);
      ++i;
      continue;
    }
    if (space) {
      put(' ', i, i);
      space = false;
    }
    if (rep.empty()) {
      put((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c, i, i + len);
    } else {
      for (char r : rep) put(r, i, i + len);
    }
    i += len;
  }
  out.resize(n);
  offsets.resize(n);
  offsets.push_back(static_cast<int>(text.size()));
  if (ends) ends->resize(n);
  return out;
}

namespace {

// Every phrase of the lexicon in a trie; the first phrase added wins
// (concepts first, filler last).
class PhraseTable {
 public:
  void add(std::string key, Entry e) { pending_.emplace_back(std::move(key), std::move(e)); }
  void seal() {
    trie_.build(std::move(pending_));
    pending_ = {};
  }
  const Entry* find(std::string_view key) const {
    auto* e = trie_.find(key);
    return e ? &e->second : nullptr;
  }
  // The longest phrase that [p, limit) starts with; its end goes to *end.
  const Entry* longest(const char* p, const char* limit, const char** end) const {
    auto* e = trie_.longest(p, limit);
    if (!e) return nullptr;
    *end = p + e->first.size();
    return &e->second;
  }

 private:
  std::vector<std::pair<std::string, Entry>> pending_;
  PhraseTrie<Entry> trie_;
};

// Whether [p, q) names a concept whose plural ends at q: an "s" closes the
// word, and the name's last word has four letters or more ("transaminases",
// "leukocytes"; not "ALTs", "HBs").
bool pluralisable(const char* p, const char* q) {
  int letters = 0;
  for (const char* c = q; c > p && std::isalpha(static_cast<unsigned char>(c[-1])); --c) ++letters;
  return letters >= 4 && (q - letters == p || !is_alnum(q[-letters - 1]));
}
bool plural_of(const Entry& e, const char* p, const char* q, const char* end) {
  if (e.kind != Tok::concept_ref || q >= end || *q != 's' || (q + 1 < end && is_alnum(q[1]))) return false;
  return pluralisable(p, q);
}

}  // namespace

struct CriteriaLexer::Tables {
  PhraseTable phrases;
  std::vector<std::string> pathology;
  std::unique_ptr<UnitReader> units;
  std::vector<std::string> quantities;  // measures and demographics: may be glued to a number ("age18")
  std::vector<std::string> multipliers;  // "times", "x", "fold": the table unit_multiplier
  std::vector<std::string> whole_counts;  // "/uL": the table whole_count_unit
};

namespace {
// The spellings the lexicon's measures use, in lexicon order, so a unit read
// is spelled as the lexicon spells it.
std::vector<std::string> unit_spellings(const Lexicon& lexicon) {
  std::vector<std::string> out;
  for (const auto& c : lexicon.concepts()) {
    if (!c.unit.empty()) out.push_back(c.unit);
    for (const auto& conv : c.conversions) out.push_back(conv.unit);
  }
  return out;
}
}  // namespace

namespace {
void add_table(PhraseTable& syms, const PhraseTables& tables, const std::string& name, Tok kind) {
  auto it = tables.find(name);
  if (it == tables.end()) return;
  std::vector<int> ignored;
  for (const auto& [phrase, value] : it->second) syms.add(normalise_criterion(phrase, ignored), Entry{kind, value});
}
}  // namespace

CriteriaLexer::CriteriaLexer(const Lexicon& lexicon) : tables_(std::make_unique<Tables>()) {
  auto& syms = tables_->phrases;
  std::vector<int> ignored;
  for (const auto& c : lexicon.concepts()) {
    for (const auto* names : {&c.synonyms, &c.narrower})
      for (const auto& s : *names) syms.add(normalise_criterion(s, ignored), Entry{Tok::concept_ref, c.id});
    if (c.kind == ConceptKind::measure || c.kind == ConceptKind::demographic) tables_->quantities.push_back(c.id);
  }
  const auto& t = lexicon.phrases();
  add_table(syms, t, "comparator", Tok::comparator);
  add_table(syms, t, "post_comparator", Tok::post_comparator);
  add_table(syms, t, "unit", Tok::unit);
  add_table(syms, t, "time_unit", Tok::time_unit);
  add_table(syms, t, "connective", Tok::connective);
  add_table(syms, t, "manual", Tok::manual);
  add_table(syms, t, "cue", Tok::cue);
  add_table(syms, t, "number_word", Tok::number_word);
  add_table(syms, t, "pathology", Tok::pathology);
  add_table(syms, t, "organ", Tok::organ);
  add_table(syms, t, "person", Tok::person);
  add_table(syms, t, "void", Tok::void_);
  add_table(syms, t, "filler", Tok::filler);
  if (auto it = t.find("pathology"); it != t.end())
    for (const auto& [word, value] : it->second) tables_->pathology.push_back(word);
  if (auto it = t.find("unit_multiplier"); it != t.end())
    for (const auto& [word, value] : it->second) tables_->multipliers.push_back(normalise_criterion(word, ignored));
  if (auto it = t.find("whole_count_unit"); it != t.end())
    for (const auto& [unit, why] : it->second) tables_->whole_counts.push_back(unit);
  for (const auto& in : lexicon.interpretations()) {
    for (const auto& phrase : [&] {
           auto all = in.synonyms;
           all.push_back(in.phrase);
           return all;
         }())
      syms.add(normalise_criterion(phrase, ignored), Entry{Tok::cue, "interpret:" + in.phrase});
  }
  syms.seal();
  tables_->units = std::make_unique<UnitReader>(t, unit_spellings(lexicon));
}

CriteriaLexer::~CriteriaLexer() = default;

std::string CriteriaLexer::concept_named(std::string_view phrase) const {
  std::vector<int> ignored;
  std::string key = normalise_criterion(phrase, ignored);
  const Entry* e = tables_->phrases.find(key);
  // "alanine transaminases": the plural of a name (as the lexer reads it).
  if (!e && key.size() > 4 && key.back() == 's') {
    key.pop_back();
    e = tables_->phrases.find(key);
    if (e && !pluralisable(key.data(), key.data() + key.size())) e = nullptr;
  }
  return e && e->kind == Tok::concept_ref ? e->value : std::string();
}

std::string CriteriaLexer::cue_named(std::string_view phrase) const {
  const Entry* e = tables_->phrases.find(phrase);
  return e && e->kind == Tok::cue ? e->value : std::string();
}

bool CriteriaLexer::is_pathology_word(std::string_view word) const {
  return std::find(tables_->pathology.begin(), tables_->pathology.end(), word) != tables_->pathology.end();
}

// "age18", "to75", "or equal to18": a phrase that compares, joins, cues or
// names a quantity may be glued to the number after it, unless the word is
// written in capitals ("MEN2", "TG4010" name things). [p, q) is the phrase,
// original the criterion's text at p.
namespace {
bool glues_to_number(const Entry& e, const std::vector<std::string>& quantities, const char* p, const char* q,
                     const char* end, std::string_view original) {
  if (q == end || !std::isalpha(static_cast<unsigned char>(q[-1])) || !std::isdigit(static_cast<unsigned char>(*q)))
    return false;
  const char* w = q;
  while (w > p && w[-1] != ' ') --w;
  const std::size_t letters = static_cast<std::size_t>(q - w);
  const std::string_view word = original.substr(0, std::min(original.size(), letters));
  if (letters >= 2 && std::none_of(word.begin(), word.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); }))
    return false;
  const bool quantity =
      e.kind == Tok::concept_ref && std::find(quantities.begin(), quantities.end(), e.value) != quantities.end();
  return quantity || e.kind == Tok::comparator || e.kind == Tok::connective || e.kind == Tok::cue;
}
}  // namespace

std::vector<Token> CriteriaLexer::lex(std::string_view text) const {
  std::vector<int> offsets, ends;
  std::string norm = normalise_criterion(text, offsets, &ends);
  std::vector<Token> out;
  out.reserve(norm.size() / 4 + 4);
  const char* const begin = norm.data();
  const char* const end = begin + norm.size();
  const char* p = begin;
  auto emit = [&](Tok kind, const char* from, const char* to, std::string value = {}, double number = 0) {
    Token t;
    t.kind = kind;
    t.value = std::move(value);
    t.number = number;
    t.begin = offsets[from - begin];
    t.end = to > from ? ends[to - 1 - begin] : offsets[to - begin];
    t.text.assign(from, to);
    out.push_back(std::move(t));
  };
  const auto number_parser = x3::raw[+x3::digit >> -(x3::char_(".,") >> +x3::digit)];
  while (p < end) {
    if (*p == ' ') {
      ++p;
      continue;
    }
    // "2.5xUNL", "1.5xupper limit of normal", "2.5 xULRR": a times sign
    // typed as a letter against the limit's words, after a number.
    // (Spellings the tables list whole, "2.5xULN", are read below.)
    if (*p == 'x' && p > begin && (std::isdigit(static_cast<unsigned char>(p[-1])) || p[-1] == ' ') && p + 1 < end &&
        std::isalpha(static_cast<unsigned char>(p[1])) && !out.empty() && out.back().kind == Tok::number) {
      // (A limit's words are short: the rest of the text need not be copied.)
      std::string spaced = "x " + std::string(p + 1, std::min(end, p + 1 + 80));
      if (auto unit = tables_->units->read(spaced); unit && unit->length > 2 &&
          (unit->spelling == "xULN"sv || unit->spelling == "xLLN"sv)) {
        emit(Tok::unit, p, p + unit->length - 1, unit->spelling);
        p += unit->length - 1;
        continue;
      }
    }
    // 1. Longest phrase from the lexicon that ends at a word boundary: when
    // the longest ("hba1c level" in "hba1c levels") ends inside a word, a
    // shorter one is tried.
    {
      const char* limit = end;
      bool matched = false;
      // A unit the unit grammar reads wins over a shorter phrase.
      auto unit = tables_->units->read(std::string_view(p, end - p), !out.empty() && out.back().kind == Tok::number);
      auto emit_unit = [&] {
        emit(Tok::unit, p, p + unit->length, unit->spelling);
        p += unit->length;
        matched = true;
      };
      while (true) {
        const char* q = p;
        const Entry* found = tables_->phrases.longest(p, limit, &q);
        if (!found) {
          if (unit) emit_unit();
          break;
        }
        const Entry& e = *found;
        bool boundary = q == end || !is_alnum(q[-1]) || !is_alnum(*q);
        if (!boundary && plural_of(e, p, q, end)) {
          ++q;  // "aspartate transaminases": a concept's name in the plural
          boundary = true;
        }
        if (!boundary) {
          const char* w = q;
          while (w > p && w[-1] != ' ') --w;
          boundary = glues_to_number(e, tables_->quantities, p, q, end, text.substr(static_cast<std::size_t>(offsets[w - begin])));
        }
        if (!boundary) {
          const char* b = q - 1;
          while (b > p && is_alnum(b[-1]) && is_alnum(*b)) --b;
          if (b <= p) {
            if (unit) emit_unit();
            break;
          }
          limit = b;
          continue;
        }
        if (unit && unit->length > static_cast<std::size_t>(q - p)) {
          emit_unit();
          break;
        }
        if (e.kind == Tok::post_comparator) {
          // "or less than 1 year": "or" joins, "less than" compares.
          // "≤ 20 or above 40": before a number, the words compare the next value.
          const std::string_view after(q, end - q);
          // Only after a threshold already read ("≤ 20", "less than 7.5%"), so
          // "18 years or above" and a list number after it stay as they were.
          bool after_threshold = false;
          // "over 18 years old and under 65": a threshold's "years old" too.
          auto closes_value = [](const Token& t) {
            return t.kind == Tok::number || t.kind == Tok::number_word || t.kind == Tok::unit || t.kind == Tok::time_unit ||
                   (t.kind == Tok::cue && t.value == "age_after"sv);
          };
          // "above 1.1 mg/dL for females and above 1.3": the sex a bound is for.
          auto for_sex = [](const Token& t) {
            return t.kind == Tok::cue && (t.value == "for"sv || t.value == "female"sv || t.value == "male"sv ||
                                          t.value == "female_noun"sv || t.value == "male_noun"sv);
          };
          std::size_t sex_words = 0;
          while (sex_words < 2 && sex_words < out.size() && for_sex(out[out.size() - 1 - sex_words])) ++sex_words;
          for (std::size_t back = 1; back <= 3 && back + sex_words <= out.size() && !after_threshold; ++back) {
            const Token& k = out[out.size() - sex_words - back];
            if (k.kind == Tok::comparator) after_threshold = back > 1 && closes_value(out[out.size() - sex_words - 1]);
            else if (!closes_value(k)) break;
          }
          const bool value_follows = after_threshold && after.size() > 1 && after[0] == ' ' &&
                                     std::isdigit(static_cast<unsigned char>(after[1]));
          const char* first_end = std::find(p, q, ' ');
          const Entry* first_word = first_end == q ? nullptr : tables_->phrases.find(std::string_view(p, first_end - p));
          // "and below or equal to 17": the words after "and" are a comparator
          // that a number follows.
          auto comparator_follows = [&] {
            if (first_end == q || first_end + 1 >= end) return false;
            const char* c = first_end + 1;
            const char* c_end = c;
            const Entry* cmp = tables_->phrases.longest(c, end, &c_end);
            return cmp && cmp->kind == Tok::comparator && c_end > q && c_end + 1 < end && *c_end == ' ' &&
                   std::isdigit(static_cast<unsigned char>(c_end[1]));
          };
          if ((after.starts_with(" than") || value_follows || comparator_follows()) &&
              first_word && first_word->kind == Tok::connective) {
            const char* sp = first_end;
            emit(Tok::connective, p, sp, first_word->value);
            p = sp;
            matched = true;
            break;
          }
        }
        double n = 0;
        if (e.kind == Tok::number_word) std::from_chars(e.value.data(), e.value.data() + e.value.size(), n);
        emit(e.kind, p, q, e.value, n);
        p = q;
        matched = true;
        break;
      }
      if (matched) continue;
    }
    // 2. A number; "7,5" is a decimal comma, "100,000" a thousands separator.
    if (std::isdigit(static_cast<unsigned char>(*p))) {
      const char* q = p;
      boost::iterator_range<const char*> range;
      x3::parse(q, end, number_parser, range);
      // "0,1, 2", "0,1 or 2": single digits in a comma list, not a decimal
      // comma (before "or" / "and", only consecutive grades).
      auto list_goes_on = [&] {
        if (q + 2 < end && q[0] == ',' && q[1] == ' ' && std::isdigit(static_cast<unsigned char>(q[2])))
          return q + 3 == end || !std::isdigit(static_cast<unsigned char>(q[3]));
        std::string_view rest(q, static_cast<std::size_t>(end - q));
        if (rest.starts_with(",")) rest.remove_prefix(1);
        for (std::string_view joiner : {" or ", " and "})
          if (rest.starts_with(joiner) && rest.size() > joiner.size() && std::isdigit(static_cast<unsigned char>(rest[joiner.size()])))
            return p[0] <= '5' && p[2] == p[0] + 1;
        return false;
      };
      if (q - p == 3 && p[1] == ',' && std::isdigit(static_cast<unsigned char>(p[0])) && list_goes_on()) {
        q = p + 1;
        range = boost::iterator_range<const char*>(p, q);
      }
      std::string digits(range.begin(), range.end());
      // "100 000/mm3", "1 500": a blank between groups of three digits
      // separates thousands.
      auto digit = [&](const char* c) { return c < end && std::isdigit(static_cast<unsigned char>(*c)); };
      // Not "100 109/L": 10^9 per litre whose superscript was lost.
      auto lost_power = [&](const char* g) {
        return g[0] == '1' && g[1] == '0' && (g[2] == '3' || g[2] == '6' || g[2] == '9') &&
               ((g + 3 < end && g[3] == '/') || (g + 4 < end && g[3] == ' ' && g[4] == '/'));
      };
      if (digits.size() <= 3 && digits.find_first_of(".,") == std::string::npos && digits[0] != '0')
        while (q < end && *q == ' ' && digit(q + 1) && digit(q + 2) && digit(q + 3) && !digit(q + 4) &&
               !(q + 5 < end && (q[4] == '.' || q[4] == ',') && digit(q + 5)) && !lost_power(q + 1)) {
          digits.append(q + 1, q + 4);
          q += 4;
        }
      auto comma = digits.find(',');
      if (comma != std::string::npos) {
        std::size_t after = digits.size() - comma - 1;
        if (after == 3) digits.erase(comma, 1);
        else digits[comma] = '.';
      }
      double v = 0;
      std::from_chars(digits.data(), digits.data() + digits.size(), v);
      // No criterion counts or measures in the billions: such a "number" is
      // an identifier (a phone or registry number) and is read as a word.
      emit(v < 1e9 ? Tok::number : Tok::word, p, q, digits, v);
      p = q;
      continue;
    }
    // 3. A word, or one punctuation mark.
    if (is_alnum(*p)) {
      const char* q = p;
      while (q < end && (is_alnum(*q) || *q == '\'')) ++q;
      emit(Tok::word, p, q, std::string(p, q));
      p = q;
      continue;
    }
    Tok kind = Tok::punct;
    switch (*p) {
      case '(': case '[': case '{': kind = Tok::open; break;
      case ')': case ']': case '}': kind = Tok::close; break;
      case ',': kind = Tok::comma; break;
      case ';': kind = Tok::semicolon; break;
      case ':': kind = Tok::colon; break;
      case '.': kind = Tok::period; break;
      default: break;
    }
    emit(kind, p, p + 1, std::string(1, *p));
    ++p;
  }
  comparator_before_multiple(out);
  drop_stray_words(out);
  thousands_point_in_counts(out);
  return out;
}

// "Age >= to 40 years", "greater than or equal (>=) to 27": a "to" left
// between a comparator (or its restatement in brackets) and the number.
void CriteriaLexer::drop_stray_words(std::vector<Token>& out) const {
  // "ANC greater ≥ 1,500/mm3": a comparator's word before its sign; the sign is the bound's.
  for (std::size_t k = 0; k + 1 < out.size(); ++k)
    if (out[k].kind == Tok::comparator && out[k + 1].kind == Tok::comparator && !out[k].text.empty() &&
        std::all_of(out[k].text.begin(), out[k].text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
  for (std::size_t k = 1; k + 1 < out.size(); ++k) {
    if (out[k].kind != Tok::cue || out[k].value != "to"sv || out[k + 1].kind != Tok::number) continue;
    const bool after_comparator = out[k - 1].kind == Tok::comparator ||
                                  (k >= 3 && out[k - 1].kind == Tok::close && out[k - 2].kind == Tok::comparator &&
                                   out[k - 3].kind == Tok::open);
    if (after_comparator) out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

// "platelet count < 50.000/uL": a count per volume is a whole number, so a
// point before three digits separates thousands.
void CriteriaLexer::thousands_point_in_counts(std::vector<Token>& out) const {
  for (std::size_t k = 0; k + 1 < out.size(); ++k) {
    Token& n = out[k];
    if (n.kind != Tok::number || out[k + 1].kind != Tok::unit) continue;
    const auto point = n.text.find('.');
    if (point == std::string::npos || point == 0 || point > 3 || n.text.size() - point - 1 != 3) continue;
    if (std::find(tables_->whole_counts.begin(), tables_->whole_counts.end(), out[k + 1].value) == tables_->whole_counts.end())
      continue;
    n.number = std::round(n.number * 1000);
  }
}

// "ALT 3 times higher than the upper limit of normal", "five times above
// the ULN", "6x above ULN": the comparator written between the multiple and
// the limit goes before the number, where a threshold has it; its span
// starts at the number, so the words stay in order.
void CriteriaLexer::comparator_before_multiple(std::vector<Token>& out) const {
  for (std::size_t k = 0; k + 2 < out.size(); ++k) {
    if (out[k].kind != Tok::number && out[k].kind != Tok::number_word) continue;
    if (k > 0 && out[k - 1].kind == Tok::comparator) continue;
    std::size_t m = k + 1;
    const bool multiplier = std::find(tables_->multipliers.begin(), tables_->multipliers.end(), out[m].text) !=
                            tables_->multipliers.end();
    if (multiplier) ++m;
    if (m + 1 >= out.size() || out[m].kind != Tok::comparator || out[m + 1].kind != Tok::unit ||
        (out[m + 1].value != "xULN"sv && out[m + 1].value != "xLLN"sv))
      continue;
    if (!multiplier && out[k].kind == Tok::number) continue;  // "three times" is one number word
    Token cmp = std::move(out[m]);
    cmp.begin = out[k].begin;
    Token number = std::move(out[k]);
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(k), out.begin() + static_cast<std::ptrdiff_t>(m + 1));
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(k), std::move(number));
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(k), std::move(cmp));
    k += 1;
  }
}

}  // namespace trialmatch::grammar
