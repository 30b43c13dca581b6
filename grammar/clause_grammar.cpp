// The one translation unit that instantiates the clause grammar's rules.
#include "grammar/clause_grammar.hpp"

#include "grammar/clause_grammar_def.hpp"
#include "engine/lexicon.hpp"

namespace trialmatch::grammar {
using namespace std::string_view_literals;

namespace x3 = boost::spirit::x3;

ClassBits classes_of(const ClauseInput& in, std::size_t index, WordsOf part) {
  const auto& precomputed = part == WordsOf::whole ? in.words : part == WordsOf::first ? in.first_words : in.any_words;
  if (index < precomputed.size()) return precomputed[index];
  if (!in.classes || index >= in.tokens.size()) return 0;
  const std::string& text = in.tokens[index].text;
  auto lookup = [&](std::string_view w) {
    return in.classes->of(w);
  };
  if (part == WordsOf::whole) return lookup(text);
  if (part == WordsOf::first) return lookup(std::string_view(text).substr(0, text.find(' ')));
  ClassBits all = 0;
  for (std::size_t from = 0; from <= text.size();) {
    const std::size_t to = std::min(text.find(' ', from), text.size());
    all |= lookup(std::string_view(text).substr(from, to - from));
    from = to + 1;
  }
  return all;
}

namespace {

clause::Options options_for(const ClauseInput& in, int end, bool time_units = false, bool between = false) {
  clause::Options o;
  o.input = &in;
  o.limit = in.tokens.data() + std::min<std::size_t>(static_cast<std::size_t>(std::max(end, 0)), in.tokens.size());
  o.time_units = time_units;
  o.between = between;
  return o;
}

// Runs `parser` from token `at`: the index after what it read, or -1.
// `got` is set only when it reads something.
template <class Parser, class Attr>
int parse_at(const ClauseInput& in, int at, const clause::Options& o, const Parser& parser, Attr& got) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  Attr read{};
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[parser], read)) return -1;
  got = std::move(read);
  return static_cast<int>(first - in.tokens.data());
}

// Appends what a rule of thresholds read to `out`.
template <class Parser>
int parse_thresholds(const ClauseInput& in, int at, const clause::Options& o, const Parser& parser,
                     std::vector<Threshold>& out) {
  std::vector<Threshold> got;
  const int next = parse_at(in, at, o, parser, got);
  if (next >= 0) out.insert(out.end(), got.begin(), got.end());
  return next;
}

}  // namespace

namespace {
// What a threshold opens with (threshold_def's alternatives): a value, a
// comparator, "between" or "from", or an "outside" word. Most tokens open
// none, and the parse is not tried there.
bool may_open_threshold(const ClauseInput& in, int at, bool time_units) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return false;
  const Token& t = in.tokens[static_cast<std::size_t>(at)];
  if (t.kind == Tok::number || t.kind == Tok::number_word || t.kind == Tok::comparator) return true;
  if (t.kind == Tok::cue && (t.value == "between"sv || t.value == "from"sv)) return true;
  // "male > 133 μmol/L": a sex before a measure's bound.
  if (!time_units && t.kind == Tok::cue && (t.value == "male_noun"sv || t.value == "female_noun"sv)) return true;
  return in.classes && has_class(classes_of(in, static_cast<std::size_t>(at), WordsOf::whole), Word::outside);
}
}  // namespace

int read_threshold(const ClauseInput& in, int at, int end, bool time_units, bool between, std::vector<Threshold>& out) {
  if (!may_open_threshold(in, at, time_units)) return -1;
  return parse_thresholds(in, at, options_for(in, end, time_units, between), clause::threshold, out);
}

int read_threshold_list(const ClauseInput& in, int at, int end, bool time_units, bool between,
                        std::vector<Threshold>& out) {
  if (!may_open_threshold(in, at, time_units)) return -1;
  return parse_thresholds(in, at, options_for(in, end, time_units, between), clause::threshold_list, out);
}

int read_n_of(const ClauseInput& in, int at, int end, int& n, bool& dangling) {
  clause::NOf got;
  const int next = parse_at(in, at, options_for(in, end), clause::n_of, got);
  if (next >= 0) {
    n = got.n;
    dangling = got.dangling;
  }
  return next;
}

int read_place_label(const ClauseInput& in, int at, int end) {
  x3::unused_type none;
  return parse_at(in, at, options_for(in, end), clause::place_label, none);
}

bool is_part_label(const ClauseInput& in, int at, int end) {
  x3::unused_type none;
  return at < end && parse_at(in, at, options_for(in, end), clause::part_label, none) == end;
}

