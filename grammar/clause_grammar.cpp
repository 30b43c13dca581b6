// The one translation unit that instantiates the clause grammar's rules.
#include "grammar/clause_grammar.hpp"

#include "grammar/clause_grammar_def.hpp"
#include "engine/lexicon.hpp"

namespace trialmatch::grammar {

namespace x3 = boost::spirit::x3;

namespace {
clause::Options options_for(const ClauseInput& in, int end, bool time_units, bool between) {
  clause::Options o;
  o.input = &in;
  o.limit = in.tokens.data() + std::min<std::size_t>(static_cast<std::size_t>(std::max(end, 0)), in.tokens.size());
  o.time_units = time_units;
  o.between = between;
  return o;
}
}  // namespace

int read_threshold(const ClauseInput& in, int at, int end, bool time_units, bool between, std::vector<Threshold>& out) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, time_units, between);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  std::vector<Threshold> got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::threshold], got)) return -1;
  out.insert(out.end(), got.begin(), got.end());
  return static_cast<int>(first - in.tokens.data());
}

int read_threshold_list(const ClauseInput& in, int at, int end, bool time_units, bool between,
                        std::vector<Threshold>& out) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, time_units, between);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  std::vector<Threshold> got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::threshold_list], got)) return -1;
  out.insert(out.end(), got.begin(), got.end());
  return static_cast<int>(first - in.tokens.data());
}

int read_event_count(const ClauseInput& in, int at, int end, ast::Count& count) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  ast::Count got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::event_count], got)) return -1;
  count = got;
  return static_cast<int>(first - in.tokens.data());
}

int read_duration(const ClauseInput& in, int at, int end, ast::Duration& duration) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  ast::Duration got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::duration], got)) return -1;
  duration = got;
  return static_cast<int>(first - in.tokens.data());
}

int read_age(const ClauseInput& in, int at, int end, std::vector<Threshold>& out) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, true, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  std::vector<Threshold> got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::age], got)) return -1;
  out.insert(out.end(), got.begin(), got.end());
  return static_cast<int>(first - in.tokens.data());
}

bool read_measure_head(const ClauseInput& in, int at, int end, MeasureHead& head) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return false;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  return x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::measure_head], head);
}

int read_bound_before(const ClauseInput& in, int at, int end, Threshold& bound, std::string& measure) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  const clause::It start = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  clause::It first = start;
  std::pair<Threshold, std::string> after;
  if (x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::bound_then_measure], after)) {
    bound = after.first;
    measure = after.second;
    return static_cast<int>(first - in.tokens.data());
  }
  first = start;
  Threshold before;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::value_then_measure], before)) return -1;
  bound = before;
  measure.clear();
  return static_cast<int>(first - in.tokens.data());
}

int read_value_pair(const ClauseInput& in, int at, int end, ast::Expr& out) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  ast::Expr got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::value_pair], got)) return -1;
  out = got;
  return static_cast<int>(first - in.tokens.data());
}

int read_antibodies(const ClauseInput& in, int at, int end, ast::Expr& out) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  ast::Expr got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::antibodies], got)) return -1;
  out = got;
  return static_cast<int>(first - in.tokens.data());
}

int read_interpretation(const ClauseInput& in, int at, int end, ast::Expr& out, std::string& note) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  std::pair<ast::Expr, std::string> got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::interpretation], got)) return -1;
  out = got.first;
  note = got.second;
  return static_cast<int>(first - in.tokens.data());
}

bool read_test_result(const ClauseInput& in, int at, int end, bool exclusion, ast::Expr& out, int& from, int& to) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return false;
  const clause::Options o = options_for(in, end, false, false);
  // The Tokens view reads its options from a context; this one holds them.
  const auto ctx = x3::make_context<clause::options_tag>(o);
  const clause::Tokens t(ctx);
  clause::It f = nullptr, e = nullptr;
  if (!clause::test_result(t, in.tokens.data() + at, exclusion, out, f, e)) return false;
  from = static_cast<int>(f - in.tokens.data());
  to = static_cast<int>(e - in.tokens.data());
  return true;
}

int read_concept_mention(const ClauseInput& in, int at, int end, bool organ_pathology, ast::Expr& out,
                         std::vector<SetAside>& ignored) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  const auto ctx = x3::make_context<clause::options_tag>(o);
  const clause::Tokens t(ctx);
  const clause::It next = clause::concept_mention(t, in.tokens.data() + at, organ_pathology, out, ignored);
  return next ? static_cast<int>(next - in.tokens.data()) : -1;
}

int read_window(const ClauseInput& in, int at, int end, ast::Window& w) {
  if (at < 0 || static_cast<std::size_t>(at) >= in.tokens.size()) return -1;
  const clause::Options o = options_for(in, end, false, false);
  clause::It first = in.tokens.data() + at;
  const clause::It last = in.tokens.data() + in.tokens.size();
  ast::Window got;
  if (!x3::parse(first, last, x3::with<clause::options_tag>(o)[clause::window], got)) return -1;
  w = got;
  return static_cast<int>(first - in.tokens.data());
}


}  // namespace trialmatch::grammar