bool opens_with_prohibition(const ClauseInput& in, int end) {
  if (in.tokens.empty()) return false;
  clause::It first = in.tokens.data();
  const clause::It last = in.tokens.data() + in.tokens.size();
  return x3::parse(first, last, x3::with<clause::options_tag>(options_for(in, end))[clause::prohibition]);
}

int read_group_opener(const ClauseInput& in, int at, int end, bool& subject) {
  // Only these open a group (group_opener_parser): a place preposition, a
  // sex or other cue, a concept named with its people, people.
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const Token& first = in.tokens[static_cast<std::size_t>(at)];
  const auto index = static_cast<std::size_t>(at);
  if (!(first.kind == Tok::cue || first.kind == Tok::concept_ref || first.kind == Tok::person ||
        has_class(classes_of(in, index, WordsOf::whole), Word::place_preposition) ||
        has_class(classes_of(in, index, WordsOf::first), Word::people)))
    return -1;
  bool got = false;
  const int next = parse_at(in, at, options_for(in, end), clause::group_opener, got);
  if (next >= 0) subject = got;
  return next;
}

std::string read_sex_group(const ClauseInput& in, int at, int end) {
  std::string sex;
  return at < end && parse_at(in, at, options_for(in, end), clause::sex_group, sex) == end ? sex : std::string();
}

int read_age(const ClauseInput& in, int at, int end, std::vector<Threshold>& out) {
  return parse_thresholds(in, at, options_for(in, end, true), clause::age, out);
}

int read_event_count(const ClauseInput& in, int at, int end, ast::Count& count) {
  return parse_at(in, at, options_for(in, end), clause::event_count, count);
}

int read_duration(const ClauseInput& in, int at, int end, ast::Duration& duration) {
  return parse_at(in, at, options_for(in, end), clause::duration, duration);
}

bool read_measure_head(const ClauseInput& in, int at, int end, MeasureHead& head) {
  return parse_at(in, at, options_for(in, end), clause::measure_head, head) >= 0;
}

int read_bound_before(const ClauseInput& in, int at, int end, Threshold& bound, std::string& measure) {
  const clause::Options o = options_for(in, end);
  std::pair<Threshold, std::string> after;
  if (const int next = parse_at(in, at, o, clause::bound_then_measure, after); next >= 0) {
    bound = after.first;
    measure = after.second;
    return next;
  }
  measure.clear();
  return parse_at(in, at, o, clause::value_then_measure, bound);
}

int read_value_pair(const ClauseInput& in, int at, int end, ast::Expr& out) {
  return parse_at(in, at, options_for(in, end), clause::value_pair, out);
}

int read_antibodies(const ClauseInput& in, int at, int end, ast::Expr& out) {
  return parse_at(in, at, options_for(in, end), clause::antibodies, out);
}

int read_interpretation(const ClauseInput& in, int at, int end, ast::Expr& out, std::string& note) {
  std::pair<ast::Expr, std::string> got;
  const int next = parse_at(in, at, options_for(in, end), clause::interpretation, got);
  if (next < 0) return -1;
  out = got.first;
  note = got.second;
  return next;
}

bool for_some_at(const ClauseInput& in, int at, int end) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return false;
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  return x3::parse(first, last, x3::with<clause::options_tag>(options_for(in, end))[clause::for_some]);
}

int read_window(const ClauseInput& in, int at, int end, ast::Window& w) {
  return parse_at(in, at, options_for(in, end), clause::window, w);
}

bool read_test_result(const ClauseInput& in, int at, int end, bool exclusion, ast::Expr& out, int& from, int& to) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return false;
  // The Tokens view reads its options from a context; this one holds them.
  const clause::Options o = options_for(in, end);
  const auto ctx = x3::make_context<clause::options_tag>(o);
  const clause::Tokens t(ctx);
  clause::It f = nullptr, e = nullptr;
  if (!clause::test_result(t, in.tokens.data() + at, exclusion, out, f, e)) return false;
  from = static_cast<int>(f - in.tokens.data());
  to = static_cast<int>(e - in.tokens.data());
  return true;
}

bool of_someone_else(const ClauseInput& in, int at) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return false;
  const clause::Options o = options_for(in, static_cast<int>(in.tokens.size()));
  const auto ctx = x3::make_context<clause::options_tag>(o);
  const clause::Tokens t(ctx);
  return clause::of_someone_else(t, in.tokens.data() + at);
}

int read_concept_mention(const ClauseInput& in, int at, int end, bool organ_pathology, ast::Expr& out,
                         std::vector<SetAside>& ignored) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end);
  const auto ctx = x3::make_context<clause::options_tag>(o);
  const clause::Tokens t(ctx);
  const clause::It next = clause::concept_mention(t, in.tokens.data() + at, organ_pathology, out, ignored);
  return next ? static_cast<int>(next - in.tokens.data()) : -1;
}

}  // namespace trialmatch::grammar
