#include "grammar/criteria_compiler.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <stdexcept>

#include "engine/lexicon.hpp"
#include "grammar/clause_grammar.hpp"
#include "grammar/criteria_lexer.hpp"
#include "grammar/word_classes.hpp"
#include "grammar/abbreviations.hpp"
#include "grammar/rule_parser.hpp"

namespace trialmatch::grammar {
using namespace std::string_view_literals;

namespace x3 = boost::spirit::x3;
using ast::CmpOp;
using ast::Expr;
using ast::Logic;

const char* to_string(Status status) {
  switch (status) {
    case Status::computable: return "computable";
    case Status::partial: return "partial";
    case Status::manual: return "manual";
    case Status::unparsed: return "unparsed";
  }
  return "?";
}

namespace {

// ------------------------------------------------------------------ rule walks

template <class F>
void walk(const Expr& e, bool negated, const F& f) {
  if (auto* n = boost::get<x3::forward_ast<ast::Not>>(&e.get())) {
    walk(n->get().operand, !negated, f);
  } else if (auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get())) {
    for (const auto& o : a->get().operands) walk(o, negated, f);
  } else {
    f(e, negated);
  }
}

bool is_manual_leaf(const Expr& e) { return boost::get<ast::Manual>(&e.get()) != nullptr; }

// A bound from above (< or <=).
bool upper_bound(CmpOp op) { return op == CmpOp::le || op == CmpOp::lt; }

// The comparisons of a rule, negated or not.
std::vector<const ast::Comparison*> comparisons_in(const Expr& e) {
  std::vector<const ast::Comparison*> out;
  walk(e, false, [&](const Expr& n, bool) {
    if (auto* c = boost::get<ast::Comparison>(&n.get())) out.push_back(c);
  });
  return out;
}

// The measures a rule bounds, if it is only bounds on measures (no sex, no
// negation): "ALT > 2.5 x ULN", "any(alt > 2.5 xULN, ast > 2.5 xULN)".
std::optional<std::set<std::string>> bounded_measures(const Expr& e) {
  std::set<std::string> ids;
  bool only_bounds = true;
  walk(e, false, [&](const Expr& x, bool negated) {
    auto* c = boost::get<ast::Comparison>(&x.get());
    only_bounds = only_bounds && !negated && c && c->word.empty() && c->concept_id != "sex"sv;
    if (c) ids.insert(c->concept_id);
  });
  if (!only_bounds) return std::nullopt;
  return ids;
}

// "ALT > 2.5 x ULN, bilirubin > 1.5 x ULN" in an exclusion: bounds on
// different measures listed without a connective, each an abnormality that
// excludes on its own.
bool separate_abnormalities(const std::vector<Expr>& bounds) {
  if (bounds.size() < 2) return false;
  std::set<std::string> seen;
  for (const auto& b : bounds) {
    auto ids = bounded_measures(b);
    if (!ids || ids->empty()) return false;
    for (const auto& id : *ids)
      if (!seen.insert(id).second) return false;
  }
  return true;
}

const std::string* sex_of(const Expr& e) {
  auto* c = boost::get<ast::Comparison>(&e.get());
  return c && c->concept_id == "sex"sv && c->op == CmpOp::eq ? &c->word : nullptr;
}

// Rebuilds a rule bottom-up: each and/or list, its operands rebuilt first,
// becomes what `f(op, operands)` makes of it; "not" keeps its place. The
// rule is taken by value and its parts moved, not copied.
template <class F>
Expr rebuild_lists(Expr e, const F& f) {
  if (auto* n = boost::get<x3::forward_ast<ast::Not>>(&e.get()))
    return ast::make_not(rebuild_lists(std::move(n->get().operand), f));
  auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get());
  if (!a) return e;
  std::vector<Expr> children;
  children.reserve(a->get().operands.size());
  for (auto& o : a->get().operands) children.push_back(rebuild_lists(std::move(o), f));
  if (a->get().op == Logic::at_least) return ast::make_at_least(a->get().n, std::move(children));
  return f(a->get().op, std::move(children));
}

// "creatinine > 1.4 mg/dL in women and creatinine > 1.5 mg/dL in men": two
// comparisons, each for one sex, joined by "and", flatten into one
// conjunction that names both sexes, which no patient can meet. Each sex
// takes its own operands as one alternative: `... and ((sex = female and
// A) or (sex = male and B))`. The second sex takes as many operands as the
// first; what follows is common to both again.
Expr regroup_sexes(Expr e) {
  return rebuild_lists(std::move(e), [](Logic op, std::vector<Expr> children) {
    std::vector<std::size_t> sexes;
    for (std::size_t k = 0; k < children.size(); ++k)
      if (sex_of(children[k])) sexes.push_back(k);
    if (op != Logic::and_ || sexes.size() != 2 || *sex_of(children[sexes[0]]) == *sex_of(children[sexes[1]]))
      return ast::make_nary(op, std::move(children));
    const std::size_t first = sexes[0], second = sexes[1];
    const std::size_t end = std::min(children.size(), second + (second - first));
    auto at = [&](std::size_t k) { return children.begin() + static_cast<std::ptrdiff_t>(k); };
    std::vector<Expr> out(children.begin(), at(first));
    out.push_back(ast::make_nary(Logic::or_, {ast::make_nary(Logic::and_, std::vector<Expr>(at(first), at(second))),
                                              ast::make_nary(Logic::and_, std::vector<Expr>(at(second), at(end)))}));
    out.insert(out.end(), at(end), children.end());
    return ast::make_nary(Logic::and_, std::move(out));
  });
}

// "History of myocardial infarction, unstable angina, or revascularization
// within the past 6 months": a window after the last of an "or" list under
// "history of" belongs to every item before it. Without "history of" the list is left
// as read ("type 1 diabetes or DKA within 6 months" dates the DKA alone).
Expr share_history_window(Expr e) {
  return rebuild_lists(std::move(e), [](Logic op, std::vector<Expr> children) {
    auto history = [](const Expr& x) {
      auto* p = boost::get<ast::Predicate>(&x.get());
      return p && p->function == "history"sv ? p : nullptr;
    };
    // The list's leading run of histories, to the first with a window; what
    // follows it ("..., or unwilling to ...") has no window to share.
    std::size_t last = 0;
    while (last < children.size() && history(children[last]) && !history(children[last])->window) ++last;
    bool shared = op == Logic::or_ && last > 0 && last < children.size() && history(children[last]);
    if (shared) {
      const auto window = history(children[last])->window;
      for (std::size_t k = 0; k < last; ++k) {
        ast::Predicate p = *history(children[k]);
        p.window = window;
        children[k] = Expr(p);
      }
    }
    return ast::make_nary(op, std::move(children));
  });
}

}  // namespace

Status status_of(const ast::Expr& rule) {
  bool unparsed = false, data = false, manual = false;
  walk(rule, false, [&](const Expr& e, bool) {
    if (boost::get<ast::Unparsed>(&e.get())) unparsed = true;
    else if (is_manual_leaf(e)) manual = true;
    // A cohort term is structure, as a literal is: which criteria apply where.
    else if (!boost::get<ast::Literal>(&e.get()) && !boost::get<ast::Cohort>(&e.get())) data = true;
  });
  if (unparsed) return data || manual ? Status::partial : Status::unparsed;
  if (!data && manual) return Status::manual;
  return Status::computable;
}

std::vector<Atom> atoms_of(const ast::Expr& rule, std::string_view text) {
  std::vector<Atom> out;
  walk(rule, false, [&](const Expr& e, bool negated) {
    auto* c = boost::get<ast::Comparison>(&e.get());
    if (!c || !c->word.empty()) return;
    std::string source;
    if (c->span.begin >= 0 && c->span.end > c->span.begin && static_cast<std::size_t>(c->span.end) <= text.size())
      source.assign(text.substr(static_cast<std::size_t>(c->span.begin), static_cast<std::size_t>(c->span.end - c->span.begin)));
    out.push_back({c->concept_id, negated ? ast::negate(c->op) : c->op, c->value, c->unit, std::move(source)});
  });
  return out;
}

// Gives each comparison and predicate of `e` that has no span yet the span
// of the words its construct read.
void annotate(Expr& e, ast::Span where) {
  if (auto* c = boost::get<ast::Comparison>(&e.get())) {
    if (c->span.begin < 0) c->span = where;
  } else if (auto* p = boost::get<ast::Predicate>(&e.get())) {
    if (p->span.begin < 0) p->span = where;
  } else if (auto* n = boost::get<x3::forward_ast<ast::Not>>(&e.get())) {
    annotate(n->get().operand, where);
  } else if (auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get())) {
    for (auto& o : a->get().operands) annotate(o, where);
  }
}

namespace {

// ------------------------------------------------------------------ items

// What the clause scanner finds, before connectives join it into a rule.
struct Item {
  enum Kind { leaf, conn, residue, group, modifier, including, ignorable } kind = ignorable;
  Expr expr = Expr(ast::Literal{});  // cheaper than the default (a Comparison with strings)
  std::string value;            // conn: and, or, comma, with, also, colon; modifier: history, negation, ...
  int tb = 0, te = 0;           // token range [tb, te)
  std::vector<Item> children;   // group
  bool meaningful = false;      // residue that may decide the criterion
  bool condition = false;       // leaf is a plain condition/state/event/medication mention
  int n = 1;                    // ignorable "alternatives": how many of them must hold
};

// An operand of a list being combined: a leaf's rule, and whether it is a
// plain condition mention.
struct Operand {
  Expr expr;
  bool condition;
  bool scope = false;  // a part of the study named in brackets ("(Part C)")
};

// "either A, B or C", "at least one of A, B, C": from its opener to the end
// of its list (a ", and" closes it) the operands are alternatives, and they
// are one operand to what stands before: "X, Y, and either A or B" is X and
// Y and (A or B). seps[k] joins ops[k] and ops[k + 1].
// "at least two of A, B, C" (n = 2): the list is at_least(2, A, B, C), to
// its end; a list of fewer than n is not read whole, so its opener's words
// (`opener`) stay beside it.
void group_alternatives(std::vector<Operand>& ops, std::vector<std::string>& seps, std::vector<bool>& after_comma,
                        std::size_t from, int n, const Expr& opener) {
  std::size_t to = ops.size() - 1;
  for (std::size_t k = from; k < seps.size() && n <= 1; ++k)
    if (seps[k] == "and"sv && after_comma[k]) {
      to = k;
      break;
    }
  if (from == 0 && to == ops.size() - 1 && n <= 1) {  // the whole list: its commas are "or"
    for (auto& sep : seps)
      if (sep == "comma"sv) sep = "or";
    return;
  }
  if (to == from && n <= 1) return;
  // Operands written next to each other ("primary" hypertension) stay together.
  std::vector<Expr> alternatives, together;
  bool conditions = true;
  for (std::size_t k = from; k <= to; ++k) {
    together.push_back(ops[k].expr);
    conditions = conditions && ops[k].condition;
    if (k == to || seps[k] != "adjacent"sv) alternatives.push_back(ast::make_nary(Logic::and_, std::exchange(together, {})));
  }
  if (static_cast<std::size_t>(n) > alternatives.size())
    ops[from] = {ast::make_nary(Logic::and_, {opener, ast::make_nary(Logic::or_, std::move(alternatives))}), false};
  else
    ops[from] = {ast::make_at_least(n, std::move(alternatives)), conditions && n <= 1};
  ops.erase(ops.begin() + from + 1, ops.begin() + to + 1);
  seps.erase(seps.begin() + from, seps.begin() + to);
  after_comma.erase(after_comma.begin() + from, after_comma.begin() + to);
}


const std::vector<std::string> kRomanOrLetterMarkers = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
                                                        "a", "b", "c", "d", "e", "f"};

CmpOp op_from(const std::string& v) { return comparator_op(v); }

}  // namespace

// A class name the grammar does not know, or a class it reads that no word
// has, is an error naming the table.
WordClasses load_word_classes(const Lexicon& lexicon) {
  const std::string where = "language table \"word_class\" (rules/lexicon/language.json, /phrases/word_class)";
  const auto& tables = lexicon.phrases();
  auto table = tables.find("word_class");
  if (table == tables.end()) throw std::runtime_error(where + " is missing: the criteria grammar reads it");
  WordClasses out;
  ClassBits seen = 0;
  for (const auto& [word, classes] : table->second) {
    std::size_t from = 0;
    while (from <= classes.size()) {
      std::size_t to = std::min(classes.find(',', from), classes.size());
      std::string_view name = std::string_view(classes).substr(from, to - from);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      auto it = std::find(std::begin(kWordClassNames), std::end(kWordClassNames), name);
      if (it == std::end(kWordClassNames))
        throw std::runtime_error(where + ": the word \"" + word + "\" has the class \"" + std::string(name) +
                                 "\", which the criteria grammar does not know");
      const ClassBits bit = ClassBits{1} << (it - std::begin(kWordClassNames));
      out.add(word, bit);
      seen |= bit;
      from = to + 1;
    }
  }
  for (std::size_t k = 0; k < std::size(kWordClassNames); ++k)
    if (!(seen & (ClassBits{1} << k)))
      throw std::runtime_error(where + " has no word of the class \"" + std::string(kWordClassNames[k]) +
                               "\", which the criteria grammar reads");
  out.seal();
  return out;
}

struct CriteriaCompiler::Impl {
  const Lexicon& lexicon;
  CriteriaLexer lexer;
  WordClasses words;
  explicit Impl(const Lexicon& l) : lexicon(l), lexer(l), words(load_word_classes(l)) {}
};

namespace {

class Parser {
 public:
  Parser(const Lexicon& lexicon, const CriteriaLexer& lexer, const WordClasses& words, const std::vector<Token>& tokens,
         std::string_view text, bool exclusion, bool forbidden, Compiled& out)
      : lex_(lexicon), lexer_(lexer), t_(tokens), words_(words), text_(text), exclusion_(exclusion),
        conditions_joined_(exclusion || forbidden), out_(out),
        n_(static_cast<int>(tokens.size())) {
    // Each token's word classes, worked out once: of its text, its first
    // word, any of its words.
    classes_.reserve(tokens.size());
    first_classes_.reserve(tokens.size());
    any_classes_.reserve(tokens.size());
    auto lookup = [&](std::string_view w) {
      return words.of(w);
    };
    for (const auto& t : tokens) {
      const ClassBits whole = lookup(t.text);
      classes_.push_back(whole);
      const std::size_t space = t.text.find(' ');
      if (space == std::string::npos) {
        first_classes_.push_back(whole);
        any_classes_.push_back(whole);
        continue;
      }
      ClassBits any = 0;
      for (std::size_t from = 0; from <= t.text.size();) {
        const std::size_t to = std::min(t.text.find(' ', from), t.text.size());
        any |= lookup(std::string_view(t.text).substr(from, to - from));
        from = to + 1;
      }
      first_classes_.push_back(lookup(std::string_view(t.text).substr(0, space)));
      any_classes_.push_back(any);
    }
    clause_input_.emplace(ClauseInput{tokens, text, classes_, &words, &lexicon, &lexer, first_classes_, any_classes_});
    // What whole constructs need somewhere in the criterion, or they are not tried.
    for (std::size_t k = 0; k < tokens.size(); ++k) {
      const Token& t = tokens[k];
      has_time_ = has_time_ || t.kind == Tok::time_unit;
      const Concept* c = t.kind == Tok::concept_ref ? lexicon.find(t.value) : nullptr;
      has_event_ = has_event_ || (c && c->kind == ConceptKind::event);
      has_antibody_ = has_antibody_ || (c && (c->kind == ConceptKind::autoantibody || c->kind == ConceptKind::group)) ||
                      (t.kind == Tok::cue && (t.value == "antibody_word"sv || t.value == "antibody_group"sv)) ||
                      has_class(any_classes_[k], Word::antibody_noun);
    }
  }

  std::optional<Expr> run();
  // The whole text (ending in a colon) names cohorts: their expression.
  std::optional<Expr> cohort_label() const;
  // Openers of n of a list ("at least two of the following:") read.
  const std::vector<ast::Unparsed>& openers() const { return openers_; }

 private:
  // ---- token tests
  bool is(int i, Tok k) const { return i >= 0 && i < n_ && t_[i].kind == k; }
  bool cue(int i, std::string_view v) const { return is(i, Tok::cue) && t_[i].value == v; }
  bool conn(int i, std::string_view v) const { return is(i, Tok::connective) && t_[i].value == v; }
  const Concept* concept_at(int i) const { return is(i, Tok::concept_ref) ? lex_.find(t_[i].value) : nullptr; }
  bool measure_at(int i) const {
    auto* c = concept_at(i);
    return c && c->kind == ConceptKind::measure && c->id != "age"sv;
  }
  bool event_at(int i) const {
    auto* c = concept_at(i);
    return c && c->kind == ConceptKind::event;
  }
  bool number_at(int i) const { return is(i, Tok::number) || is(i, Tok::number_word); }
  // A cue naming two measures written as one value ("blood pressure":
  // "pair:systolic_bp,diastolic_bp").
  bool pair_cue(int i) const { return is(i, Tok::cue) && t_[i].value.rfind("pair:", 0) == 0; }
  bool soft(int i) const {  // words that may stand between the parts of a construct
    return is(i, Tok::filler) || is(i, Tok::person) || cue(i, "result") || cue(i, "history_adj") || cue(i, "reference_weak");
  }
  int skip_soft(int i, int end, int limit = 6) const {
    while (i < end && limit-- > 0 && soft(i)) ++i;
    return i;
  }
  std::string span_text(int tb, int te) const {
    if (tb >= te) return "";
    return std::string(text_.substr(t_[tb].begin, t_[te - 1].end - t_[tb].begin));
  }
  ast::Span span(int tb, int te) const { return tb < te ? ast::Span{t_[tb].begin, t_[te - 1].end} : ast::Span{}; }
  void ignore(int tb, int te, const std::string& reason) {
    if (tb < te) out_.ignored.push_back({t_[tb].begin, t_[te - 1].end, span_text(tb, te), reason});
  }
  int close_of(int open, int end) const {
    int depth = 0;
    for (int i = open; i < end; ++i) {
      if (is(i, Tok::open)) ++depth;
      if (is(i, Tok::close) && --depth == 0) return i;
    }
    return end;
  }
  // End of the segment (next top-level comma, semicolon, period or colon).
  int segment_end(int i, int end, bool stop_at_comma = true) const {
    int depth = 0;
    for (; i < end; ++i) {
      if (is(i, Tok::open)) ++depth;
      else if (is(i, Tok::close)) {
        if (depth == 0) return i;
        --depth;
      } else if (depth == 0 && (is(i, Tok::semicolon) || is(i, Tok::period) || (stop_at_comma && is(i, Tok::comma))))
        return i;
    }
    return end;
  }

  // ---- constructs
  int read_window(int i, int end, ast::Window& w) const;
  int read_thresholds(int i, int end, bool time_units, std::vector<Threshold>& out, bool between = false) const;
  std::optional<Expr> thresholds_expr(const std::string& concept_id, std::vector<Threshold> ts, const std::string& default_unit) const;
  std::optional<Expr> measured_bracket(int word, int b, int e, int* read_to = nullptr) const;
  const std::string* measured_as(int word) const;
  bool measured_together(const std::string& a, const std::string& b) const;
  Logic shared_bound_logic(bool any_written, const std::vector<Threshold>& ts) const;

  std::optional<std::pair<Expr, int>> age_construct(int i, int end);
  std::optional<std::pair<Expr, int>> measure_construct(int i, int end);
  int grade_alone(const MeasureHead& head, int end, std::vector<Threshold>& ts) const;
  int bound_after_modal(const MeasureHead& head, int end, std::vector<Threshold>& ts,
                        std::optional<ast::Unparsed>& between) const;
  std::optional<std::pair<Expr, int>> reverse_measure(int i, int end);
  bool unit_fits(const std::string& id, const Threshold& t) const;
  // Whether [b, e) names an age group after words of its own: "for"/"in",
  // people, an age ("6 months for subjects 4 to 5 years of age").
  bool age_group_in(int b, int e) {
    for (int k = b + 1; k + 2 < e; ++k)
      if (word_in(k, Word::place_preposition) && is(k + 1, Tok::person) && age_construct(k + 1, e)) return true;
    return false;
  }
  std::optional<std::pair<Expr, int>> bound_before_measure(int i, int end);
  std::optional<std::pair<Expr, int>> comparator_before_measure(int i, int end);
  bool other_bound_for_some(const Item* prev, int b, int e) const;
  bool bare_bound_for_some(const Item* prev, int b, int e, Threshold& th) const;
  std::optional<Expr> bound_for_some(const Item* prev, int b, int e) const;
  int past_permission(int b, int e) const;
  std::optional<Expr> bound_for_some_first(const Item* prev, int b, int e) const;
  Expr relax(const Item* prev, const Threshold& th, int who_b, int who_e, bool assume_looser = false) const;
  bool other_unit_for_some(const Item* prev, int b, int e) const;
  std::optional<std::pair<Expr, int>> antibody_construct(int i, int end);
  std::optional<std::pair<Expr, int>> count_construct(int i, int end);
  std::optional<std::pair<Expr, int>> pair_construct(int i, int end);
  std::optional<std::pair<Expr, int>> duration_construct(int i, int end);
  std::optional<std::pair<Expr, int>> time_since_construct(int i, int end);
 public:
  int n_of_opener(int i, int end, int& n, bool& dangling) const;
 private:
  std::optional<std::pair<Expr, int>> interpretation(int i, int end);
  // Whether the words from k name nothing more: the sentence ends there, or
  // only people follow ("newly diagnosed patients"). Not before a comma or a
  // connective: "Newly diagnosed, previously untreated multiple myeloma".
  std::optional<std::pair<Expr, int>> concept_mention(int i, int end, bool& condition);
  std::optional<std::pair<Expr, std::pair<int, int>>> test_result(int i, int end) const;

  std::vector<Item> scan(int b, int e);
  std::optional<Expr> combine(std::vector<Item> items, bool top = false);
  // The index in items[from..] of a comma and "and" that close an "or"
  // list begun at `from` (no bare comma before it), else items.size().
  static std::size_t closing_and(const std::vector<Item>& items, std::size_t from);
  std::optional<Expr> sentence(int b, int e);
  bool manual_alternative(const std::vector<Item>& items, std::size_t k) const;
  static bool standalone_checks(const Expr& sentence);
  bool prohibition_at_start() const;
  int place_label(int b, int e) const;
  Expr place_condition(int b, int colon) const;
  Expr part_cohorts(int b, int e) const;
  bool part_label(int b, int e) const;
  bool relaxes(int b, int e) const;
  void looser_bounds_for_groups(std::vector<Expr>& parts) const;
  std::optional<Expr> relax_bounds(const Expr& rule, const Expr& alternative) const;
  // A bound for one sex starts at k: "women: ≤ 1.2 mg/dl", "men 2-50 U/L",
  // "1.4 mg/dl for females".
  bool bound_for_group_at(int b) const;
  std::optional<std::pair<Expr, int>> age_label(int b, int e);
  bool sexed_bound_at(int k) const {
    if (cue(k, "male_noun") || cue(k, "female_noun")) {
      const int v = is(k + 1, Tok::colon) ? k + 2 : k + 1;
      return is(v, Tok::comparator) || is(v, Tok::number);
    }
    if (!is(k, Tok::number)) return false;
    const int after = is(k + 1, Tok::unit) ? k + 2 : k + 1;
    return cue(after, "male") || cue(after, "female");
  }
  struct Verdict {
    int xb = -1, xe = -1;  // whom it names
    int yb = -1, ye = -1;  // a condition after the verdict ("if ..."), if any
    bool admits = true;
  };
  std::optional<Verdict> verdict_in(int b, int e) const;
  bool shares_concept(const Expr& x, const std::vector<Expr>& with) const;
  bool read_exception(std::vector<Item>& items, int i, int stop);
  bool exception_bound(std::vector<Item>& items, int i, int stop) const;
  void read_whole(std::vector<Item>& items, int te);
  // An "or" the text implies, joining what follows to what precedes.
  static Item or_item(int tb, int te) {
    Item o;
    o.kind = Item::conn;
    o.value = "or";
    o.tb = tb;
    o.te = te;
    return o;
  }
  // Whether the words [b, e) speak of abnormality in general (word class abnormality).
  bool names_abnormality(int b, int e) const {
    for (int k = b; k < e; ++k)
      if (any_word_in(k, Word::abnormality)) return true;
    return false;
  }
  // Whether the rule bounds measures only, each from below and above (ages,
  // which name whom a range is for, and words not read aside).
  static bool only_ranges(const Expr& e) {
    std::map<std::string, int> sides;  // bit 1: lower, bit 2: upper
    bool comparisons = true;
    walk(e, false, [&](const Expr& x, bool) {
      if (boost::get<ast::Unparsed>(&x.get())) return;
      if (const auto* c = boost::get<ast::Comparison>(&x.get())) {
        if (c->concept_id == "age"sv) return;
        const bool upper = c->op == CmpOp::le || c->op == CmpOp::lt;
        const bool lower = c->op == CmpOp::ge || c->op == CmpOp::gt;
        if (!upper && !lower) comparisons = false;
        sides[c->concept_id] |= (lower ? 1 : 0) | (upper ? 2 : 0);
      } else if (!boost::get<x3::forward_ast<ast::NAry>>(&x.get())) {
        comparisons = false;
      }
    });
    return comparisons && !sides.empty() &&
           std::all_of(sides.begin(), sides.end(), [](const auto& s) { return s.second == 3; });
  }
  static bool after_concept(const std::vector<Item>& items) {
    return !items.empty() && items.back().kind == Item::leaf && boost::get<ast::Predicate>(&items.back().expr.get());
  }
  // An exception after a threshold an inclusion requires relaxes it
  // ("bilirubin ≤ 1.5 x ULN unless due to Gilbert's syndrome": met when
  // either holds); anywhere else it narrows what precedes it ("malignancy
  // except basal cell carcinoma": the malignancy and not the exception).
  bool relaxes(const std::vector<Item>& items) const {
    auto last = std::find_if(items.rbegin(), items.rend(), [](const Item& it) { return it.kind != Item::conn; });
    if (exclusion_ || last == items.rend() || last->kind != Item::leaf) return false;
    // "No current or prior malignancy, other than non-melanoma skin cancer":
    // after a comma the exception relaxes the negation read before it, `not
    // X or ...`. (Without the comma it falls inside the negation's scope:
    // `not (X and ...)`.)
    if (boost::get<x3::forward_ast<ast::Not>>(&last->expr.get())) return true;
    bool thresholds = true;
    walk(last->expr, false, [&](const Expr& x, bool) { thresholds = thresholds && boost::get<ast::Comparison>(&x.get()); });
    return thresholds;
  }
  // "Active hepatitis B or HIV infection, unless pregnant": a state of the
  // patient, alone in the exception, is read: in an exclusion `... and not
  // pregnancy`; after a threshold an inclusion requires, `... or pregnancy`.
  // The exception ends at its first comma ("unless pregnant, or celiac
  // disease ..."); returns where reading goes on, or -1.
  int read_state_exception(std::vector<Item>& items, int i, int stop) {
    for (int k = i + 1; k < stop; ++k)
      if (is(k, Tok::comma)) stop = k;
    int state = -1;
    for (int k = i + 1; k < stop; ++k) {
      if (is(k, Tok::filler) || is(k, Tok::person)) continue;
      const Concept* c = is(k, Tok::concept_ref) ? lex_.find(t_[k].value) : nullptr;
      if (!c || c->kind != ConceptKind::state || state >= 0) return -1;
      state = k;
    }
    if (state < 0) return -1;
    ast::Predicate p;
    p.concept_id = t_[state].value;
    p.span = span(state, state + 1);
    const bool alternative = relaxes(items);
    if (alternative) items.push_back(or_item(i, i));
    Item leaf;
    leaf.kind = Item::leaf;
    leaf.expr = alternative ? Expr(p) : ast::make_not(Expr(p));
    leaf.tb = i;
    leaf.te = stop;
    items.push_back(std::move(leaf));
    return stop;
  }
  // The words [b, e) as one residue that may decide the criterion: a bound,
  // a negation or an exception that was not read.
  static void push_unread(std::vector<Item>& items, int b, int e) {
    Item r;
    r.kind = Item::residue;
    r.tb = b;
    r.te = e;
    r.meaningful = true;
    items.push_back(std::move(r));
  }
  static void push_exception_residue(std::vector<Item>& items, int tb, int te, bool as_alternative) {
    if (as_alternative) items.push_back(or_item(tb, tb));
    push_unread(items, tb, te);
  }
  // A sentence with its conditional clauses: "if X, Y" / "if X must Y".
  std::optional<Expr> conditional_sentence(int b, int e);
  // A sentence whose clauses hold for age groups: "X for patients > 16 years".
  std::optional<Expr> population_sentence(int b, int e);
  // "female", "a male subject", "the patient is a woman": `sex = female` /
  // `sex = male` when [b, e) names one sex and nothing else but people
  // and filler words.
  std::optional<Expr> sex_condition(int b, int e) const;
  // "Female, 18-45 years", "Male subjects aged 18-55", "Men only": a
  // criterion whose subject is one sex gives `sex = X and <rule>`.
  std::optional<Expr> with_sex_subject(std::optional<Expr> rule) const;
  bool word_is(int i, std::string_view w) const { return i >= 0 && i < n_ && t_[i].text == w; }
  // A plain word of the class (the language table word_class).
  bool word_in(int i, Word w) const { return i >= 0 && i < n_ && has_class(classes_[i], w); }
  // Any word of a token of several ("older than", "aged between") of the class.
  bool any_word_in(int i, Word w) const { return i >= 0 && i < n_ && has_class(any_classes_[i], w); }
  // The first word of a token of several ("patients with") of the class.
  bool first_word_in(int i, Word w) const { return i >= 0 && i < n_ && has_class(first_classes_[i], w); }
  bool is_person(int i) const { return is(i, Tok::person) || cue(i, "female_noun") || cue(i, "male_noun"); }
  // A unit that is only a multiplier ("times", "x", "fold"), no limit named.
  bool bare_multiplier(const std::string& unit) const {
    if (unit.empty()) return false;
    const auto& tables = lex_.phrases();
    const auto table = tables.find("unit_multiplier");
    if (table == tables.end()) return false;
    std::string low = unit;
    for (auto& ch : low) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return table->second.count(low) > 0;
  }
  bool has_comparator(int b, int e) const {
    for (int k = b; k < e; ++k)
      if (is(k, Tok::comparator)) return true;
    return false;
  }

  const Lexicon& lex_;
  const CriteriaLexer& lexer_;
  const std::vector<Token>& t_;
  std::vector<ClassBits> classes_;        // by token: its Word classes
  std::vector<ClassBits> first_classes_;  // of its first word
  std::vector<ClassBits> any_classes_;    // of any of its words
  const WordClasses& words_;
  std::vector<ast::Unparsed> openers_;
  std::vector<int> reference_colons_;  // colons that end a reference set aside ("as defined by the following:")
  std::string_view text_;
  bool exclusion_;
  bool has_time_ = false;      // a time unit somewhere (durations)
  bool has_event_ = false;     // an event (counts of events)
  bool has_antibody_ = false;  // an antibody, a group of concepts or an antibody word (antibody readings)
  // What holds for a group or under a condition is read with it, `C and Y`
  // (an exclusion, or an item that is forbidden), not as `not C or Y`.
  bool conditions_joined_;
  Compiled& out_;
  int n_;
  bool has_pathology_ = false;
  int depth_ = 0;  // brackets being scanned
  static constexpr int kMaxBracketDepth = 16;
  int combine_depth_ = 0;  // negations being combined, each over the rest of its clause
  int group_depth_ = 0;    // nesting of age-group clauses (conditional_sentence)
  static constexpr int kMaxCombineDepth = 32;
  std::optional<ClauseInput> clause_input_;  // what the X3 clause rules read
};

// ------------------------------------------------------------------ windows

// "in the past 3 months", "within the last year", "in the 3 months prior to enrollment"
int Parser::read_window(int i, int end, ast::Window& w) const { return grammar::read_window(*clause_input_, i, end, w); }

// "at least two of", "more than 2 of", "two or more of", "2 of the
// following": opens a list of which n (≥ 2) must hold. The index after it,
// or -1. ("at least one of" is the cue any_of.) `dangling`: no list follows
// in this text (it is in the items after it).
int Parser::n_of_opener(int i, int end, int& n, bool& dangling) const {
  if (!is(i, Tok::comparator) && !number_at(i)) return -1;  // as n_of_parser: a count opens it
  return read_n_of(*clause_input_, i, end, n, dangling);
}

// ------------------------------------------------------------------ thresholds


// One or more thresholds on one measure (the clause grammar's threshold_list).
int Parser::read_thresholds(int i, int end, bool time_units, std::vector<Threshold>& out, bool between) const {
  return read_threshold_list(*clause_input_, i, end, time_units, between, out);
}

std::optional<Expr> Parser::thresholds_expr(const std::string& concept_id, std::vector<Threshold> ts,
                                            const std::string& default_unit) const {
  if (ts.empty()) return std::nullopt;
  // "Age =18 and =75 years": no value equals both, and exports often lose
  // the ≥ and ≤ of a range as "=": the two bounds of a range.
  if (ts.size() == 2 && ts[0].op == CmpOp::eq && ts[1].op == CmpOp::eq && !ts[1].or_before && ts[0].sex.empty() &&
      ts[1].sex.empty() && ts[0].value < ts[1].value && (ts[0].unit.empty() || ts[1].unit.empty() || ts[0].unit == ts[1].unit)) {
    ts[0].op = CmpOp::ge;
    ts[1].op = CmpOp::le;
    out_.notes.push_back("two values joined by 'and', each after '=': read as a range");
  }
  // No unit written: the canonical unit, unless the value is implausible
  // in it and plausible in one of the measure's other units ("ANC > 1500"
  // is per uL, "HbA1c > 75" mmol/mol); the lexicon's ranges decide.
  const Concept* measure = lex_.find(concept_id);
  // The unit of a value written without one: `default_unit`, unless the
  // value is implausible in it; nullopt when no unit of the measure makes
  // it plausible ("systolic blood pressure more than 2 standard deviations
  // below the mean": not a value of it, the bound is not read).
  auto multiple = [&](double value) {
    return measure && measure->uln_default && value > 0 && value <= 10 && value < *measure->uln_default / 4;
  };
  // "AST 2-50 U": not where another value written without a unit is not one.
  const bool multiples = std::all_of(ts.begin(), ts.end(), [&](auto& t) { return !t.unit.empty() || multiple(t.value); });
  auto unit_for = [&](double value) -> std::optional<std::string> {
    if (!measure || measure->unit != default_unit) return default_unit;
    // "ALT < 2.5", "AST > 3": far below the normal range of a measure read
    // in multiples of its upper limit of normal, the multiple is meant (no
    // one sets ALT < 2.5 U/L, which no one meets).
    if (multiples && multiple(value)) {
      out_.notes.push_back("no unit written: " + ast::format_number(value) + " read as a multiple of the upper limit of normal for " +
                           measure->label + ", far below its normal range in " + default_unit);
      return std::string("xULN");
    }
    if (!measure->plausible) return default_unit;
    auto plausible = [&](double v) { return v >= measure->plausible->first && v <= measure->plausible->second; };
    if (plausible(value)) return default_unit;
    for (const auto& u : measure->conversions)
      if (plausible(u.to_canonical(value))) {
        out_.notes.push_back("no unit written: " + ast::format_number(value) + " read in " + u.unit +
                             ", the unit in which it is plausible for " + measure->label);
        return u.unit;
      }
    return std::nullopt;
  };
  // (Kept apart from `ts`: ranges below compare the units as written.)
  std::vector<std::string> units;
  for (const auto& th : ts) {
    auto unit = th.unit.empty() ? unit_for(th.value) : th.unit;
    if (!unit) return std::nullopt;
    units.push_back(std::move(*unit));
  }
  auto leaf = [&](const Threshold& th) {
    ast::Comparison c;
    c.concept_id = concept_id;
    c.op = th.op;
    c.value = th.value;
    c.unit = units[static_cast<std::size_t>(&th - ts.data())];
    return Expr(c);
  };
  bool any_sex = std::any_of(ts.begin(), ts.end(), [](auto& t) { return !t.sex.empty(); });
  if (any_sex) {
    // "≥1.5 mg/dL or ≥1.4 mg/dL in women": a threshold with no sex of its own
    // stands as its own alternative.
    std::vector<Expr> alts;
    for (const auto& th : ts)
      if (th.sex.empty()) alts.push_back(leaf(th));
    const bool one_sex = alts.empty() && std::all_of(ts.begin(), ts.end(), [&](auto& t) { return t.sex == ts.front().sex; });
    if (one_sex && !exclusion_) {
      // "HDL < 35 mg/dL (men)" alone: the bound holds men to it; women are
      // not held to it here.
      std::vector<Expr> conj;
      for (const auto& th : ts) conj.push_back(leaf(th));
      ast::Comparison s;
      s.concept_id = "sex";
      s.op = CmpOp::eq;
      s.word = ts.front().sex;
      return ast::make_nary(Logic::or_, {ast::make_not(Expr(s)), ast::make_nary(Logic::and_, conj)});
    }
    for (const char* sex : {"male", "female"}) {
      std::vector<Expr> conj;
      for (const auto& th : ts)
        if (th.sex == sex) conj.push_back(leaf(th));
      if (conj.empty()) continue;
      ast::Comparison s;
      s.concept_id = "sex";
      s.op = CmpOp::eq;
      s.word = sex;
      conj.insert(conj.begin(), Expr(s));
      alts.push_back(ast::make_nary(Logic::and_, std::move(conj)));
    }
    return ast::make_nary(Logic::or_, std::move(alts));
  }
  // "less than 18 years and over 75 years": no value meets both bounds, so
  // the "and" lists two ranges; each is an alternative.
  auto disjoint = [](const Threshold& a, const Threshold& b) {
    auto below = [](CmpOp op) { return op == CmpOp::lt || op == CmpOp::le; };
    auto above = [](CmpOp op) { return op == CmpOp::gt || op == CmpOp::ge; };
    if (a.unit != b.unit) return false;
    return (below(a.op) && above(b.op) && b.value >= a.value) || (above(a.op) && below(b.op) && b.value <= a.value);
  };
  std::vector<Expr> alts;
  std::vector<Expr> conj;
  const Threshold* previous = nullptr;
  for (const auto& th : ts) {
    if ((th.or_before || (previous && disjoint(*previous, th))) && !conj.empty()) {
      alts.push_back(ast::make_nary(Logic::and_, std::move(conj)));
      conj.clear();
    }
    conj.push_back(leaf(th));
    previous = &th;
  }
  alts.push_back(ast::make_nary(Logic::and_, std::move(conj)));
  return ast::make_nary(Logic::or_, std::move(alts));
}

// ------------------------------------------------------------------ constructs

std::optional<std::pair<Expr, int>> Parser::age_construct(int i, int end) {
  // Every age reading has a number (or a number word) within a few tokens:
  // the parse is tried only there.
  bool number = false;
  for (int k = i; k < end && k < i + 16 && !number; ++k) number = is(k, Tok::number) || is(k, Tok::number_word);
  if (!number) return std::nullopt;
  std::vector<Threshold> ts;
  const int next = read_age(*clause_input_, i, end, ts);
  if (next < 0) return std::nullopt;
  // "Adults = 18 years of age": no criterion asks for one age; the "=" is
  // a lost ≥ or ≤ (export damage), not read. (Two of them, "Age =18 and
  // =75 years", are the ends of a range: thresholds_expr reads them so.)
  // One beside an upper bound above it is a range's lower end ("Age= 18
  // years and less than 70 years"), beside a lower bound below it its upper end.
  const auto equal = std::count_if(ts.begin(), ts.end(), [](const Threshold& t) { return t.op == CmpOp::eq; });
  if (equal == 1 && ts.size() == 2) {
    Threshold& eq = ts[0].op == CmpOp::eq ? ts[0] : ts[1];
    const Threshold& other = ts[0].op == CmpOp::eq ? ts[1] : ts[0];
    const bool upper = other.op == CmpOp::lt || other.op == CmpOp::le;
    const bool lower = other.op == CmpOp::gt || other.op == CmpOp::ge;
    if (upper && eq.value < other.value) eq.op = CmpOp::ge;
    if (lower && eq.value > other.value) eq.op = CmpOp::le;
  }
  const auto still_equal = std::count_if(ts.begin(), ts.end(), [](const Threshold& t) { return t.op == CmpOp::eq; });
  if (still_equal > 0 && !(still_equal == 2 && ts.size() == 2)) return std::nullopt;
  auto e = thresholds_expr("age", ts, "years");
  if (!e) return std::nullopt;
  return std::make_pair(*e, next);
}

// Whether a unit is a rate over time ("mg/day", "mL/min", "U/kg/day"):
// a dose is not a concentration.
bool per_time(std::string_view unit) {
  for (std::size_t at = unit.find('/'); at != std::string_view::npos; at = unit.find('/', at + 1)) {
    std::string_view part = unit.substr(at + 1, unit.find('/', at + 1) - at - 1);
    if (part == "d"sv || part == "day"sv || part == "h"sv || part == "hr"sv || part == "min"sv || part == "wk"sv || part == "week"sv)
      return true;
  }
  return false;
}

// Whether a value of `m` could meet the bound: in its plausible range, in
// its unit, one it converts from, or its unit before a per-area divisor
// (mL/min for mL/min/1.73m2); no unit: its own.
bool plausible_bound(const Concept& m, const Threshold& t) {
  if (!m.plausible) return true;
  double v = t.value;
  if (!t.unit.empty() && t.unit != m.unit && !m.unit.starts_with(t.unit + "/")) {
    auto u = std::find_if(m.conversions.begin(), m.conversions.end(), [&](const UnitConversion& c) { return c.unit == t.unit; });
    if (u == m.conversions.end()) return false;
    v = u->to_canonical(v);
  }
  return v >= m.plausible->first && v <= m.plausible->second;
}

// The measure bounds `ts` are on: `id`, or the lexicon's reading of it when
// no bound could be met by a value of it and every one by a value of the
// other ("performance status > 80%": Karnofsky).
std::string measure_for(const Lexicon& lex, const std::string& id, const std::vector<Threshold>& ts) {
  const Concept* m = lex.find(id);
  if (!m || m->implausible_means.empty() || ts.empty() ||
      std::any_of(ts.begin(), ts.end(), [&](const Threshold& t) { return plausible_bound(*m, t); }))
    return id;
  for (const auto& other : m->implausible_means)
    if (const Concept* o = lex.find(other);
        o && std::all_of(ts.begin(), ts.end(), [&](const Threshold& t) { return plausible_bound(*o, t); }))
      return other;
  return id;
}

// The bound in [b, e) on the measure the word at `word` is measured by
// (table measured_as: "anemia" -> hemoglobin; several, the first whose
// values could meet it: "renal insufficiency" -> creatinine, egfr), if
// [b, e) is only that bound.
// The measures the table measured_as gives the condition a token names
// ("anemia": "hemoglobin"), or null.
const std::string* Parser::measured_as(int word) const {
  const auto& tables = lex_.phrases();
  const auto table = tables.find("measured_as");
  if (table == tables.end()) return nullptr;
  std::string name(t_[word].text);
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto entry = table->second.find(name);
  return entry == table->second.end() ? nullptr : &entry->second;
}

// The ids of a measured_as entry ("creatinine, egfr").
std::vector<std::string> measure_ids(const std::string& list) {
  std::vector<std::string> ids;
  for (std::size_t from = 0; from < list.size();) {
    std::size_t comma = list.find(',', from);
    if (comma == std::string::npos) comma = list.size();
    std::string id = list.substr(from, comma - from);
    id.erase(0, id.find_first_not_of(' '));
    ids.push_back(std::move(id));
    from = comma + 1;
  }
  return ids;
}

// Whether one entry of the table measured_as names both measures
// ("renal insufficiency": creatinine, egfr).
bool Parser::measured_together(const std::string& a, const std::string& b) const {
  const auto& tables = lex_.phrases();
  const auto table = tables.find("measured_as");
  if (table == tables.end()) return false;
  for (const auto& [word, list] : table->second) {
    if (list.rfind("pair:", 0) == 0) continue;
    const auto ids = measure_ids(list);
    if (std::find(ids.begin(), ids.end(), a) != ids.end() && std::find(ids.begin(), ids.end(), b) != ids.end())
      return true;
  }
  return false;
}

std::optional<Expr> Parser::measured_bracket(int word, int b, int e, int* read_to) const {
  if (word < 0 || b >= e || !(is(b, Tok::comparator) || is(b, Tok::number))) return std::nullopt;
  const std::string* entry = measured_as(word);
  if (!entry) return std::nullopt;
  // "hypertension (> 150/90 mm Hg)": two measures written as one value
  // ("pair:systolic_bp,diastolic_bp"): above, either value above it; below,
  // both below.
  if (entry->rfind("pair:", 0) == 0) {
    const std::string ids = entry->substr(5);
    const auto comma = ids.find(',');
    const Concept* first = lex_.find(ids.substr(0, comma));
    const Concept* second = comma == std::string::npos ? nullptr : lex_.find(ids.substr(comma + 1));
    int k = b + 4;
    if (!first || !second || !is(b, Tok::comparator) || !is(b + 1, Tok::number) || t_[b + 2].text != "/"sv ||
        !is(b + 3, Tok::number))
      return std::nullopt;
    std::string unit = first->unit;
    if (k < e && is(k, Tok::unit)) {
      if (t_[k].value != first->unit) return std::nullopt;
      ++k;
    }
    // Words after the values ("despite optimal medical therapy") stay, if the caller keeps them.
    if (k != e && !read_to) return std::nullopt;
    if (read_to) *read_to = k;
    const CmpOp op = op_from(t_[b].value);
    if (op == CmpOp::eq || op == CmpOp::ne) return std::nullopt;
    auto leaf = [&](const Concept& c, double v) {
      ast::Comparison x;
      x.concept_id = c.id;
      x.op = op;
      x.value = v;
      x.unit = unit;
      return Expr(x);
    };
    const bool above = op == CmpOp::gt || op == CmpOp::ge;
    // "(>85/135 mmHg)": written the other way round, the larger is the first measure's.
    const double v1 = std::max(t_[b + 1].number, t_[b + 3].number), v2 = std::min(t_[b + 1].number, t_[b + 3].number);
    return ast::make_nary(above ? Logic::or_ : Logic::and_, {leaf(*first, v1), leaf(*second, v2)});
  }
  std::vector<Threshold> ts;
  if (read_threshold_list(*clause_input_, b, e, false, false, ts) != e || ts.empty()) return std::nullopt;
  for (const auto& id : measure_ids(*entry)) {
    const Concept* m = lex_.find(id);
    if (m && std::all_of(ts.begin(), ts.end(), [&](const Threshold& t) { return plausible_bound(*m, t); }))
      return thresholds_expr(id, ts, m->unit);
  }
  return std::nullopt;
}

// How one bound shared by several measures joins them. "and" in an
// exclusion: any of them excludes; in an inclusion: all must hold. "or"
// (`any_written`) is any, except under an upper bound in an inclusion:
// "AST/ALT ≤ 2.5 x ULN" asks that neither be above it.
Logic Parser::shared_bound_logic(bool any_written, const std::vector<Threshold>& ts) const {
  if (exclusion_) return Logic::any;
  const bool upper = !ts.empty() && std::all_of(ts.begin(), ts.end(), [](const Threshold& t) {
    return t.op == CmpOp::le || t.op == CmpOp::lt;
  });
  return any_written && !upper ? Logic::any : Logic::all;
}

std::optional<std::pair<Expr, int>> Parser::measure_construct(int i, int end) {
  // As measure_head_parser: a concept opens it, or a word sharing the head of
  // a measure after "or" / "and" ("aspartate or alanine aminotransferase").
  if (!is(i, Tok::concept_ref) && !((is(i, Tok::word) || is(i, Tok::filler)) && (conn(i + 1, "or") || conn(i + 1, "and"))))
    return std::nullopt;
  MeasureHead head;
  if (!read_measure_head(*clause_input_, i, end, head)) return std::nullopt;
  auto op_for = [&](const std::vector<Threshold>& ts) { return shared_bound_logic(head.any, ts); };
  auto per_measure = [&](const std::vector<Threshold>& ts) {
    std::vector<Expr> per;
    std::vector<std::string> read;  // "Performance status - Karnofsky": one measure, once
    // "Performance status - Lansky 50-100%": a name read as another only
    // when no measure named takes the bound as it is.
    const bool some_as_named = std::any_of(head.concepts.begin(), head.concepts.end(),
                                           [&](const std::string& c) { return measure_for(lex_, c, ts) == c; });
    // "Prothrombin time (PT)/INR < 1.5": in a list, a measure no value of
    // which could meet the bound is not what the bound is on.
    auto fits = [&](const std::string& id) {
      const Concept* c = lex_.find(id);
      return !c || std::all_of(ts.begin(), ts.end(), [&](const Threshold& t) {
               return t.unit == "xULN"sv || t.unit == "xLLN"sv || plausible_bound(*c, t);
             });
    };
    // "calcium carbonate ≤ 1500 mg/day": a rate over time bounds no
    // measure whose unit is not one.
    auto rate_mismatch = [&](const std::string& id) {
      const Concept* c = lex_.find(id);
      return c && std::any_of(ts.begin(), ts.end(), [&](const Threshold& t) {
               return !t.unit.empty() && t.unit != "xULN"sv && t.unit != "xLLN"sv && per_time(t.unit) != per_time(c->unit);
             });
    };
    const bool some_fit = std::any_of(head.concepts.begin(), head.concepts.end(), fits);
    for (const auto& named : head.concepts) {
      if (rate_mismatch(named)) continue;
      if (head.concepts.size() > 1 && some_fit && !fits(named)) continue;
      const std::string c = measure_for(lex_, named, ts);
      if (c != named && some_as_named && head.concepts.size() > 1) continue;
      if (std::find(read.begin(), read.end(), c) != read.end()) continue;
      read.push_back(c);
      if (c != named) out_.notes.push_back("no " + named + " value meets the bound: read as " + c);
      const Concept* info = lex_.find(c);
      if (auto e = thresholds_expr(c, ts, info ? info->unit : "")) per.push_back(*e);
    }
    return per;
  };
  if (head.end >= 0) {  // thresholds in brackets after the name
    auto per = per_measure(head.bracket);
    if (per.empty()) return std::nullopt;
    if (head.bracket_read_to < head.bracket_close) ignore(head.bracket_read_to, head.bracket_close, "rest of the bracket");
    Expr e = per.size() == 1 ? per.front() : Expr(ast::NAry{op_for(head.bracket), per});
    return std::make_pair(e, head.end);
  }
  std::vector<Threshold> ts;
  int k = read_thresholds(head.thresholds_at, end, false, ts, head.between);
  // No bound right after the name: one grade alone, or (in an inclusion
  // only: in an exclusion what "must be" is what does not exclude) a bound
  // after "must be" further on, the words between kept as residue.
  std::optional<ast::Unparsed> between_words;
  if (k < 0) k = grade_alone(head, end, ts);
  if (k < 0 && !exclusion_) k = bound_after_modal(head, end, ts, between_words);
  if (k < 0) return std::nullopt;
  // "weighs more than 100 lbs over ideal body weight", "120% of ideal body
  // weight": a bound relative to the measure itself or to another quantity,
  // not on its value.
  if (is(k, Tok::comparator) || (is(k, Tok::filler) && t_[k].text == "of"sv)) {
    int m = k + 1;
    while (m < end && m - k <= 3 && is(m, Tok::word)) ++m;
    if (is(m, Tok::concept_ref) && std::find(head.concepts.begin(), head.concepts.end(), t_[m].value) != head.concepts.end())
      return std::nullopt;
    if (cue(m, "other_quantity")) return std::nullopt;  // "over ideal body weight"
  }
  // "bilirubin > 10% above the upper limit", "(with > 35% direct
  // bilirubin)": a percentage of a measure no value is given in is not its
  // value.
  auto takes_percent = [&](const std::string& named) {
    const Concept* c = lex_.find(measure_for(lex_, named, ts));  // "performance status >= 60%": Karnofsky
    return !c || c->unit == "%"sv ||
           std::any_of(c->conversions.begin(), c->conversions.end(), [](const UnitConversion& u) { return u.unit == "%"sv; });
  };
  if (!ts.empty() && std::all_of(ts.begin(), ts.end(), [](const Threshold& t) { return t.unit == "%"sv; }) &&
      std::none_of(head.concepts.begin(), head.concepts.end(), takes_percent))
    return std::nullopt;
  // "glucose monitoring at least 4 times per day": a multiplier with no
  // limit after it is a count, not the measure's value.
  if (std::any_of(ts.begin(), ts.end(), [&](const Threshold& t) { return bare_multiplier(t.unit); })) return std::nullopt;
  auto per = per_measure(ts);
  if (per.empty()) return std::nullopt;
  if (between_words) {
    Expr bound = per.size() == 1 ? per.front() : Expr(ast::NAry{op_for(ts), per});
    return std::make_pair(ast::make_nary(Logic::and_, {bound, Expr(*between_words)}), k);
  }
  for (int u : head.unknown) {  // "... or GGT ≥ 3 x ULN": that member's bound, unread
    ast::Unparsed words;
    words.text = span_text(u, k);
    words.span = span(u, k);
    per.push_back(Expr(words));
  }
  if (per.size() == 1) return std::make_pair(per.front(), k);
  return std::make_pair(Expr(ast::NAry{op_for(ts), per}), k);
}

// "An ECOG performance status of 2": one grade of a scale of grades (unit
// {score}, 0 to 5), alone at the clause's end, is that grade. Returns where
// it ends, or -1.
int Parser::grade_alone(const MeasureHead& head, int end, std::vector<Threshold>& ts) const {
  if (head.concepts.size() != 1) return -1;
  const Concept* c = lex_.find(head.concepts.front());
  int v = head.thresholds_at;
  while (v < end && is(v, Tok::filler)) ++v;
  // (Not the first of a list the reading lost: "0, 1, 0r 2".)
  const bool ends = v + 1 >= end || (is(v + 1, Tok::comma) && !number_at(v + 2)) || is(v + 1, Tok::period) ||
                    is(v + 1, Tok::semicolon) || is(v + 1, Tok::close) || is(v + 1, Tok::open);
  if (!c || c->unit != "{score}"sv || !is(v, Tok::number) || t_[v].number != std::floor(t_[v].number) ||
      t_[v].number < 0 || t_[v].number > 5 || !ends)
    return -1;
  ts = {Threshold{CmpOp::eq, t_[v].number, "", "", false}};
  return v + 1;
}

// "GFR calculated (kidney function test) within 30 days must be ≥ 59
// mL/min", "the HbA1c limits will be ≥ 6.5%": the bound after a modal and
// "be" further on in the clause; the words between, if any mean something,
// in `between`. Returns where the bound ends, or -1.
int Parser::bound_after_modal(const MeasureHead& head, int end, std::vector<Threshold>& ts,
                              std::optional<ast::Unparsed>& between) const {
  auto modal_be = [&](int m) {
    return m + 2 < end && word_in(m, Word::modal) && word_in(m + 1, Word::copula) && is(m + 2, Tok::comparator);
  };
  int m = head.thresholds_at;
  for (int d = 0; m + 2 < end && m < head.thresholds_at + 12; ++m) {
    if (is(m, Tok::open)) ++d;
    if (is(m, Tok::close) && d > 0) --d;
    if (d > 0) continue;  // not inside brackets
    if (modal_be(m)) break;
    if (is(m, Tok::comma) || is(m, Tok::semicolon) || is(m, Tok::period) || is(m, Tok::comparator) ||
        is(m, Tok::concept_ref) || is(m, Tok::manual))
      return -1;
  }
  if (!modal_be(m)) return -1;
  const int k = read_thresholds(m + 2, end, false, ts, false);
  if (k < 0) return -1;
  bool meaningful = false;
  for (int w = head.thresholds_at; w < m; ++w)
    meaningful = meaningful || is(w, Tok::word) || is(w, Tok::number) || is(w, Tok::cue);
  if (meaningful) {
    ast::Unparsed u;
    u.text = span_text(head.thresholds_at, m);
    u.span = span(head.thresholds_at, m);
    between = u;
  }
  return k;
}

// "> 2.0 U/kg total insulin dose per day": the threshold before the measure,
// with a unit written (a bare number before a word is too weak a sign).
// Whether a bound written with a unit could be on measure `id` (">35% direct
// bilirubin" is a share, not a level): as the measure's own reading checks.
bool Parser::unit_fits(const std::string& id, const Threshold& t) const {
  const Concept* c = lex_.find(id);
  return !c || t.unit.empty() || t.unit == "xULN"sv || t.unit == "xLLN"sv || plausible_bound(*c, t);
}

std::optional<std::pair<Expr, int>> Parser::reverse_measure(int i, int end) {
  if (!is(i, Tok::comparator)) return std::nullopt;
  Threshold bound;
  std::string measure;
  const int next = read_bound_before(*clause_input_, i, end, bound, measure);
  if (next < 0 || measure.empty()) return std::nullopt;
  // "... at least 500/mm3 Platelet count at least 75,000/mm3": a measure
  // with its own bound after it does not take the one before.
  {
    int k = next;
    while (k < end && is(k, Tok::filler)) ++k;
    if (is(k, Tok::comparator)) return std::nullopt;
  }
  if (!unit_fits(measure, bound)) return std::nullopt;
  auto e = thresholds_expr(measure, {bound}, "");
  if (!e) return std::nullopt;
  return std::make_pair(*e, next);
}

// Whether the threshold opening tokens [b, e) ("≤ 3 × ULN if ...") bounds the
// same way as the comparison just read (`prev`), in its unit, and admits more.
// The comparison a looser bound would relax: `prev`'s, or its list's last.
const ast::Comparison* relaxed_comparison(const Item* prev) {
  if (!prev || prev->kind != Item::leaf) return nullptr;
  const ast::Comparison* c = boost::get<ast::Comparison>(&prev->expr.get());
  if (auto* n = boost::get<x3::forward_ast<ast::NAry>>(&prev->expr.get()); n && !n->get().operands.empty())
    c = boost::get<ast::Comparison>(&n->get().operands.back().get());
  return c && c->word.empty() ? c : nullptr;
}

// "(5 times ULN if liver metastases are present)": a value in the unit of the
// comparison just read, with no comparator: it bounds as that one does.
bool Parser::bare_bound_for_some(const Item* prev, int b, int e, Threshold& th) const {
  const ast::Comparison* c = relaxed_comparison(prev);
  if (!c || !is(b, Tok::number) || b + 2 >= e) return false;
  // "(or 20 if due to bone marrow infiltration)": no unit, then for whom.
  const bool unit_kept = is(b + 1, Tok::unit) ? t_[b + 1].value == c->unit
                                              : (word_in(b + 1, Word::condition) || for_some_at(*clause_input_, b + 1, e));
  if (!unit_kept) return false;
  const double v = t_[b].number;
  // Looser or stricter ("PSA > 3.0 (or 1.5 if on 5-alpha reductase
  // inhibitors)"): relax() decides how it joins.
  if (v == c->value) return false;
  th = Threshold{c->op, v, c->unit, "", false};
  return true;
}

bool Parser::other_bound_for_some(const Item* prev, int b, int e) const {
  if (Threshold bare; bare_bound_for_some(prev, b, e, bare)) return true;
  if (!prev || prev->kind != Item::leaf || !is(b, Tok::comparator) || !number_at(b + 1) || b + 1 >= e) return false;
  const ast::Comparison* c = relaxed_comparison(prev);
  if (!c) return false;
  const std::string unit = is(b + 2, Tok::unit) && b + 2 < e ? t_[b + 2].value : c->unit;
  if (unit != c->unit) return false;
  const CmpOp op = op_from(t_[b].value);
  const double v = t_[b + 1].number;
  const bool upper = op == CmpOp::le || op == CmpOp::lt, prev_upper = c->op == CmpOp::le || c->op == CmpOp::lt;
  const bool lower = op == CmpOp::ge || op == CmpOp::gt, prev_lower = c->op == CmpOp::ge || c->op == CmpOp::gt;
  // On the same side, looser or stricter: relax() decides how it joins.
  return ((upper && prev_upper) || (lower && prev_lower)) && v != c->value;
}

// "ALT ≤ 1.5 × ULN (≤ 3 × ULN if liver metastasis)": `prev` relaxed by the
// looser bound in [b, e) for the same measures, the words that say for whom
// as residue: alt <= 1.5 xULN or (alt <= 3 xULN and unparsed("if liver
// metastasis")); in an exclusion ("> 1.5 x ULN (> 2 x ULN in patients with
// liver metastases)"): prev and (looser or not who). The bounds of `prev`
// on the other side stay.
// "≤ 1.5 x ULN (< 3 mg/dL for patients with Gilbert's syndrome)": a bound on
// the same side in another unit, for some patients only (bound_for_some
// checks the words that say so).
bool Parser::other_unit_for_some(const Item* prev, int b, int e) const {
  const ast::Comparison* c = relaxed_comparison(prev);
  if (!c || !is(b, Tok::comparator) || !number_at(b + 1) || b + 2 >= e || !is(b + 2, Tok::unit)) return false;
  if (t_[b + 2].value == c->unit || c->unit.empty()) return false;
  const CmpOp op = op_from(t_[b].value);
  const bool upper = op == CmpOp::le || op == CmpOp::lt, prev_upper = c->op == CmpOp::le || c->op == CmpOp::lt;
  const bool lower = op == CmpOp::ge || op == CmpOp::gt, prev_lower = c->op == CmpOp::ge || c->op == CmpOp::gt;
  return (upper && prev_upper) || (lower && prev_lower);
}

std::optional<Expr> Parser::bound_for_some(const Item* prev, int b, int e) const {
  // "INR ≤ 1.5 (INR < 3.0 for patients on anticoagulation therapy)": the measure restated.
  if (const auto* c = relaxed_comparison(prev); c && b + 1 < e && concept_at(b) && concept_at(b)->id == c->concept_id &&
                                                  is(b + 1, Tok::comparator))
    ++b;
  const bool other_unit = !other_bound_for_some(prev, b, e) && other_unit_for_some(prev, b, e);
  if (!other_unit && !other_bound_for_some(prev, b, e)) return std::nullopt;
  std::vector<Threshold> ths;
  int m = -1;
  if (Threshold bare; bare_bound_for_some(prev, b, e, bare)) {
    ths = {bare};
    m = is(b + 1, Tok::unit) ? b + 2 : b + 1;
  } else {
    m = read_threshold(*clause_input_, b, e, false, false, ths);
  }
  if (m < 0 || ths.size() != 1) return std::nullopt;
  // "(≤ 5 x if due to hepatic metastases)" after "≤ 2.5 x ULN": the
  // multiplier alone is of the same limit.
  if (const auto* c = relaxed_comparison(prev);
      m < e && is(m, Tok::word) && bare_multiplier(t_[m].text) && ths.front().unit.empty() && c && c->unit.rfind("xU", 0) == 0)
    ++m;
  // The threshold reader passes over fillers, "in case of" among them.
  while (m > b && is(m - 1, Tok::filler) && word_in(m - 1, Word::condition)) --m;
  if (is(m, Tok::comma)) ++m;
  if (m >= e || !(word_in(m, Word::condition) || for_some_at(*clause_input_, m, e))) return std::nullopt;
  return relax(prev, ths.front(), m, e, other_unit);
}

// "ALT ≤ 2.5 x ULN (in case of liver metastases ≤ 5 x ULN)": for whom
// first, then the looser bound, to the end of [b, e) but for filler.
std::optional<Expr> Parser::bound_for_some_first(const Item* prev, int b, int e) const {
  if (b >= e || !(word_in(b, Word::condition) || for_some_at(*clause_input_, b, e))) return std::nullopt;
  int k = b + 1;
  while (k < e && !is(k, Tok::comparator) && !is(k, Tok::open) && !is(k, Tok::semicolon)) ++k;
  if (k >= e || !is(k, Tok::comparator)) return std::nullopt;
  // ("for patients with Gilbert's disease ≤ 3.0 mg/dL" after "≤ 1.5 x ULN": another unit.)
  const bool other_unit = !other_bound_for_some(prev, k, e) && other_unit_for_some(prev, k, e);
  if (!other_unit && !other_bound_for_some(prev, k, e)) return std::nullopt;
  std::vector<Threshold> ths;
  int m = read_threshold(*clause_input_, k, e, false, false, ths);
  if (m < 0 || ths.size() != 1) return std::nullopt;
  while (m < e && is(m, Tok::filler)) ++m;
  if (m != e) return std::nullopt;
  int who_e = k;
  while (who_e > b + 1 && (is(who_e - 1, Tok::comma) || is(who_e - 1, Tok::colon))) --who_e;
  return relax(prev, ths.front(), b, who_e, other_unit);
}

// Past words that permit a looser bound ("which is allowed", "permitted").
int Parser::past_permission(int b, int e) const {
  int k = b;
  while (k < e && (is(k, Tok::filler) || word_in(k, Word::relative) || word_in(k, Word::permission))) ++k;
  // Only before the bound itself: "(may be eligible if ...)" is a verdict, read as one.
  return k > b && k < e && word_in(k - 1, Word::permission) && (is(k, Tok::comparator) || is(k, Tok::number)) ? k : b;
}

// The items read so far as one leaf ending at `te` (an exception after them
// is to all of them); none when nothing in them reads.
void Parser::read_whole(std::vector<Item>& items, int te) {
  const int from = items.front().tb;
  auto all = combine(std::move(items));
  items.clear();
  if (!all) return;
  Item whole;
  whole.kind = Item::leaf;
  whole.expr = std::move(*all);
  whole.tb = from;
  whole.te = te;
  items.push_back(std::move(whole));
}

// "Total bilirubin ≤ 1.5 mg/dL, except in patients with Gilbert's syndrome
// who must have a total bilirubin < 3.0 mg/dL": an exception at [i, stop)
// that bounds the measure just bounded again, for those its words name, is
// that bound for them (relax()).
bool Parser::exception_bound(std::vector<Item>& items, int i, int stop) const {
  auto last = std::find_if(items.rbegin(), items.rend(), [](const Item& it) { return it.kind != Item::conn; });
  if (last == items.rend()) return false;
  const ast::Comparison* c = relaxed_comparison(&*last);
  if (!c) return false;
  int k = i + 1;
  for (int d = 0; k < stop && !(d == 0 && is(k, Tok::comparator)); ++k) {
    if (is(k, Tok::open)) ++d;
    if (is(k, Tok::close) && d > 0) --d;
  }
  if (k >= stop) return false;
  // The measure named again just before its bound, or none ("the total bilirubin can be ≤ 3.0").
  int who_e = k;
  for (int j = k - 1; j > i && j >= k - 4; --j)
    if (is(j, Tok::concept_ref)) {
      if (t_[j].value != c->concept_id) return false;
      who_e = j;
      break;
    }
  if (who_e == k)
    for (int j = i + 1; j < k; ++j)
      if (measure_at(j)) return false;
  std::vector<Threshold> ths;
  int m = read_threshold(*clause_input_, k, stop, false, false, ths);
  if (m < 0 || ths.size() != 1) return false;
  // In another unit ("≤ 1.5 x ULN (except ... who can have total bilirubin
  // < 3.0 mg/dL)"), on the same side, taken as the looser (relax()).
  const bool other_unit = !ths[0].unit.empty() && ths[0].unit != c->unit;
  const auto upper = upper_bound;
  if (other_unit && (upper(ths[0].op) != upper(c->op) || ths[0].op == CmpOp::eq)) return false;
  while (m < stop && (is(m, Tok::filler) || is(m, Tok::close) || is(m, Tok::period))) ++m;
  if (m != stop || (!other_unit && ths[0].value == c->value)) return false;
  if (ths[0].unit.empty()) ths[0].unit = c->unit;
  int who_b = i + 1;
  while (who_b < who_e && is(who_b, Tok::filler)) ++who_b;
  // Not the words that lead to the bound ("who must have a").
  auto leads = [&](int j) {
    return is(j, Tok::filler) || is(j, Tok::comma) || is(j, Tok::number_word) || word_in(j, Word::relative_person) ||
           word_in(j, Word::modal) || word_in(j, Word::can) || word_in(j, Word::undergone) ||
           word_in(j, Word::article) || word_in(j, Word::copula);
  };
  while (who_e > who_b && leads(who_e - 1)) --who_e;
  if (who_e <= who_b) return false;
  Item& prev = *last;
  prev.expr = relax(&prev, ths[0], who_b, who_e, other_unit);
  prev.condition = false;
  prev.te = stop;
  while (!items.empty() && items.back().kind == Item::conn) items.pop_back();
  return true;
}

// `prev`, or its comparisons rebound to `th` for those the words [who_b,
// who_e) name.
Expr Parser::relax(const Item* prev, const Threshold& th, int who_b, int who_e, bool assume_looser) const {
  const auto upper = upper_bound;
  std::function<Expr(const Expr&)> rebound = [&](const Expr& x) -> Expr {
    if (const auto* c = boost::get<ast::Comparison>(&x.get())) {
      if (upper(c->op) != upper(th.op)) return x;
      ast::Comparison d = *c;
      d.op = th.op;
      d.value = th.value;
      // "<3 times [<5 times for patients with liver metastasis] UNL": the
      // multiplier alone is the bound's multiple of the same limit.
      if (!th.unit.empty() && !bare_multiplier(th.unit)) d.unit = th.unit;
      return Expr(d);
    }
    if (const auto* n = boost::get<x3::forward_ast<ast::NAry>>(&x.get())) {
      ast::NAry copy = n->get();
      for (auto& o : copy.operands) o = rebound(o);
      return Expr(x3::forward_ast<ast::NAry>(copy));
    }
    return x;
  };
  ast::Unparsed who;
  who.text = span_text(who_b, who_e);
  who.span = span(who_b, who_e);
  // Met by the first bound, or by the looser one for those it names; in an
  // exclusion's own sense (who is excluded): beyond the first bound, and
  // beyond the looser one too unless the words leave them out.
  // A bound that widens what the rule holds for ("≤ 5 x ULN" after "≤ 2.5 x
  // ULN"; "> 1.5" after "> 3" in an exclusion) is an alternative for those
  // the words name; one that narrows it ("> 2 x ULN" after "> 1.5 x ULN" in
  // an exclusion) holds unless the words leave them out.
  const ast::Comparison* c = relaxed_comparison(prev);
  // (In another unit the values do not compare: a bound for some patients
  // is taken as the looser, as such exceptions are: it admits more in an
  // inclusion, excludes fewer in an exclusion.)
  const bool widens = assume_looser ? !exclusion_ : c && (upper(th.op) ? th.value > c->value : th.value < c->value);
  if (!widens)
    return ast::make_nary(Logic::and_, {prev->expr, ast::make_nary(Logic::or_, {rebound(prev->expr), ast::make_not(Expr(who))})});
  return ast::make_nary(Logic::or_, {prev->expr, ast::make_nary(Logic::and_, {rebound(prev->expr), Expr(who)})});
}

// "a minimum body weight of 50 kg", "maximum BMI of 35": the comparator
// before the measure, its value after it.
std::optional<std::pair<Expr, int>> Parser::comparator_before_measure(int i, int end) {
  if (!is(i, Tok::comparator)) return std::nullopt;
  // A measure named within a few tokens, or neither form is here.
  bool named = false;
  for (int k = i + 1; k < end && k < i + 9 && !named; ++k) named = is(k, Tok::concept_ref);
  if (!named) return std::nullopt;
  // "greater than 2 times the upper limit of normal for ALT, AST or alkaline
  // phosphatase": the bound, then "for" and its measures.
  {
    std::vector<Threshold> ts;
    const int k = read_threshold(*clause_input_, i, end, false, false, ts);
    MeasureHead head;
    if (k > i && word_in(k, Word::place_preposition) && t_[k].text.size() == 3 &&
        read_measure_head(*clause_input_, k + 1, end, head) && head.end < 0 && !is(head.thresholds_at, Tok::comparator) &&
        !is(head.thresholds_at, Tok::number)) {
      std::vector<Expr> per;
      for (const auto& c : head.concepts) {
        const Concept* info = lex_.find(c);
        if (auto e = thresholds_expr(c, ts, info ? info->unit : "")) per.push_back(*e);
      }
      const Logic op = shared_bound_logic(head.any, ts);
      if (per.size() == 1) return std::make_pair(per.front(), head.thresholds_at);
      if (!per.empty()) return std::make_pair(Expr(ast::NAry{op, per}), head.thresholds_at);
    }
  }
  MeasureHead head;
  if (!read_measure_head(*clause_input_, i + 1, end, head) || head.end >= 0 || head.concepts.size() != 1) return std::nullopt;
  int k = head.thresholds_at;
  if (!is(k, Tok::number) || k >= end) return std::nullopt;
  Threshold th;
  th.op = op_from(t_[i].value);
  th.value = t_[k].number;
  ++k;
  if (k < end && is(k, Tok::unit)) th.unit = t_[k++].value;
  if (k < end && (is(k, Tok::comparator) || is(k, Tok::post_comparator) || is(k, Tok::number))) return std::nullopt;
  if (!unit_fits(head.concepts.front(), th)) return std::nullopt;
  std::vector<Threshold> ts{th};
  const Concept* info = lex_.find(head.concepts.front());
  auto e = thresholds_expr(head.concepts.front(), ts, info ? info->unit : "");
  if (!e) return std::nullopt;
  return std::make_pair(*e, k);
}

// "19 kg/m2 ≤ BMI ≤ 35 kg/m2", "7.0% < HbA1c": a bound written before the
// measure, its comparator read from the measure's side (≤ becomes ≥); what
// follows the measure is read as usual.
std::optional<std::pair<Expr, int>> Parser::bound_before_measure(int i, int end) {
  // "Granulocyte count at least 500/mm3 Platelet count at least 75,000/mm3":
  // a value after its comparator belongs to what precedes it.
  if (!is(i, Tok::number) || is(i - 1, Tok::comparator)) return std::nullopt;
  Threshold th;
  std::string measure_after;  // set only for a bound whose measure follows ("> 2 U/kg insulin dose")
  const int m = read_bound_before(*clause_input_, i, end, th, measure_after);
  if (m < 0 || !measure_after.empty()) return std::nullopt;
  auto rest = measure_construct(m, end);
  // "18 ≤ BMI ≤ 32 kg/m2": a bound with no unit takes the unit of the one after.
  std::string unit_after;
  if (rest) walk(rest->first, false, [&](const Expr& x, bool) {
      if (auto* cmp = boost::get<ast::Comparison>(&x.get()); cmp && unit_after.empty()) unit_after = cmp->unit;
    });
  auto first = thresholds_expr(t_[m].value, {th}, unit_after);
  if (!first) return std::nullopt;
  if (rest) return std::make_pair(ast::make_nary(Logic::and_, {*first, rest->first}), rest->second);
  return std::make_pair(*first, m + 1);
}

std::optional<std::pair<Expr, int>> Parser::antibody_construct(int i, int end) {
  if (!has_antibody_) return std::nullopt;  // every reading names an antibody or its group
  Expr e;
  const int next = read_antibodies(*clause_input_, i, end, e);
  if (next < 0) return std::nullopt;
  return std::make_pair(e, next);
}

// "blood pressure ≥ 140/90 mmHg", "BP > 160/100": two measures written as
// one value, named by the cue (the language table's "pair:systolic_bp,
// diastolic_bp"). A pair is above its threshold when either value is
// (`>`, `>=`: systolic or diastolic), below it when both are (`<`, `<=`),
// as blood pressure categories are read (docs/grammar.md).
std::optional<std::pair<Expr, int>> Parser::pair_construct(int i, int end) {
  // Two values written as one ("140/90") follow within a few tokens, or no
  // pair is read here (most measures: the head is not parsed twice).
  bool slash = false;
  for (int k = i + 1; k + 1 < end && k < i + 14 && !slash; ++k)
    slash = t_[k].text == "/"sv && is(k - 1, Tok::number) && is(k + 1, Tok::number);
  if (!slash) return std::nullopt;
  Expr e;
  const int next = read_value_pair(*clause_input_, i, end, e);
  if (next < 0) return std::nullopt;
  return std::make_pair(e, next);
}

std::optional<std::pair<Expr, int>> Parser::count_construct(int i, int end) {
  if (!has_event_) return std::nullopt;  // a count is of an event the criterion names
  ast::Count c;
  const int next = read_event_count(*clause_input_, i, end, c);
  if (next < 0) return std::nullopt;
  return std::make_pair(Expr(c), next);
}


std::optional<std::pair<Expr, int>> Parser::duration_construct(int i, int end) {
  if (!has_time_) return std::nullopt;  // every duration names its time unit
  ast::Duration d;
  const int next = read_duration(*clause_input_, i, end, d);
  if (next < 0) return std::nullopt;
  return std::make_pair(Expr(d), next);
}

// "At least 4 weeks since prior systemic corticosteroids", "More than 3
// weeks since prior investigational agents", "less than 6 months since last
// surgery or radiotherapy": none of them (or some) in that window, `not X
// within 4 weeks`. Read as a requirement of X, it failed everyone who never
// had it.
std::optional<std::pair<Expr, int>> Parser::time_since_construct(int i, int end) {
  if (!has_time_) return std::nullopt;
  // "28 days from any investigational agent" (a list item under "At least
  // ... since:"): no comparator is at least.
  const bool compared = is(i, Tok::comparator);
  const int n = compared ? i + 1 : i;
  if (!number_at(n) || !is(n + 1, Tok::time_unit) || (!compared && i > 0 && !is(i - 1, Tok::comma) && !is(i - 1, Tok::colon)))
    return std::nullopt;
  // ("must have elapsed since", "from any")
  int s = n + 2;
  while (s < end && s < n + 6 && (is(s, Tok::filler) || word_in(s, Word::lapse))) ++s;
  if (!cue(s, "since") && !(cue(s, "from") && (cue(s + 1, "history_adj") || is(s + 1, Tok::filler)))) return std::nullopt;
  const CmpOp op = compared ? op_from(t_[i].value) : CmpOp::ge;
  if (op == CmpOp::eq) return std::nullopt;
  // In an exclusion list, "More than 30 days since prior investigational
  // agents" is what the list requires, written as an inclusion (a
  // prohibition opening it is read so too): what excludes is some X in
  // that window. Read literally it excluded everyone without recent X.
  const bool none = (op == CmpOp::ge || op == CmpOp::gt) && !exclusion_;
  if (exclusion_ && (op == CmpOp::ge || op == CmpOp::gt))
    out_.notes.push_back("a time since, in the exclusion list: what excludes is the thing within that time");
  ast::Window w;
  w.amount = static_cast<int>(t_[n].number);
  if (w.amount != t_[n].number || w.amount <= 0) return std::nullopt;
  w.unit = t_[n + 1].value;
  int k = s + 1;
  // ("since prior participation in any investigational drug study")
  while (k < end && (cue(k, "history_adj") || is(k, Tok::filler) || (cue(k, "window_weak") && is(k + 1, Tok::filler)))) ++k;
  // The things named: concepts joined by "or", "and" or commas.
  std::vector<Expr> named;
  int stop = k;
  // (Words not read among them stay in the list: "since prior
  // investigational agents or systemic anticancer agents".)
  while (k < end) {
    if (const Concept* c = concept_at(k); c && c->kind != ConceptKind::measure && c->id != "age"sv) {
      ast::Predicate p;
      p.concept_id = c->id;
      p.function = c->kind == ConceptKind::medication || c->kind == ConceptKind::state ? "" : "history";
      p.window = w;
      p.span = span(k, k + 1);
      named.push_back(Expr(p));
      stop = ++k;
    } else if (!named.empty()) {
      int m = k;
      while (m < end && (is(m, Tok::word) || is(m, Tok::filler) || is(m, Tok::pathology) || is(m, Tok::organ))) ++m;
      if (m == k) break;
      ast::Unparsed u;
      u.text = span_text(k, m);
      u.span = span(k, m);
      named.push_back(Expr(u));
      stop = k = m;
    } else {
      break;
    }
    // ("... and recovered": after "and" only a concept continues the list.)
    if (k + 1 < end && (conn(k, "or") || is(k, Tok::comma) || (conn(k, "and") && concept_at(k + 1)))) ++k;
    else break;
  }
  if (named.empty()) return std::nullopt;
  Expr any = ast::make_nary(Logic::or_, std::move(named));
  return std::make_pair(none ? ast::make_not(std::move(any)) : std::move(any), stop);
}

std::optional<std::pair<Expr, int>> Parser::interpretation(int i, int end) {
  if (!is(i, Tok::cue) || !t_[i].value.starts_with("interpret:")) return std::nullopt;  // as interpretation_parser
  Expr e;
  std::string note;
  const int next = read_interpretation(*clause_input_, i, end, e, note);
  if (next < 0) return std::nullopt;
  if (std::find(out_.notes.begin(), out_.notes.end(), note) == out_.notes.end()) out_.notes.push_back(note);
  return std::make_pair(e, next);
}

std::optional<std::pair<Expr, int>> Parser::concept_mention(int i, int end, bool& condition) {
  Expr e;
  std::vector<SetAside> ignored;
  const int next = read_concept_mention(*clause_input_, i, end, has_pathology_, e, ignored);
  if (const Concept* c = next < 0 ? concept_at(i) : nullptr;
      c && (c->kind == ConceptKind::condition || c->kind == ConceptKind::state || c->kind == ConceptKind::event) &&
      of_someone_else(*clause_input_, i)) {
    ast::Unparsed u;  // another person's: kept as words not read
    u.text = span_text(i, i + 1);
    u.span = span(i, i + 1);
    return std::make_pair(Expr(u), i + 1);
  }
  if (next < 0) return std::nullopt;
  for (const auto& a : ignored) ignore(a.from, a.to, a.why);
  condition = true;
  return std::make_pair(e, next);
}

// "a negative pregnancy test", "positive pregnancy test": a test of a state
// (language table tested_state) with its result is a statement about the
// patient (product.md); a negative result required is also the test's own
// manual check. Returns the rule and the tokens read, or nullopt when no
// result is stated (the test alone stays a manual check).
std::optional<std::pair<Expr, std::pair<int, int>>> Parser::test_result(int i, int end) const {
  Expr e;
  int from = i, to = i;
  if (!read_test_result(*clause_input_, i, end, exclusion_, e, from, to)) return std::nullopt;
  return std::make_pair(e, std::make_pair(from, to));
}

// An exception after a concept: when it names concepts the concept
// includes, they become the predicate's `except` and the exception is read
// (true); otherwise the caller sets it aside.
bool Parser::read_exception(std::vector<Item>& items, int i, int stop) {
  // "Diabetes other than type 1 diabetes", "antidiabetic drugs other
  // than insulin": the exception names concepts the one before it
  // includes, so their records do not count (`diabetes
  // except(type1_diabetes)`). Set aside, the exception made the rule
  // exclude every patient with type 1 diabetes. An exception that names
  // less than such a concept ("lung cancer", "linagliptin"), or something
  // the lexicon cannot place, is not read: the caller keeps it as residue.
  ast::Predicate* before = items.empty() || items.back().kind != Item::leaf
                               ? nullptr
                               : boost::get<ast::Predicate>(&items.back().expr.get());
  if (before && (before->function.empty() || before->function == "history"sv)) {
    std::vector<std::string> except;
    bool partly = false;  // a related concept named only in part
    for (int k = i + 1; k < stop; ++k) {
      // Examples after it ("other than COPD (e.g., asthma ...)", "such
      // as ...") are not exceptions.
      if (is(k, Tok::open) || cue(k, "including")) break;
      if (!is(k, Tok::concept_ref) || t_[k].value == before->concept_id) continue;
      if (!lex_.within(t_[k].value, before->concept_id)) continue;
      // A qualifier before it ("lung cancer", "bolus insulin") or after it
      // ("cancer cured by surgery", "cancer in situ", "metformin
      // monotherapy") narrows it; so does a name of a part of it
      // ("linagliptin" of DPP-4 inhibitors).
      bool narrowed = k - 1 != i && !is(k - 1, Tok::connective) && !is(k - 1, Tok::comma) && !is(k - 1, Tok::filler) &&
                      !is(k - 1, Tok::cue);
      int after = k + 1;
      while (after < stop && is(after, Tok::filler)) ++after;
      if (after + 1 < stop && is(after, Tok::cue) && is(after + 1, Tok::word)) ++after;  // "in situ"
      narrowed = narrowed || (after < stop && (is(after, Tok::word) || is(after, Tok::organ) || is(after, Tok::number)));
      if (const Concept* y = lex_.find(t_[k].value); y && !narrowed) {
        std::vector<int> offsets;
        narrowed = std::any_of(y->narrower.begin(), y->narrower.end(),
                               [&](const std::string& name) { return normalise_criterion(name, offsets) == t_[k].text; });
      }
      if (narrowed) {
        partly = true;
        continue;
      }
      if (std::find(except.begin(), except.end(), t_[k].value) == except.end()) except.push_back(t_[k].value);
    }
    if (partly) return false;
    // "Diabetes other than Type 1": the words begin a name of exactly
    // one concept the one before includes ("type 1 diabetes").
    if (except.empty()) {
      int end_words = i + 1;
      while (end_words < stop && (is(end_words, Tok::word) || is(end_words, Tok::number) || is(end_words, Tok::filler)))
        ++end_words;
      std::string words;
      for (int k = i + 1; k < end_words; ++k) words += (words.empty() ? "" : " ") + t_[k].text;
      std::vector<std::string> named;
      std::vector<int> ignored_offsets;
      // Only words, to the exception's end.
      const bool only_words = !words.empty() && end_words == stop;
      for (const auto& y : lex_.concepts()) {
        if (!only_words) break;
        if (y.id == before->concept_id) continue;
        if (!lex_.within(y.id, before->concept_id)) continue;
        for (const auto& syn : y.synonyms) {
          std::string n = normalise_criterion(syn, ignored_offsets);
          if (n.size() > words.size() && n.compare(0, words.size(), words) == 0 && n[words.size()] == ' ') {
            named.push_back(y.id);
            break;
          }
        }
      }
      if (named.size() == 1) except = named;
    }
    // One named with a concept that includes it says nothing more
    // ("insulin including insulin pump").
    std::erase_if(except, [&](const std::string& y) {
      return std::any_of(except.begin(), except.end(), [&](const std::string& z) { return z != y && lex_.within(y, z); });
    });
    if (!except.empty()) {
      before->except = std::move(except);
      // "... other than insulin in the 3 months prior to visit 1": the
      // window after the exception dates the concept.
      for (int k = i + 1; k < stop && !before->window; ++k) {
        ast::Window w;
        if (read_window(k, stop, w) < 0) continue;
        const Concept* info = lex_.find(before->concept_id);
        if (info && info->kind == ConceptKind::state) break;
        before->window = w;
        if (info && info->kind == ConceptKind::condition) before->function = "history";
      }
      items.back().te = stop;
      return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------ scanning

// Items that compare a measure somewhere, also inside brackets.
bool measurable(const std::vector<Item>& items) {
  bool found = false;
  for (const auto& it : items) {
    if (it.kind == Item::leaf)
      walk(it.expr, false, [&](const Expr& x, bool) { found = found || boost::get<ast::Comparison>(&x.get()); });
    if (it.kind == Item::group) found = found || measurable(it.children);
  }
  return found;
}

std::vector<Item> Parser::scan(int b, int e) {
  std::vector<Item> items;
  items.reserve(static_cast<std::size_t>(std::max(e - b, 0)));  // about one item a token: few moves as it grows
  // Extends the residue before it, or starts one. `meaningful` residue may
  // decide the criterion; the rest (filler, a year) carries no meaning alone.
  // An item of one token.
  auto push_token = [&](Item::Kind kind, int i, bool meaningful) {
    Item it;
    it.kind = kind;
    it.tb = i;
    it.te = i + 1;
    it.meaningful = meaningful;
    items.push_back(std::move(it));
  };
  auto push_residue = [&](int i, bool may_matter = true) {
    bool meaningful = may_matter && (is(i, Tok::word) || is(i, Tok::number) || is(i, Tok::comparator) ||
                                     is(i, Tok::unit) || is(i, Tok::post_comparator) || is(i, Tok::organ));
    if (!items.empty() && items.back().kind == Item::residue && items.back().te == i) {
      items.back().te = i + 1;
      items.back().meaningful = items.back().meaningful || meaningful;
    } else {
      Item r;
      r.kind = Item::residue;
      r.tb = i;
      r.te = i + 1;
      r.meaningful = meaningful;
      items.push_back(std::move(r));
    }
  };
  auto push_leaf = [&](Expr ex, int tb, int te, bool condition = false) {
    Item it;
    it.kind = Item::leaf;
    annotate(ex, span(tb, te));
    it.expr = std::move(ex);
    it.tb = tb;
    it.te = te;
    it.condition = condition;
    items.push_back(std::move(it));
  };
  int i = b;
  while (i < e) {
    const Token& tk = t_[i];
    if (tk.kind == Tok::open && depth_ >= kMaxBracketDepth) {
      // Brackets nested deeper than any real criterion: read them as text.
      ++i;
      continue;
    }
    // "Hyperkalemia > 5.0 mmol/L": a condition whose measure the lexicon
    // names (table measured_as), its bound right after it, as in brackets.
    if (i + 1 < e && is(i + 1, Tok::comparator) && measured_as(i)) {
      std::vector<Threshold> ts;
      const int m = read_threshold_list(*clause_input_, i + 1, e, false, false, ts);
      int read_to = m;
      // Two values as one ("> 160/100 mmHg") read to the clause's end, a bound to its own.
      auto bound = measured_bracket(i, i + 1, e, &read_to);
      if (!bound && m > i + 1) bound = measured_bracket(i, i + 1, m, &read_to);
      if (bound) {
          ignore(i, i + 1, "defined by the bound that follows");
          push_leaf(*bound, i + 1, read_to);
          i = read_to;
          continue;
        }
    }
    if (tk.kind == Tok::open) {
      int close = close_of(i, e);
      // "QT interval corrected for heart rate by the Barrett Formula (QTc) >
      // 470 msec": a measure's name alone in brackets, its bound after them.
      int at = close + 1;  // "(QTc) prolongation >450 msec": a word or two may come first
      while (at < e && at - close <= 2 && (is(at, Tok::word) || is(at, Tok::filler) || is(at, Tok::pathology))) ++at;
      // Not when the words before define the abbreviation as something else
      // ("Epidermal Growth Factor Receptor (EGFR) > 60": the abbreviation
      // pass found them its long form and they disagree with eGFR's names),
      // nor for two letters ("Depth Probing (PS)").
      auto defined_otherwise = [&] {
        const std::string& abbr = t_[i + 1].text;
        if (abbr.size() < 3) return true;
        const std::size_t most = std::min(abbr.size() + 5, 2 * abbr.size());
        std::string words;
        for (int k = i - 1, n = 0; k >= 0 && n < static_cast<int>(most) && (is(k, Tok::word) || is(k, Tok::filler)); --k, ++n)
          words = t_[k].text + (words.empty() ? "" : " ") + words;
        return !words.empty() && long_form_start(abbr, words).has_value();
      };
      if (close == i + 2 && at < e && measure_at(i + 1) && is(at, Tok::comparator) && !defined_otherwise()) {
        std::vector<Threshold> ts;
        const int k = read_thresholds(at, e, false, ts);
        const Concept* m = lex_.find(t_[i + 1].value);
        if (k > at && m)
          if (auto x = thresholds_expr(m->id, ts, m->unit)) {
            push_leaf(*x, i, k);
            i = k;
            continue;
          }
      }
      // "any antidiabetic medication (other than insulin)": the exception
      // in brackets is read as one outside them.
      if (close < e && cue(i + 1, "exception") && after_concept(items)) {
        if (read_exception(items, i + 1, close)) items.back().te = close + 1;
        else push_exception_residue(items, i + 1, close, false);
        i = close + 1;
        continue;
      }
      // "bilirubin ≤ 1.5 x ULN (except subjects with Gilbert syndrome, who
      // can have total bilirubin < 3.0 mg/dL)": so is one that bounds the
      // measure just bounded again.
      if (close < e && cue(i + 1, "exception") && exception_bound(items, i + 1, close)) {
        items.back().te = close + 1;
        i = close + 1;
        continue;
      }
      // "(6 months for subjects 4 to 5 years of age)": what the bracket says
      // holds for an age group only; the age names whom, it requires nothing.
      // (A bound for the group is read with the one before it, when combined.)
      const int first = conn(i + 1, "or") ? i + 2 : past_permission(i + 1, close);
      const bool looser_bound = is(first, Tok::comparator) ||
                                (!items.empty() && items.back().kind == Item::leaf && bound_for_some(&items.back(), first, close));
      if (close < e && !looser_bound && age_group_in(i + 1, close)) {
        push_unread(items, i, close + 1);
        i = close + 1;
        continue;
      }
      int definition = -1;
      for (int k = i + 1; k < close && definition < 0; ++k)
        if (cue(k, "definition")) definition = k;
      Item g;
      g.kind = Item::group;
      g.tb = i;
      g.te = std::min(close + 1, e);
      if (definition >= 0) {
        // "renal failure (defined as a serum creatinine > 2.0 mg/dL)": a
        // measurable definition of what precedes it stands for it; any
        // other is commentary ("(severe hypoglycemia defined as ...)").
        bool opens = true;
        for (int k = i + 1; k < definition; ++k) opens = opens && (is(k, Tok::filler) || is(k, Tok::comma));
        std::vector<Item> inner;
        if (opens && (after_concept(items) || (!items.empty() && items.back().kind == Item::residue))) {
          ++depth_;
          inner = scan(definition + 1, close);
          --depth_;
        }
        // "stable COPD (i.e. no exacerbation ... in the past six weeks)": a
        // bound or a negation in it narrows what precedes; unread, it stays.
        const bool narrows = std::any_of(t_.begin() + definition + 1, t_.begin() + close, [](const Token& t) {
          return t.kind == Tok::comparator || (t.kind == Tok::cue && t.value.rfind("negation", 0) == 0);
        });
        if (!measurable(inner) && opens && narrows && after_concept(items)) {
          push_unread(items, i, std::min(close + 1, e));
          i = close + 1;
          continue;
        }
        if (!measurable(inner)) {
          ignore(i, std::min(close + 1, e), "definition");
          i = close + 1;
          continue;
        }
        g.value = "definition";
        g.children = std::move(inner);
        items.push_back(std::move(g));
        i = close + 1;
        continue;
      }
      ++depth_;
      g.children = scan(i + 1, close);
      --depth_;
      items.push_back(std::move(g));
      i = close + 1;
      continue;
    }
    if (tk.kind == Tok::close) {  // unbalanced
      ++i;
      continue;
    }
    // "either", "at least one of", "any of": the list that follows is of
    // alternatives, whatever its commas would otherwise mean.
    if (conn(i, "either")) {
      Item a;
      a.kind = Item::ignorable;
      a.value = "alternatives";
      a.tb = i;
      a.te = i + 1;
      items.push_back(std::move(a));
      ++i;
      continue;
    }
    // "ALT ≤ 2.5 X ULN or ≤ 5 X ULN if liver metastasis is present": a looser
    // bound for some patients after "or", to the clause's end, as in brackets.
    // (", or > 5 x ULN if related to liver metastases": past the comma.)
    // (", < 5 x ULN in patients with ...", ", which is allowed < 5 x ULN if
    // ...": after a comma alone, words that permit it passed over.)
    const bool comma_before = items.size() >= 2 && items.back().kind == Item::conn && items.back().value == "comma"sv;
    // (A period or semicolon there only before a group's bound: run.)
    const bool after_comma = (tk.kind == Tok::comma || tk.kind == Tok::period || tk.kind == Tok::semicolon) && !items.empty() &&
                             items.back().kind == Item::leaf;
    if ((after_comma || (conn(i, "or") && !items.empty() && items[items.size() - (comma_before ? 2 : 1)].kind == Item::leaf))) {
      int stop = i + 1;
      for (int d = 0; stop < e && !(d == 0 && (is(stop, Tok::comma) || is(stop, Tok::semicolon) || is(stop, Tok::period)));
           ++stop) {
        if (is(stop, Tok::open)) ++d;
        if (is(stop, Tok::close) && d > 0) --d;
      }
      Item& bound = after_comma ? items.back() : items[items.size() - (comma_before ? 2 : 1)];
      // (", for patients with liver metastases ≤ 5 x ULN": for whom first;
      // ", if liver metastases, ≤ 5 x ULN": past a comma before the bound.)
      auto looser = bound_for_some(&bound, past_permission(i + 1, stop), stop);
      if (!looser) {
        int whole = stop;
        if (is(whole, Tok::comma) && is(whole + 1, Tok::comparator))
          for (++whole; whole < e && !(is(whole, Tok::comma) || is(whole, Tok::semicolon) || is(whole, Tok::period)); ++whole) {
          }
        if ((looser = bound_for_some_first(&bound, i + 1, whole))) stop = whole;
      }
      if (looser) {
        bound.expr = *looser;
        bound.condition = false;
        bound.te = stop;
        if (comma_before && !after_comma) items.pop_back();
        i = stop;
        continue;
      }
    }
    if (tk.kind == Tok::comma || tk.kind == Tok::connective || tk.kind == Tok::colon ||
        (tk.kind == Tok::punct && tk.text == "/"sv)) {
      Item c;
      c.kind = Item::conn;
      c.value = tk.kind == Tok::comma ? "comma" : tk.kind == Tok::colon ? "colon" : tk.kind == Tok::punct ? "or" : tk.value;
      if (tk.kind == Tok::connective && word_in(i, Word::also)) c.value = "also";
      c.tb = i;
      c.te = i + 1;
      items.push_back(std::move(c));
      ++i;
      continue;
    }
    // Constructs, most specific first. Only some tokens can open one.
    std::optional<std::pair<Expr, int>> r;
    bool can_open = tk.kind == Tok::concept_ref || tk.kind == Tok::cue || tk.kind == Tok::comparator ||
                    tk.kind == Tok::number || tk.kind == Tok::number_word || tk.kind == Tok::person ||
                    ((tk.kind == Tok::word || tk.kind == Tok::filler) && i + 2 < e && is(i + 1, Tok::connective)) ||
                    (tk.kind == Tok::word && is(i + 1, Tok::comparator) && word_in(i, Word::age_comparison));
    if (!can_open) r = std::pair<Expr, int>{Expr(ast::Literal{}), i};  // fall through below
    if (!r) r = interpretation(i, e);
    if (!r) r = time_since_construct(i, e);
    if (!r) r = age_construct(i, e);
    if (!r) r = pair_construct(i, e);  // before a measure: "SBP/DBP < 140/90" is two values
    if (!r) r = measure_construct(i, e);
    if (!r) r = antibody_construct(i, e);
    if (!r) r = count_construct(i, e);
    if (!r) r = duration_construct(i, e);
    bool measure_after = false;  // the measure named after its bound
    if (!r && (r = reverse_measure(i, e))) measure_after = true;
    if (!r && (r = bound_before_measure(i, e))) measure_after = true;
    if (!r) r = comparator_before_measure(i, e);
    if (r && r->second > i) {
      // "blood pressure ≥ 160 mm Hg (systolic)": the pair the words before
      // it name is read by the measure after the bound.
      if (measure_after && !items.empty() && items.back().kind == Item::residue && items.back().te == i &&
          is(i - 1, Tok::cue) && t_[i - 1].value.rfind("pair:", 0) == 0) {
        ignore(i - 1, i, "named by what follows");
        if (items.back().tb == i - 1) items.pop_back();
        else items.back().te = i - 1;
      }
      push_leaf(r->first, i, r->second);
      i = r->second;
      continue;
    }
    // "at least two of the following: A, B, C": the list after it, n of it.
    bool dangling = false;
    if (int n = 0, next = 0; (next = n_of_opener(i, e, n, dangling)) > 0) {
      // Its list is elsewhere (the items after it): its words stay.
      if (dangling) {
        push_unread(items, i, next);  // its own residue, not joined to words before it: a heading's is set aside
        i = next;
        continue;
      }
      ast::Unparsed words;
      words.text = span_text(i, next);
      words.span = span(i, next);
      openers_.push_back(words);
      Item a;
      a.kind = Item::ignorable;
      a.value = "alternatives";
      a.n = n;
      a.tb = i;
      a.te = next;
      items.push_back(std::move(a));
      i = next;
      continue;
    }
    if (tk.kind == Tok::cue) {
      const std::string& v = tk.value;
      // An interpretation not applied ("Newly diagnosed AML"): its words
      // stay, as residue.
      if (v.rfind("interpret:", 0) == 0) {
        push_token(Item::residue, i++, true);
        continue;
      }
      // "a decrease in systolic blood pressure ≥ 20 mmHg": a change of a
      // measure, not its value; the measure and its threshold are kept as
      // residue, like an age at onset. Before anything but a measure
      // ("change in dosage") the words read as usual.
      // "Weight loss > 5 kg", "weight gain of more than 10%": a change of a
      // measure named with it; its threshold is the change's, not the value's.
      if (v == "measure_change"sv) {
        int stop = i + 1;
        while (stop < e && (is(stop, Tok::comparator) || is(stop, Tok::post_comparator) || is(stop, Tok::number) ||
                            is(stop, Tok::number_word) || is(stop, Tok::unit) || soft(stop)))
          ++stop;
        for (int k = i; k < stop; ++k) push_residue(k);
        items.back().meaningful = true;
        i = stop;
        continue;
      }
      // "high blood pressure", "blood pressure control": a pair of measures
      // named with no values to compare stays as residue.
      if (pair_cue(i)) {
        push_residue(i);
        items.back().meaningful = true;
        ++i;
        continue;
      }
      // "age at onset 25-70", "lean body weight < 40 kg": not the patient's own
      // value of the measure; the bound stays as residue.
      if (v == "other_quantity"sv) {
        // To the segment's end or an "and" / "or" outside brackets: "...
        // 120% of ideal body weight and weigh at least 50 kg".
        int stop = segment_end(i, e);
        for (int k = i + 1, depth = 0; k < stop; ++k) {
          if (is(k, Tok::open)) ++depth;
          if (is(k, Tok::close) && depth > 0) --depth;
          // Not the second end of a range: "between 20 weeks and 23 weeks".
          if (depth == 0 && (conn(k, "and") || conn(k, "or")) && !is(k + 1, Tok::number) && !is(k + 1, Tok::comparator))
            stop = k;
          if (depth == 0 && is(k, Tok::colon)) stop = k;  // "changes in renal function: creatinine > 1.0"
          if (is(k, Tok::manual)) stop = k;  // "change in the judgment of the investigator": a person decides
        }
        for (int k = i; k < stop; ++k) push_residue(k);
        items.back().meaningful = true;
        i = stop;
        continue;
      }
      // In an inclusion, "negative for HBsAg, HCV and HIV", "must test
      // negative for pregnancy": a required negative result negates what it
      // governs, as "no" does; a test named is a check of its own. Before a
      // test of a state ("a negative pregnancy test") the test reads it.
      // ("Negative serology tests for HIV, ...": past the test, "for".)
      int governed = skip_soft(i + 1, e);
      if (governed > i + 1 && cue(governed, "for")) ++governed;
      const Concept* negated = concept_at(governed);
      if ((v == "negative"sv || v == "negative_test"sv) && !exclusion_ && negated &&
          (negated->kind == ConceptKind::condition || negated->kind == ConceptKind::state ||
           negated->kind == ConceptKind::event)) {
        if (v == "negative_test"sv) push_leaf(Expr(ast::Manual{"procedure", {}}), i, i + 1);
        Item m;
        m.kind = Item::modifier;
        m.value = "negation_result";
        m.tb = i;
        m.te = i + 1;
        items.push_back(std::move(m));
        ++i;
        continue;
      }
      // "non-cardiac co-morbid conditions", "non-hepatic illnesses": other
      // than that organ's, not "no heart disease"; the words stay unread.
      // (Before a condition the lexicon names, "non-hematologic malignancy"
      // is that condition and not the organ's disease.)
      if (v == "negation_prefix"sv && is(i + 1, Tok::organ) && !is(i + 2, Tok::concept_ref)) {
        push_unread(items, i, i + 2);
        i += 2;
        continue;
      }
      if (v == "history"sv || v == "negation"sv || v == "negation_history"sv || v == "negation_prefix"sv) {
        Item m;
        m.kind = Item::modifier;
        m.value = v;
        m.tb = i;
        m.te = i + 1;
        items.push_back(std::move(m));
        ++i;
        continue;
      }
      if (v == "exception"sv) {
        int stop = segment_end(i, e, false);
        bool before_bound = false;  // stopped at "and" before the next measure's bound
        // ", and must have ..." opens the next clause; a consequence ("other
        // than epilepsy that would prevent safe participation") or a person's
        // check ("unrelated to the malignancy, in the opinion of ...") is
        // about what precedes the exception.
        for (int k = i + 1, depth = 0; k + 1 < stop; ++k) {
          if (is(k, Tok::open)) ++depth;
          if (is(k, Tok::close) && depth > 0) --depth;
          const bool consequence = word_in(k, Word::relative) && word_in(k + 1, Word::modal_possible);
          // "unless due to leukemic disease and serum total bilirubin ≤ 1.5 x
          // ULN": "and" before a measure with its bound opens the next clause.
          // (A list of measures may come first: ", Aspartate aminotransferase
          // (AST) and alanine aminotransferase (ALT) ≤ 2.5 times ULN".)
          // Not inside brackets, where the exception's own bound follows
          // ("(except in patients with Gilbert syndrome, direct bilirubin ≤ 1.5 x ULN)").
          auto next_bound = [&] {
            const int m = k + 1;
            if (depth_ > 0 || !measure_at(m)) return false;
            // "ALT and AST ≤ 5 x ULN": a list of measures, not a new clause.
            if (measure_at(k - 1) || (is(k - 1, Tok::close) && measure_at(k - 2))) return false;
            for (int c = m + 1; c < stop && c <= m + 12; ++c) {
              if (is(c, Tok::comparator)) return true;
              if (!(measure_at(c) || is(c, Tok::open) || is(c, Tok::close) || is(c, Tok::comma) || is(c, Tok::filler) ||
                    conn(c, "and") || conn(c, "or")))
                return false;
            }
            return false;
          };
          before_bound = depth == 0 && k > i + 1 && (conn(k, "and") || is(k, Tok::comma)) && next_bound();
          if ((is(k, Tok::comma) && conn(k + 1, "and")) ||
              (depth == 0 && k > i + 1 && (consequence || is(k, Tok::manual))) || before_bound) {
            stop = k;
            break;
          }
        }
        // "Serum creatinine > 1.5 mg/dL unless creatinine clearance is >= 60
        // mL/min": a bound that lifts the one before it. Met when the first
        // holds or the exception does (an inclusion); excludes when the first
        // holds and the exception does not.
        if (t_[i].text == "unless"sv && !items.empty() && items.back().kind == Item::leaf &&
            bounded_measures(items.back().expr)) {
          auto inner = scan(i + 1, stop);
          std::erase_if(inner, [](const Item& it) {
            return it.kind == Item::ignorable || (it.kind == Item::residue && !it.meaningful);
          });
          if (inner.size() == 1 && inner.front().kind == Item::leaf && measurable(inner)) {
            Item& prev = items.back();
            prev.expr = exclusion_ ? ast::make_nary(Logic::and_, {prev.expr, ast::make_not(inner.front().expr)})
                                   : ast::make_nary(Logic::or_, {prev.expr, inner.front().expr});
            prev.condition = false;
            prev.te = stop;
            i = stop;
            continue;
          }
        }
        if (exception_bound(items, i, stop)) {
          i = stop;
          continue;
        }
        // An exception to a concept that is not read stays as residue: set
        // aside, "Liver disease other than CHB" excluded the patients a
        // hepatitis B trial is for. Elsewhere it is set aside.
        if (!read_exception(items, i, stop)) {
          // "Active hepatitis B or HIV infection, unless pregnant": after a
          // comma the exception is to all that precedes it.
          while (!items.empty() && items.back().kind == Item::conn) items.pop_back();
          if (i > b && is(i - 1, Tok::comma) && items.size() > 1) read_whole(items, i);
          if (items.empty()) {
            ignore(i, stop, "exception");
          } else if (int next = read_state_exception(items, i, stop); next >= 0) {
            i = next;
            continue;
          } else {
            push_exception_residue(items, i, stop, relaxes(items));
          }
        }
        // The exception closes what it excepts from: the next measure's
        // bound joins the whole, which is read first.
        if (before_bound && !items.empty()) read_whole(items, stop);
        if (before_bound && !items.empty()) {
          Item c;
          c.kind = Item::conn;
          c.value = "comma";
          c.tb = c.te = stop;
          items.push_back(std::move(c));
        }
        i = stop;
        continue;
      }
      // A definition's items after its cue at `at`: they stand for the leaf before them.
      auto leaf_before = [&] { return std::any_of(items.begin(), items.end(), [](const Item& it) { return it.kind == Item::leaf; }); };
      auto push_definition = [&](int at, const std::vector<Item>& inner) {
        Item d;
        d.kind = Item::including;
        d.value = "definition";
        d.tb = at;
        d.te = at + 1;
        items.push_back(std::move(d));
        items.insert(items.end(), inner.begin(), inner.end());
      };
      if (v == "definition"sv) {
        int stop = segment_end(i, e, false);
        if (!leaf_before()) {  // "Non-obese: defined as BMI < 28": the definition is the criterion
          ++i;
          continue;
        }
        // "Anemia defined as Hb < 9 g/dL": a measurable definition replaces the word.
        auto inner = scan(i + 1, stop);
        if (measurable(inner)) {
          push_definition(i, inner);
        } else if (has_comparator(i + 1, stop) || std::any_of(inner.begin(), inner.end(), [](const Item& it) {
                     return it.kind == Item::modifier && it.value.rfind("negation", 0) == 0;
                   })) {
          // "renal failure defined as a clearance < 30 ml/min", "stable COPD
          // (i.e. no exacerbation ... in the past six weeks)": a bound or a
          // negation not read narrows the word; it stays, so the word alone
          // does not decide.
          push_unread(items, i, stop);
        } else {
          ignore(i, stop, v);
        }
        i = stop;
        continue;
      }
      // "120 beats per minute": a rate, not "per protocol".
      if (v == "reference"sv && (is(i + 1, Tok::time_unit) || word_in(i + 1, Word::clock_unit))) {
        push_residue(i, false);
        ++i;
        continue;
      }
      if (v == "reference"sv) {
        int stop = segment_end(i, e, true);
        // "according to NYHA criteria or echocardiography check: LVEF<50%":
        // what follows a colon is no longer the reference.
        for (int k = i + 1, d = 0; k < stop; ++k) {
          d += is(k, Tok::open) ? 1 : is(k, Tok::close) ? -1 : 0;
          if (d == 0 && is(k, Tok::colon)) {
            stop = k;
            reference_colons_.push_back(k);
          }
        }
        // "≥ 30 mL/min according to the Cockcroft-Gault formula or serum
        // creatinine ≤ 2.0 mg/dL", "pregnant per self-reporting or older than
        // 70": an "or"/"and" before a measure or a bound ends the reference.
        for (int k = i + 2, d = 0; k + 1 < stop; ++k) {
          d += is(k, Tok::open) ? 1 : is(k, Tok::close) ? -1 : 0;
          int m = k + 1;  // past an article: "and a systolic blood pressure of ..."
          while (m < stop && m < k + 3 && (word_in(m, Word::article) || word_in(m, Word::indefinite))) ++m;
          if (d == 0 && (conn(k, "or") || conn(k, "and")) && (is(m, Tok::concept_ref) || is(m, Tok::comparator))) {
            stop = k;
            break;
          }
        }
        // "morbid obesity as defined by a body mass index > 40": a reference
        // that measures is the definition; "as defined by the ADA" is not.
        auto inner = scan(i + 1, stop);
        // Only a definition that opens with a measure's bound ("as defined by
        // serum creatinine < 1.5 mg/dL"); one that opens with words, a
        // negation or a list is left aside as before.
        auto first = std::find_if(inner.begin(), inner.end(), [](const Item& it) {
          return it.kind != Item::ignorable && !(it.kind == Item::residue && !it.meaningful);
        });
        const bool opens_with_bound = first != inner.end() && first->kind == Item::leaf && measurable({*first});
        if (!opens_with_bound && has_comparator(i + 1, stop)) {
          push_unread(items, i, stop);  // "as defined by a creatinine clearance of ≥75% of normal"
        } else if (!opens_with_bound) {
          ignore(i, stop, v);
        } else if (leaf_before()) {
          push_definition(i, inner);
        } else {
          if (!items.empty() && items.back().kind == Item::residue) {
            ignore(items.back().tb, items.back().te, "defined by what follows");
            items.back().kind = Item::ignorable;
          }
          items.insert(items.end(), inner.begin(), inner.end());
        }
        i = stop;
        continue;
      }
      if (v == "including"sv) {
        push_token(Item::including, i++, false);
        continue;
      }
      if (v == "commitment"sv) {
        // "refrain from smoking during the study": what the patient will not
        // do, a promise a person checks; read, it required smoking.
        const int stop = segment_end(i, e);
        ignore(i + 1, stop, "what the patient commits to");
        push_leaf(Expr(ast::Manual{"compliance", span(i, stop)}), i, stop);
        i = stop;
        continue;
      }
      // "Should a woman become pregnant ... she should inform her physician",
      // "or may become pregnant": a state the patient may come to be in, not
      // one she is in (it required pregnancy); words not read.
      if (v == "hypothetical"sv) {
        push_residue(i);
        items.back().meaningful = true;
        ++i;
        continue;
      }
      if (v == "future"sv) {  // "may receive islet transplantation": a plan, not a record
        int stop = segment_end(i, e);
        // "For patients who will receive cisplatin: creatinine ≤ 1.5 mg/dL":
        // what follows the colon is required of them.
        for (int k = i + 1, d = 0; k < stop; ++k) {
          d += is(k, Tok::open) ? 1 : is(k, Tok::close) ? -1 : 0;
          if (d == 0 && is(k, Tok::colon)) {
            stop = k;
            break;
          }
        }
        ignore(i, stop, "future plan");
        i = stop;
        continue;
      }
      if (v == "risk"sv) {
        // "at risk of bleeding", "to minimize the risk of X": a risk of X is
        // not X; the words naming it stay, unread.
        int stop = i + 1;
        auto names = [&](int k) {
          return is(k, Tok::word) || is(k, Tok::concept_ref) || is(k, Tok::organ) || is(k, Tok::pathology);
        };
        while (stop < e && (names(stop) || (is(stop, Tok::filler) && stop + 1 < e && names(stop + 1)))) ++stop;
        push_unread(items, i, stop);
        i = stop;
        continue;
      }
      if (v == "regardless"sv) {
        // "with or without associated neurologic impairment", "regardless of
        // prior therapy": either way, so the words decide nothing. (Read, the
        // "without" negated them.) To the clause's end or its next "or"/"and".
        int stop = segment_end(i, e);
        for (int m = i + 2, depth = 0; m < stop; ++m) {
          if (is(m, Tok::open)) ++depth;
          if (is(m, Tok::close) && depth > 0) --depth;
          if (depth == 0 && is(m, Tok::connective)) {
            stop = m;
            break;
          }
        }
        ignore(i, stop, "either way");
        i = stop;
        continue;
      }
      if (v == "not_controlled"sv) {
        // "Uncontrolled diabetes", "hypertension not adequately controlled":
        // whether it is controlled no profile says, so the words stay beside
        // the condition as residue (`unparsed("Uncontrolled") and
        // diabetes`); read as the condition alone, they excluded every
        // diabetic.
        push_token(Item::residue, i++, true);
        continue;
      }
      if (v == "either"sv) {
        ++i;
        continue;
      }
      // "at least one of", "any of" outside a count construct: the list
      // that follows is of alternatives.
      if (v == "any_of"sv) {
        Item a;
        a.kind = Item::ignorable;
        a.value = "alternatives";
        a.tb = i;
        a.te = i + 1;
        items.push_back(std::move(a));
        ++i;
        continue;
      }
      // "naive" not after a drug it could negate ("HCV naive", "chemotherapy
      // naive"): its meaning stays, as residue.
      if (v == "naive"sv) {
        push_token(Item::residue, i++, true);
        continue;
      }
      ++i;  // other cues outside a construct carry no meaning of their own
      continue;
    }
    if (tk.kind == Tok::manual) {
      std::string kind = tk.value;
      bool scope = false, list = false;
      if (auto pos = kind.find(":scope"); pos != std::string::npos) {
        kind = kind.substr(0, pos);
        scope = true;
      }
      // ":list": the check covers a comma list ("allergies to LY900014,
      // insulin lispro, related compounds or ...") to the sentence's end.
      if (auto pos = kind.find(":list"); pos != std::string::npos) {
        kind = kind.substr(0, pos);
        scope = list = true;
      }
      if (auto tested = test_result(i, e); tested) {
        push_leaf(tested->first, tested->second.first, tested->second.second, true);
        items.back().value = "test_result";
        i = tested->second.second;
        continue;
      }
      ast::Manual m;
      m.kind = kind;
      int stop = scope ? segment_end(i + 1, e, !list) : i + 1;
      // The list ends where a comma leads to a condition, a state or an
      // event ("allergy to contrast material, pregnancy").
      for (int k = i + 1; list && k < stop; ++k) {
        if (!is(k, Tok::comma)) continue;
        int m = k + 1;
        while (m < stop && (is(m, Tok::filler) || is(m, Tok::cue) || is(m, Tok::connective))) ++m;
        const Concept* c = is(m, Tok::concept_ref) ? lex_.find(t_[m].value) : nullptr;
        if (c && c->kind != ConceptKind::medication) stop = k;
      }
      // It ends at "or" / "and" before another clause: a measure with its
      // bound, or a condition ("allergy to insulin or HbA1c > 10%", "allergic
      // to gadolinium or has severe renal insufficiency").
      for (int k = i + 1, depth = 0; scope && k < stop; ++k) {
        if (is(k, Tok::open)) ++depth;
        if (is(k, Tok::close) && depth > 0) --depth;
        if (depth > 0 || !(conn(k, "or") || conn(k, "and"))) continue;
        int m = k + 1;
        for (int words = 0; m < stop && (is(m, Tok::filler) || is(m, Tok::person) || is(m, Tok::connective) ||
                                         (is(m, Tok::word) && words++ < 2));)
          ++m;
        const Concept* c = is(m, Tok::concept_ref) ? lex_.find(t_[m].value) : nullptr;
        bool bounded = false;
        for (int n = m + 1; c && c->kind == ConceptKind::measure && n < stop && n <= m + 4 && !bounded; ++n)
          bounded = is(n, Tok::comparator);
        // A condition ends an allergy's list only where its name ends a
        // phrase ("or hepatic disease", not "or asthma rescue medication").
        const bool ends_phrase = m + 1 >= stop || is(m + 1, Tok::comma) || is(m + 1, Tok::semicolon) ||
                                 is(m + 1, Tok::period) || is(m + 1, Tok::open) ||
                                 (is(m + 1, Tok::connective) && t_[m + 1].text != "/"sv);
        const bool condition = c && (c->kind == ConceptKind::condition || c->kind == ConceptKind::state) &&
                               kind == "allergy"sv && ends_phrase;
        if (bounded || condition) stop = k;
      }
      push_leaf(Expr(m), i, stop);
      if (scope) ignore(i + 1, stop, "what the manual check covers");
      i = stop;
      continue;
    }
    // A year or a version ("1999 WHO criteria") is not a threshold.
    if (tk.kind == Tok::number && tk.number >= 1900 && tk.number <= 2100 && tk.value.find('.') == std::string::npos &&
        !is(i + 1, Tok::unit) && !is(i + 1, Tok::time_unit)) {
      push_residue(i, false);
      ++i;
      continue;
    }
    // A list sharing its head noun: "alcohol or drug abuse".
    if ((tk.kind == Tok::word || tk.kind == Tok::organ) && (conn(i + 1, "or") || conn(i + 1, "and") || is(i + 1, Tok::comma))) {
      int k = i + 1;
      while (k < e && (is(k, Tok::comma) || is(k, Tok::connective) || is(k, Tok::word) || is(k, Tok::organ)) && k - i < 8) ++k;
      if (is(k, Tok::concept_ref)) {
        const std::string& head = t_[k].text;
        auto sp = head.find(' ');
        if (sp != std::string::npos) {
          std::string id = lexer_.concept_named(tk.text + head.substr(sp));
          if (!id.empty()) {
            ast::Predicate p;
            p.concept_id = id;
            push_leaf(Expr(p), i, i + 1, true);
            ++i;
            continue;
          }
        }
      }
    }
    bool condition = false;
    if (auto m = concept_mention(i, e, condition)) {
      push_leaf(m->first, i, m->second, condition);
      i = m->second;
      continue;
    }
    // "Creatinine normal", "ALT within normal limits": a measure the
    // lexicon bounds by its upper limit of normal (it has a default ULN:
    // raised is what is abnormal) is at most that limit. Of another measure
    // ("hemoglobin normal") the side is not known: the words stay rather
    // than vanish with the measure's name. A colon or bracket after them
    // says what normal is.
    if (measure_at(i)) {
      // Only the words of a reference limit between ("within the
      // institutional normal range", "normal for age"); "beyond the normal
      // range" is not within it.
      auto limit_word = [&](int k) {
        if (is(k, Tok::filler) || cue(k, "window") || cue(k, "window_weak")) return true;
        if (!is(k, Tok::word)) return false;
        for (const char* table : {"unit_limit_normal", "unit_limit_word", "unit_limit_range"})
          if (auto tb = lex_.phrases().find(table); tb != lex_.phrases().end() && tb->second.count(t_[k].text)) return true;
        return t_[k].text == "wnl"sv;
      };
      int stop = i + 1;
      bool normal = false;
      for (; stop < e && stop < i + 8 && limit_word(stop); ++stop)
        normal = normal || t_[stop].text.find("normal") != std::string::npos || t_[stop].text == "wnl"sv;
      if (normal && cue(stop, "for") && is(stop + 1, Tok::concept_ref) && t_[stop + 1].value == "age"sv) stop += 2;
      // "Creatinine clearance in the normal range (>80 mL/min estimated
      // according to Cockcroft-Gault)": the bracket says what normal is.
      if (normal && is(stop, Tok::open) && is(stop + 1, Tok::comparator)) {
        const int close = close_of(stop, e);
        std::vector<Threshold> ts;
        const int k = close < e ? read_thresholds(stop + 1, close, false, ts) : -1;
        const Concept* c = concept_at(i);
        if (k > stop + 1 && !ts.empty() && c)
          if (auto bound = thresholds_expr(c->id, ts, c->unit)) {
            push_leaf(*bound, i, close + 1);
            if (k < close) ignore(k, close, "how the bound is measured");
            i = close + 1;
            continue;
          }
      }
      if (normal && !is(stop, Tok::colon) && !is(stop, Tok::open)) {
        if (const Concept* c = concept_at(i); c->uln_default) {
          ast::Comparison at_most;
          at_most.concept_id = c->id;
          at_most.op = CmpOp::le;
          at_most.value = 1;
          at_most.unit = "xULN";
          at_most.span = span(i, stop);
          push_leaf(Expr(at_most), i, stop);
        } else {
          for (int k = i; k < stop; ++k) push_residue(k);
          items.back().meaningful = true;
        }
        i = stop;
        continue;
      }
    }
    // "severe diastolic dysfunction", "systolic heart failure": a measure's
    // name before a pathology noun or a condition qualifies it; its words stay.
    if (const Concept* next = concept_at(i + 1);
        measure_at(i) && (is(i + 1, Tok::pathology) || (next && next->kind == ConceptKind::condition))) {
      push_residue(i);
      items.back().meaningful = true;
      if (is(i + 1, Tok::pathology)) push_residue(++i);
      ++i;
      continue;
    }
    if (tk.kind == Tok::filler || tk.kind == Tok::person || tk.kind == Tok::pathology || tk.kind == Tok::concept_ref ||
        tk.kind == Tok::number_word || tk.kind == Tok::time_unit || tk.kind == Tok::punct) {
      // Words that carry no decidable meaning alone (a measure named without
      // a threshold, "patients", "disease").
      push_residue(i, false);
      ++i;
      continue;
    }
    push_residue(i);
    ++i;
  }
  return items;
}

// ------------------------------------------------------------------ combining

void dedupe(std::vector<Expr>& v) {
  // Quadratic, so only for lists of a real criterion's size; a list of
  // thousands (generated or hostile text) is kept as it is.
  if (v.size() < 2 || v.size() > 64) return;
  // Most lists hold no repeat: they are left as they are, nothing moved.
  bool repeat = false;
  for (auto k = v.begin() + 1; k != v.end() && !repeat; ++k) repeat = std::find(v.begin(), k, *k) != k;
  if (!repeat) return;
  std::vector<Expr> out;
  out.reserve(v.size());
  for (auto& e : v)
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(std::move(e));
  v = std::move(out);
}

bool has_leaf(const std::vector<Item>& items) {
  for (const auto& it : items)
    if (it.kind == Item::leaf || (it.kind == Item::group && has_leaf(it.children))) return true;
  return false;
}

std::size_t Parser::closing_and(const std::vector<Item>& items, std::size_t from) {
  bool alternatives = false;
  for (std::size_t k = from; k < items.size(); ++k) {
    if (items[k].kind != Item::conn) continue;
    const std::string& v = items[k].value;
    if (v == "or"sv) alternatives = true;
    if (v != "comma"sv) continue;
    std::size_t next = k + 1;
    while (next < items.size() && items[next].kind == Item::ignorable) ++next;
    const bool then_and = next < items.size() && items[next].kind == Item::conn && items[next].value == "and"sv;
    if (!then_and) return items.size();  // a bare comma: a list, not closed here
    if (alternatives) return k;
  }
  return items.size();
}

std::optional<Expr> Parser::combine(std::vector<Item> items, bool top) {
  // "(Part C)", "(Parts A and B)", "(Cohort 2)": which part of the study the
  // words before it are for; whether the patient is in it is unknown.
  for (auto& it : items) {
    if (it.kind != Item::group || !part_label(it.tb + 1, it.te - 1)) continue;
    it.kind = Item::leaf;
    it.expr = part_cohorts(it.tb + 1, it.te - 1);
    it.value = "scope";
    it.children.clear();
  }
  // A label before a colon ("Islet function failure: ...") names what
  // follows. One that names a part of the study ("Dose Escalation portion
  // (Part 1): ...") scopes it to that part.
  std::optional<Expr> label_scope;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].kind == Item::conn && items[k].value == "colon"sv) {
      bool before_leaf = false, after_leaf = false;
      std::optional<Expr> scope_before;
      for (std::size_t m = 0; m < items.size(); ++m) {
        const bool scope = items[m].kind == Item::leaf && items[m].value == "scope"sv;
        bool leaf = items[m].kind == Item::leaf || (items[m].kind == Item::group && has_leaf(items[m].children));
        if (m < k && scope) {
          before_leaf = before_leaf || scope_before.has_value();
          scope_before = items[m].expr;
          continue;
        }
        if (m < k) before_leaf = before_leaf || leaf;
        if (m > k) after_leaf = after_leaf || leaf;
      }
      if (!before_leaf && after_leaf) {
        if (scope_before) label_scope = scope_before;
        if (k > 0) ignore(items.front().tb, items[k - 1].te, "label");
        // "At least one of the following: A, B, C": the label's opener
        // governs the list after it.
        auto opener = std::find_if(items.begin(), items.begin() + k,
                                   [](const Item& it) { return it.kind == Item::ignorable && it.value == "alternatives"sv; });
        std::optional<Item> kept;
        if (opener != items.begin() + k) kept = *opener;
        items.erase(items.begin(), items.begin() + k + 1);
        if (kept) items.insert(items.begin(), *kept);
        k = static_cast<std::size_t>(-1);
        continue;
      }
      items[k].value = "and";
    }
  }
  // Brackets: a restatement, an explanation of the words before them, or a term.
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].kind != Item::group) continue;
    Item& g = items[k];
    Item* prev = k > 0 ? &items[k - 1] : nullptr;
    // The bound a looser one in the bracket relaxes may stand before filler
    // ("≤ 2.5 x ULN for the institution (in case of ...)").
    Item* bounded = prev;
    for (std::size_t b = k; bounded && bounded->kind == Item::residue && !bounded->meaningful;)
      bounded = --b > 0 ? &items[b - 1] : nullptr;
    // "Anemia (<11 g/dL)", "thrombocytopenia (<100,000/μL)": a condition
    // whose measure the lexicon names (table measured_as), then a bound
    // alone in brackets: the bound on that measure stands for it.
    if (prev && (prev->kind == Item::leaf || prev->kind == Item::residue) && prev->te == g.tb) {
      int read_to = g.te - 1;
      if (auto bound = measured_bracket(prev->te - 1, g.tb + 1, g.te - 1, &read_to)) {
        ignore(prev->te - 1, prev->te, "defined by the bound that follows");
        annotate(*bound, span(g.tb + 1, read_to));
        if (read_to < g.te - 1) {  // "(>150/100 mm Hg despite optimal medical therapy)"
          ast::Unparsed rest;
          rest.text = span_text(read_to, g.te - 1);
          rest.span = span(read_to, g.te - 1);
          bound = ast::make_nary(Logic::and_, {*bound, Expr(rest)});
        }
        g.children.clear();
        g.kind = Item::leaf;
        g.expr = *bound;
        g.condition = false;
        if (prev->kind == Item::leaf || prev->te - prev->tb == 1) prev->kind = Item::ignorable;
        else prev->te -= 1;
        continue;
      }
    }
    // "(mg/dL)" after a unit spelled out: the unit restated, not a
    // definition of the words before it.
    if (g.te - g.tb == 3 && is(g.tb, Tok::open) && is(g.tb + 1, Tok::unit)) {
      ignore(g.tb, g.te, "the unit restated");
      g.children.clear();
      g.kind = Item::ignorable;
      continue;
    }
    // "(for Japan and Taiwan: age ≥ 20 years)": what applies in some places
    // (names written with a capital) instead; not required everywhere.
    if (const int colon = place_label(g.tb + 1, g.te - 1); colon >= 0) {
      // In an inclusion: required there, `not X or Y`. An exclusion's
      // variant would widen what it excludes there; it is set aside.
      auto y = exclusion_ ? std::nullopt : sentence(colon + 1, g.te - 1);
      g.children.clear();
      if (!y) {
        ignore(g.tb, g.te, "a variant for some places");
        g.kind = Item::ignorable;
        continue;
      }
      g.kind = Item::leaf;
      g.expr = ast::make_nary(Logic::or_, {ast::make_not(place_condition(g.tb + 1, colon)), *y});
      continue;
    }
    // "Creatinine > 1.5 x ULN (or ≥ 2.0 mg/dl)": the same measure's bound in
    // another unit, an alternative to the one before.
    if (prev && prev->kind == Item::leaf && conn(g.tb + 1, "or") && is(g.tb + 2, Tok::comparator)) {
      const ast::Comparison* c = boost::get<ast::Comparison>(&prev->expr.get());
      std::vector<Threshold> ths;
      if (c && c->word.empty() && read_threshold(*clause_input_, g.tb + 2, g.te - 1, false, false, ths) == g.te - 1 && ths.size() == 1 &&
          !ths.front().unit.empty() && ths.front().unit != c->unit && ths.front().sex.empty()) {
        ast::Comparison d = *c;
        d.op = ths.front().op;
        d.value = ths.front().value;
        d.unit = ths.front().unit;
        d.span = span(g.tb + 2, g.te - 1);
        prev->expr = ast::make_nary(Logic::or_, {prev->expr, Expr(d)});
        prev->condition = false;
        prev->te = g.te;
        g.children.clear();
        g.kind = Item::ignorable;
        continue;
      }
    }
    // "(≤ 1.5 x ULN if alkaline phosphatase is > 2.5 x ULN)", "(isolated
    // bilirubin > 1.5 x ULN is acceptable if ...)": a threshold or a verdict
    // for some patients, as after "or ... if" (read_thresholds); not read,
    // so it stays residue rather than a requirement of its condition.
    bool conditional = false;
    {
      // "(allowed < 5 x ULN in ...)": words that permit it passed over.
      const int first = conn(g.tb + 1, "or") ? g.tb + 2 : past_permission(g.tb + 1, g.te - 1);
      bool nested = false;
      for (int m = g.tb + 1; m + 1 < g.te; ++m) nested = nested || is(m, Tok::open);
      // "(5 times ULN if ...)": a bare value in the unit just read opens one too;
      // "(INR < 3.0 for patients on anticoagulation)", the measure restated.
      Threshold bare;
      const auto* restated = relaxed_comparison(prev);
      const bool opens = is(first, Tok::comparator) || bare_bound_for_some(prev, first, g.te - 1, bare) ||
                         (restated && concept_at(first) && concept_at(first)->id == restated->concept_id &&
                          is(first + 1, Tok::comparator));
      // "(in case of liver metastases ≤ 5 x ULN)": for whom, then the bound.
      if (!nested && bound_for_some_first(bounded, g.tb + 1, g.te - 1)) conditional = true;
      for (int m = first + 1; m + 1 < g.te && !conditional && !nested; ++m) {
        if (opens && for_some_at(*clause_input_, m, g.te - 1)) conditional = true;
        if (!word_in(m, Word::condition)) continue;
        conditional = opens || word_in(m - 1, Word::verdict);
      }
    }
    if (conditional) {
      // "(or < 9% if on insulin)" is an alternative to what precedes it; so
      // is a looser bound for some patients ("ALT ≤ 1.5 × ULN (≤ 3 × ULN if
      // liver metastasis)"): ANDed, it failed them on the fragment read.
      const bool written_or = conn(g.tb + 1, "or");
      const int first = written_or ? g.tb + 2 : past_permission(g.tb + 1, g.te - 1);
      auto looser = bound_for_some(prev, first, g.te - 1);
      Item* relaxed = prev;
      // Past filler ("≤ 2.5 x ULN per institutional laboratory range (or ≤ 5 x ULN if ...)").
      if (!looser && bounded != prev && (looser = bound_for_some(bounded, first, g.te - 1))) relaxed = bounded;
      if (!looser && !written_or && (looser = bound_for_some_first(bounded, g.tb + 1, g.te - 1))) relaxed = bounded;
      if (looser) {
        // One operand with what it relaxes, so a list around it keeps its joiner.
        relaxed->expr = *looser;
        relaxed->condition = false;
        relaxed->te = g.te;
        g.children.clear();
        g.kind = Item::ignorable;
        continue;
      }
      const bool alternative = written_or || other_bound_for_some(prev, g.tb + 1, g.te - 1);
      g.children.clear();
      g.kind = Item::residue;
      g.tb += written_or ? 2 : 1;
      g.te -= 1;
      g.meaningful = true;
      if (alternative && k > 0) {
        items.insert(items.begin() + static_cast<std::ptrdiff_t>(k), or_item(g.tb - 1, g.tb));
        ++k;
      }
      continue;
    }
    bool starts_including = !g.children.empty() && g.children.front().kind == Item::including;
    std::optional<Expr> inner;
    if (starts_including) g.children.erase(g.children.begin());
    inner = combine(std::move(g.children));
    g.children.clear();
    if (!inner) {
      ignore(g.tb, g.te, "parenthetical");
      items[k].kind = Item::ignorable;
      continue;
    }
    // A bracket of words not read ("(corrected for gestational age)") explains nothing.
    if (prev && prev->kind == Item::residue && status_of(*inner) != Status::unparsed) {
      // "blood glucose control remains inadequate [HbA1c ≥ 7.5% or TIR < 70%]"
      ignore(prev->tb, prev->te, "explained by what follows");
      // "no clinically significant abnormalities in vital signs (systolic
      // blood pressure between 90-150 mmHg, ...)": ranges in brackets after
      // "no ... abnormalities" are the normal ones asked for; negated, they
      // excluded every patient inside them.
      if (only_ranges(*inner))
        for (std::size_t m = k - 1; m-- > 0 && items[m].kind != Item::leaf && items[m].kind != Item::conn;)
          if (items[m].kind == Item::modifier && items[m].value == "negation"sv) {
            if (names_abnormality(items[m].te, prev->te)) items[m].kind = Item::ignorable;
            break;
          }
      prev->kind = Item::ignorable;
      items[k].kind = Item::leaf;
      items[k].expr = *inner;
      continue;
    }
    if (prev && prev->kind == Item::leaf) {
      if (prev->expr == *inner) {
        items[k].kind = Item::ignorable;
        continue;
      }
      if (starts_including) {
        prev->expr = ast::make_nary(Logic::or_, {prev->expr, *inner});
        prev->condition = false;
        items[k].kind = Item::ignorable;
        continue;
      }
      if (prev->condition && (exclusion_ || g.value == "definition"sv) && !is_manual_leaf(prev->expr) &&
          prev->value != "test_result"sv) {
        // "Severe anemia (hemoglobin < 8 g/dL ...)": the bracket defines it,
        // with its qualifier ("Poorly controlled diabetes (HbA1c ≥ 8.5%)").
        ignore(prev->tb, prev->te, "defined by the bracket that follows");
        if (k >= 2 && items[k - 2].kind == Item::residue && items[k - 2].te == prev->tb &&
            cue(items[k - 2].tb, "not_controlled")) {
          ignore(items[k - 2].tb, items[k - 2].te, "defined by the bracket that follows");
          items[k - 2].kind = Item::ignorable;
        }
        prev->expr = *inner;
        prev->condition = false;
        items[k].kind = Item::ignorable;
        continue;
      }
    }
    items[k].kind = Item::leaf;
    items[k].expr = *inner;
  }
  // "X, including A, B or C": examples of X (or, where X was not understood,
  // what X means).
  for (std::size_t k = items.size(); k-- > 0;) {
    if (items[k].kind != Item::including) continue;
    std::string cue_value = items[k].value;
    std::vector<Item> rest(std::make_move_iterator(items.begin() + k + 1), std::make_move_iterator(items.end()));
    const bool and_list = std::any_of(rest.begin(), rest.end(), [](const Item& it) { return it.kind == Item::conn && it.value == "and"sv; });
    auto examples = combine(std::move(rest));
    items.erase(items.begin() + k, items.end());
    if (!examples) continue;
    // "including hypertension and diabetes": examples named by the lexicon
    // are each enough, not required together (read with "and", they failed
    // everyone without all).
    if (auto* n = boost::get<x3::forward_ast<ast::NAry>>(&examples->get());
        n && n->get().op == Logic::and_ && and_list && cue_value != "definition"sv &&
        std::all_of(n->get().operands.begin(), n->get().operands.end(),
                    [](const Expr& o) { return boost::get<ast::Predicate>(&o.get()) != nullptr; }))
      examples = ast::make_nary(Logic::or_, n->get().operands);
    // The operand before the cue (skipping commas).
    std::size_t p = items.size();
    while (p > 0 && (items[p - 1].kind == Item::conn || (items[p - 1].kind == Item::residue && !items[p - 1].meaningful)))
      --p;
    Item ex;
    ex.kind = Item::leaf;
    ex.expr = *examples;
    // Examples of a condition are not alternatives to a treatment: in
    // "unstable glucose despite insulin therapy, including A or B" they
    // explain the words before the treatment, which must still hold.
    auto is_treatment = [&](const Item& it) {
      auto* pr = boost::get<ast::Predicate>(&it.expr.get());
      const Concept* c = pr ? lex_.find(pr->concept_id) : nullptr;
      return c && c->kind == ConceptKind::medication;
    };
    if (p > 0 && items[p - 1].kind == Item::leaf && cue_value != "definition"sv && is_treatment(items[p - 1])) {
      std::size_t r = p - 1;
      while (r > 0 && items[r - 1].kind != Item::residue) --r;
      if (r > 0) ignore(items[r - 1].tb, items[r - 1].te, "read through its examples");
      if (r > 0) items[r - 1].kind = Item::ignorable;
      items.resize(p);
      ex.condition = false;
      items.push_back(std::move(ex));
      continue;
    }
    if (p > 0 && items[p - 1].kind == Item::leaf && cue_value == "definition"sv) {
      ignore(items[p - 1].tb, items[p - 1].te, "defined by what follows");
      items[p - 1].expr = *examples;
      items[p - 1].condition = false;
      items.resize(p);
      // "non-diabetic as confirmed by FPG < 126 mg/dL": the definition is of
      // the negated word, so the negation goes with the word.
      if (p >= 2 && items[p - 2].kind == Item::modifier && items[p - 2].value == "negation_prefix"sv) {
        ignore(items[p - 2].tb, items[p - 2].te, "defined by what follows");
        items[p - 2].kind = Item::ignorable;
      }
    } else if (p > 0 && items[p - 1].kind == Item::leaf) {
      items[p - 1].expr = ast::make_nary(Logic::or_, {items[p - 1].expr, *examples});
      items[p - 1].condition = false;
      items.resize(p);
    } else {
      if (p > 0 && items[p - 1].kind == Item::residue) {
        ignore(items[p - 1].tb, items[p - 1].te, "read through its examples");
        items[p - 1].kind = Item::ignorable;
      }
      items.push_back(std::move(ex));
    }
  }
  // Modifiers: "history of A, B or C", "no X", "non-X".
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].kind != Item::modifier) continue;
    std::string v = items[k].value;
    if (v == "history"sv || v == "negation_history"sv) {
      // The scope ends at "as well as"/"with", or where another modifier starts.
      for (std::size_t m = k + 1; m < items.size(); ++m) {
        if (items[m].kind == Item::conn && (items[m].value == "also"sv || items[m].value == "with"sv)) break;
        if (items[m].kind == Item::modifier) break;
        if (items[m].kind != Item::leaf) continue;
        if (auto* p = boost::get<ast::Predicate>(&items[m].expr.get()); p && p->function.empty()) {
          const Concept* info = lex_.find(p->concept_id);
          if (info && info->kind != ConceptKind::medication && info->kind != ConceptKind::state) p->function = "history";
        }
      }
    }
    // "Patients who have not recovered from previous anti-cancer therapies":
    // before words not understood (a verb), the negation is theirs; the
    // condition after them is the context, not negated. (Covering it, the
    // criterion excluded every patient who never had cancer.)
    // In a list ("No use of warfarin or similar vitamin K antagonists") the
    // negation covers the list, as below.
    auto list_follows = [&] {
      const std::size_t close = closing_and(items, k + 1);
      for (std::size_t m = k + 2; m < close; ++m)
        if (items[m].kind == Item::conn && (items[m].value == "or"sv || items[m].value == "comma"sv)) return true;
      return false;
    };
    // Only in an exclusion, where it can only exclude fewer, and not before a
    // condition the words qualify ("without uncured tumor").
    const bool qualifies_next = k + 2 < items.size() && items[k + 2].kind == Item::leaf && items[k + 1].te == items[k + 2].tb;
    if (v == "negation"sv && exclusion_ && k + 1 < items.size() && items[k + 1].kind == Item::residue &&
        items[k + 1].meaningful && items[k + 1].tb == items[k].te && !qualifies_next && !list_follows()) {
      ast::Unparsed u;
      u.text = span_text(items[k + 1].tb, items[k + 1].te);
      u.span = span(items[k + 1].tb, items[k + 1].te);
      items[k + 1].kind = Item::leaf;
      items[k + 1].expr = ast::make_not(Expr(u));
      items[k + 1].condition = false;
      items[k].kind = Item::ignorable;
      continue;
    }
    if ((v == "negation"sv || v == "negation_history"sv || v == "negation_result"sv) && combine_depth_ < kMaxCombineDepth) {
      ++combine_depth_;
      // The negation covers the rest of its clause, up to a ", and" that
      // closes an "or" list ("must not be pregnant or breastfeeding, and
      // must ..."): what follows is outside it.
      std::size_t close = closing_and(items, k + 1);
      // "without allergies and with the age of 18": "and with" says what
      // must be there, outside the negation.
      for (std::size_t m = k + 2; m + 1 < close; ++m) {
        if (items[m].kind == Item::conn && items[m].value == "and"sv && items[m + 1].kind == Item::conn &&
            items[m + 1].value == "with"sv) {
          close = m;
          break;
        }
      }
      // "ALT ≤ 2.5 x ULN in absence of liver metastases, or ≤ 5 x ULN in
      // presence of liver metastases": an "or" before a bound opens another
      // alternative, outside the negation.
      // "women who are not pregnant or planning to become pregnant ...
      // aged 18 to 55 years": the ages are the population's, outside it.
      // "Not on insulin and HbA1c ≥ 7.0%": after conditions only, a bound
      // joined by "and" is required, outside it too ("No ALT > 3 x ULN and
      // bilirubin > 2 x ULN" negates both bounds together).
      bool negated_something = false, negated_bound = false;
      for (std::size_t m = k + 1; m < close; ++m) {
        if (items[m].kind != Item::leaf) {
          negated_something = negated_something || (items[m].kind == Item::residue && items[m].meaningful);
          continue;
        }
        const auto ids = bounded_measures(items[m].expr);
        // ("aged 18 to 55 years": named as the age; "not to enroll subjects
        // below the age of 18" negates the age.)
        const bool ages = ids && ids->size() == 1 && *ids->begin() == "age"sv && any_word_in(items[m].tb, Word::age_word);
        std::size_t j = m - 1;  // ("and has an HbA1c ...": past words of no meaning)
        while (j > k + 1 && (items[j].kind == Item::ignorable || (items[j].kind == Item::residue && !items[j].meaningful))) --j;
        const bool joined_bound =
            ids && !negated_bound && negated_something && items[j].kind == Item::conn && items[j].value == "and"sv;
        if (!ages && !joined_bound) {
          negated_something = true;
          negated_bound = negated_bound || ids.has_value();
          continue;
        }
        if (negated_something) {
          close = m;
          while (close > k + 1 && (items[close - 1].kind == Item::conn || items[close - 1].kind == Item::ignorable ||
                                   (items[close - 1].kind == Item::residue && !items[close - 1].meaningful)))
            --close;
          break;
        }
      }
      std::size_t looser_at = 0;  // where that "or" is
      for (std::size_t m = k + 2; m + 1 < close && k > 0 && items[k - 1].kind == Item::leaf; ++m)
        if (items[m].kind == Item::conn && items[m].value == "or"sv && is(items[m + 1].tb, Tok::comparator)) {
          close = looser_at = m;
          break;
        }
      // "no major impairment of hematological function, as defined by the
      // following: WBC > 3.0x109/L": what the reference lists after its
      // colon is not negated.
      for (std::size_t m = k + 1; m < close; ++m)
        if (items[m].kind == Item::conn && std::find(reference_colons_.begin(), reference_colons_.end(), items[m].tb) !=
                                               reference_colons_.end()) {
          close = m;
          break;
        }
      // A required test result is a requirement of its own ("not
      // breastfeeding, have a negative pregnancy test"): outside the negation.
      for (std::size_t m = k + 1; m < close; ++m)
        if ((items[m].kind == Item::leaf && items[m].value == "test_result"sv) ||
            (items[m].kind == Item::modifier && items[m].value == "negation_result"sv)) {
          close = m;
          while (close > k + 1 && (items[close - 1].kind == Item::conn || items[close - 1].kind == Item::ignorable ||
                                   (items[close - 1].kind == Item::residue && !items[close - 1].meaningful)))
            --close;
          break;
        }
      // ... and that alternative is to the bound before the negation only:
      // (ALT <= 2.5 x ULN and not metastases) or (the looser bound ...).
      std::optional<Expr> looser;
      std::size_t looser_end = close;
      if (looser_at) {
        looser_end = looser_at + 1;
        while (looser_end < items.size() &&
               !(items[looser_end].kind == Item::conn && (items[looser_end].value == "comma"sv || items[looser_end].value == "and"sv)))
          ++looser_end;
        std::vector<Item> alt(std::make_move_iterator(items.begin() + looser_at + 1),
                              std::make_move_iterator(items.begin() + looser_end));
        looser = combine(std::move(alt));
      }
      std::vector<Item> rest(std::make_move_iterator(items.begin() + k + 1),
                             std::make_move_iterator(items.begin() + close));
      std::vector<Item> after(std::make_move_iterator(items.begin() + (looser ? looser_end : close)),
                              std::make_move_iterator(items.end()));
      // "Cancer, with no active treatment": words without a reading are
      // still what the negation forbids; set aside, the criterion read as
      // "cancer" alone.
      const int words_from = rest.empty() ? 0 : rest.front().tb, words_to = rest.empty() ? 0 : rest.back().te;
      const bool has_words = std::any_of(rest.begin(), rest.end(), [](const Item& it) { return it.kind == Item::residue; }) &&
                             std::none_of(rest.begin(), rest.end(), [](const Item& it) { return it.kind == Item::ignorable; });
      // (Not a verb's negation: "must not be enrolled in the study:".)
      const int neg_at = items[k].tb;
      const bool of_verb = word_in(neg_at - 1, Word::modal) || word_in(neg_at + 1, Word::copula);
      items.erase(items.begin() + k, items.end());
      std::optional<Expr> inner = combine(std::move(rest));
      if (!inner && has_words && v == "negation"sv && !of_verb && words_to > words_from) {
        ast::Unparsed u;
        u.text = span_text(words_from, words_to);
        u.span = span(words_from, words_to);
        inner = Expr(u);
      }
      if (inner) {
        Item n;
        n.kind = Item::leaf;
        n.expr = ast::make_not(*inner);
        if (looser) {  // joined with the bound it qualifies, then the alternative
          n.expr = ast::make_nary(Logic::or_, {ast::make_nary(Logic::and_, {items.back().expr, n.expr}), *looser});
          items.pop_back();
        }
        items.push_back(std::move(n));
      }
      --combine_depth_;
      if (after.empty()) break;
      items.insert(items.end(), std::make_move_iterator(after.begin()), std::make_move_iterator(after.end()));
      continue;
    }
    if (v == "negation_prefix"sv) {
      // "non-" negates the word it is glued to: a leaf, or words not
      // understood ("Non-hospitalized ... subjects suffering from
      // diabetes" does not negate the diabetes).
      for (std::size_t m = k + 1; m < items.size(); ++m) {
        if (items[m].kind == Item::residue && items[m].meaningful) break;
        // Only what it is glued to: "non-neuropathic pain or ... diabetes"
        // does not negate the diabetes.
        if (items[m].kind == Item::leaf && items[m].tb != items[k].te) break;
        if (items[m].kind == Item::leaf) {
          // Glued to the first word of a name whose other words name a
          // thing themselves, it picks another kind of that thing: a
          // "non-oral antihyperglycemic agent" is injected, "non-Hodgkin
          // lymphoma" is a lymphoma. Not read. ("non-pregnant women" and
          // "non-hepatitis C" are negated.)
          const std::string& name = t_[items[m].tb].text;
          const auto space = name.find(' ');
          // ("non-proliferative or proliferative diabetic retinopathy": a
          // word that names the concept only through the head it shares.)
          const bool modifier = (m == k + 1 && items[m].tb == items[k].te && items[m].te - items[m].tb == 1 &&
                                 is(items[m].tb, Tok::concept_ref) && space != std::string::npos &&
                                 !lexer_.concept_named(name.substr(space + 1)).empty()) ||
                                (m == k + 1 && items[m].tb == items[k].te && is(items[m].tb, Tok::word));
          if (modifier) {
            items[m].kind = Item::residue;
            items[m].meaningful = true;
            items[m].tb = items[k].tb;
            break;
          }
          items[m].expr = ast::make_not(items[m].expr);
          items[m].condition = false;
          break;
        }
      }
    }
    items[k].kind = Item::ignorable;
  }
  // Operands and the connectives between them.
  std::vector<Operand> ops;
  std::vector<std::string> seps;  // seps[i] joins ops[i] and ops[i+1]
  std::vector<bool> after_comma;  // seps[i] was a comma and then "and" / "or"
  std::string pending;
  bool comma_then = false;
  std::optional<std::size_t> alternatives_from;  // the first operand of an "either" list
  int alternatives_n = 1;                        // how many of them must hold
  Expr alternatives_words = Expr(ast::Literal{});  // the words that opened the list
  for (auto& it : items) {
    if (it.kind == Item::ignorable && it.value == "alternatives"sv && !alternatives_from) {
      alternatives_from = ops.size();
      alternatives_n = it.n;
      ast::Unparsed words;
      words.text = span_text(it.tb, it.te);
      words.span = span(it.tb, it.te);
      alternatives_words = Expr(words);
    }
    if (it.kind == Item::conn) {
      // "," then "or" reads as "or"; "and" then "or" stays "or".
      if (pending.empty() || pending == "comma"sv || it.value == "or"sv) {
        comma_then = comma_then || (pending == "comma"sv && (it.value == "and"sv || it.value == "or"sv));
        pending = it.value;
      }
      continue;
    }
    std::optional<Expr> e;
    if (it.kind == Item::leaf) e = it.expr;
    if (it.kind == Item::residue && it.meaningful) {
      ast::Unparsed u;
      u.text = span_text(it.tb, it.te);
      u.span = span(it.tb, it.te);
      e = Expr(u);
    } else if (it.kind == Item::residue) {
      ignore(it.tb, it.te, "no decidable meaning");
    }
    if (!e) continue;
    if (!ops.empty()) {
      seps.push_back(pending.empty() ? "adjacent" : pending);
      after_comma.push_back(comma_then && (pending == "and"sv || pending == "or"sv));
    }
    pending.clear();
    comma_then = false;
    ops.push_back({*e, it.kind == Item::leaf && it.condition, it.kind == Item::leaf && it.value == "scope"sv});
  }
  // "... with at least three of the following: A; B; C" (its list in other
  // sentences): the words stay, so the list is not read as all of it. A
  // heading's sub-items are folded in later (read_sub_items), its opener
  // then set aside.
  if (alternatives_from && *alternatives_from == ops.size() && alternatives_n >= 2) {
    if (!ops.empty()) {
      seps.push_back("and");
      after_comma.push_back(false);
    }
    ops.push_back({alternatives_words, false});
  }
  if (ops.empty()) return std::nullopt;
  // "Healthy participants (Parts A and B) and participants with T2DM (Part
  // C)": each part's requirements hold in that part only, so the parts are
  // alternatives (ANDed, every patient needed both).
  if (std::count_if(ops.begin(), ops.end(), [](const Operand& o) { return o.scope; }) >= 2 && ops.back().scope) {
    std::vector<Expr> parts, current;
    for (const auto& o : ops) {
      current.push_back(o.expr);
      if (o.scope) parts.push_back(ast::make_nary(Logic::and_, std::exchange(current, {})));
    }
    return ast::make_nary(Logic::or_, std::move(parts));
  }
  // "HIV-1 infected (Part C)": the words hold in that part only; elsewhere
  // the criterion is met (an inclusion) or does not exclude.
  std::optional<Expr> scope = label_scope;
  if (!scope && ops.size() > 1 && ops.back().scope &&
      std::count_if(ops.begin(), ops.end(), [](const Operand& o) { return o.scope; }) == 1) {
    scope = ops.back().expr;
    ops.pop_back();
    seps.pop_back();
    after_comma.pop_back();
  }
  auto scoped = [&](Expr e) {
    if (!scope) return e;
    return conditions_joined_ ? ast::make_nary(Logic::and_, {*scope, e}) : ast::make_nary(Logic::or_, {ast::make_not(*scope), e});
  };
  if (alternatives_from && *alternatives_from < ops.size())
    group_alternatives(ops, seps, after_comma, *alternatives_from, alternatives_n, alternatives_words);
  auto explicit_conn = [&](std::size_t k) { return seps[k] == "and"sv || seps[k] == "or"sv; };
  // Whether a group of patients opens the words before the items
  // ("For subjects diagnosed with diabetes, ...", "If ..."); asked only of
  // exclusion lists (separate_findings).
  const int items_begin = items.empty() ? 0 : items.front().tb;
  auto opens_with_group = [&] {
    if (cue(0, "for") || word_in(0, Word::place_preposition) || (is(0, Tok::word) && word_in(0, Word::condition)))
      return true;
    bool subject = false;
    for (int k = 0; k <= items_begin && k < n_; ++k)
      if (read_group_opener(*clause_input_, k, n_, subject) >= 0) return true;
    return false;
  };
  // ", and" after operands joined only by "or" closes them: "type 1 or
  // type 2 diabetes, and HbA1c >= 7%" is (type1 or type2) and hba1c. The
  // same rule, on items, ends a negation's reach (closing_and). After a
  // comma list ("A, B, and C";
  // "nausea and vomiting, diarrhoea, and ...") it is the list's own "and",
  // as before; ", or" needs nothing, "or" binding loosest anyway.
  std::vector<std::size_t> splits;
  for (std::size_t k = 0, from = 0; k < seps.size(); ++k) {
    if (!after_comma[k] || seps[k] != "and"sv) continue;
    bool alternatives = false, list = false;
    for (std::size_t m = from; m < k; ++m) {
      alternatives = alternatives || seps[m] == "or"sv;
      list = list || seps[m] == "comma"sv;
    }
    if (alternatives && !list) {
      splits.push_back(k);
      from = k + 1;
    }
  }
  // "QTc > 450 ms on initial ECG, Hb < 8.0, WBC < 2000, positive HIV
  // serology, active hepatitis B" in an exclusion: findings set off by bare
  // commas (no "and" / "or" anywhere), each a condition or a bound on its own
  // measure with words after it, exclude on their own: any of them.
  // Each starts with its finding: words before it ("Uncontrolled hypertension,
  // BP > 150/100", "eGFR < 30, calculated by the Modification of Diet in Renal
  // Disease equation") describe what precedes; nor after a group ("For
  // subjects with diabetes, HbA1c > 8.5%").
  auto separate_findings = [&](std::size_t lo, std::size_t hi) -> std::optional<Expr> {
    auto finding_at = [&](std::size_t m) {
      auto ids = bounded_measures(ops[m].expr);
      return ops[m].condition || (ids && !ids->empty());
    };
    std::vector<Expr> segments, current;
    std::set<std::string> measures;
    bool finding = false, commas = false;
    auto close = [&] {
      if (!finding) return false;
      segments.push_back(ast::make_nary(Logic::and_, std::exchange(current, {})));
      finding = false;
      return true;
    };
    if (!finding_at(lo)) return std::nullopt;
    for (std::size_t m = lo; m <= hi; ++m) {
      if (m > lo) {
        if (seps[m - 1] == "comma"sv || seps[m - 1] == "comma_and"sv) {  // (list() reads bare commas as "and")
          commas = true;
          if (!close() || !finding_at(m)) return std::nullopt;
        } else if (seps[m - 1] != "adjacent"sv) {
          return std::nullopt;
        }
      }
      current.push_back(ops[m].expr);
      if (auto ids = bounded_measures(ops[m].expr); ids && !ids->empty()) {
        for (const auto& id : *ids)
          if (!measures.insert(id).second) return std::nullopt;
        finding = true;
      }
      finding = finding || ops[m].condition;
    }
    // Three at least: two may be a finding and its definition ("Impairment
    // of renal function, serum creatinine ≥ 133 µmol/L").
    if (!close() || !commas || segments.size() < 3 || opens_with_group()) return std::nullopt;
    return ast::make_nary(Logic::or_, std::move(segments));
  };
  // ops[lo..hi] as one list: an Expr, and whether every operand is a condition.
  // "ANC ≥ 1500, hemoglobin ≥ 9.0, platelets ≥ 75,000, creatinine < 1.5 x ULN
  // or creatinine clearance ≥ 50" in an inclusion: bounds on their own
  // measures listed with bare commas, and one "or" between two measures of
  // the same organ (a measured_as entry names both): the "or" joins those
  // two, the commas require the rest. (Read as a list, any one bound was
  // enough; a list of diagnostic criteria names no such pair.)
  auto local_or = [&](std::size_t lo, std::size_t hi) -> std::optional<Expr> {
    if (exclusion_ || hi < lo + 2) return std::nullopt;
    std::optional<std::size_t> at;
    for (std::size_t k = lo; k < hi; ++k) {
      if (seps[k] == "or"sv) {
        if (at) return std::nullopt;
        at = k;
      } else if (seps[k] != "comma"sv) {  // words next to a bound may be for whom it holds
        return std::nullopt;
      }
    }
    if (!at) return std::nullopt;
    auto measure_of = [&](std::size_t m) -> std::optional<std::string> {
      auto ids = bounded_measures(ops[m].expr);
      if (!ids || ids->size() != 1) return std::nullopt;
      return *ids->begin();
    };
    const auto a = measure_of(*at), b = measure_of(*at + 1);
    if (!a || !b || *a == *b || !measured_together(*a, *b)) return std::nullopt;
    std::vector<Expr> all;
    for (std::size_t m = lo; m <= hi; ++m) {
      if (m == *at + 1) continue;
      if (m == *at) {
        all.push_back(ast::make_nary(Logic::or_, {ops[m].expr, ops[m + 1].expr}));
        continue;
      }
      if (!bounded_measures(ops[m].expr) && !boost::get<ast::Unparsed>(&ops[m].expr.get())) return std::nullopt;
      all.push_back(ops[m].expr);
    }
    return ast::make_nary(Logic::and_, std::move(all));
  };
  auto list = [&](std::size_t lo, std::size_t hi) {
    if (auto e = local_or(lo, hi)) return std::pair{std::move(*e), false};
    // A comma takes the meaning of the next explicit connective in its list.
    bool bare_commas = true;  // every operand joined by a comma alone
    for (std::size_t k = lo; k < hi; ++k) {
      if (seps[k] != "comma"sv) bare_commas = false;
      if (seps[k] != "comma"sv) continue;
      std::string meaning = "and";
      for (std::size_t m = k + 1; m < hi; ++m)
        if (explicit_conn(m)) {
          meaning = seps[m];
          break;
        }
      seps[k] = meaning == "or"sv ? "or" : "comma_and";
      bare_commas = bare_commas && meaning == "and"sv;
      for (std::size_t m = k + 1; m < hi && bare_commas; ++m) bare_commas = !explicit_conn(m);
    }
    // "or" binds loosest. Within an alternative, an "and"-list of conditions in
    // an exclusion excludes on any of them.
    std::vector<Expr> alternatives;
    bool conditions = true;
    std::size_t start = lo;
    for (std::size_t k = lo; k <= hi; ++k) {
      if (k < hi && seps[k] != "or"sv) continue;
      std::vector<Expr> conj;
      bool all_conditions = true, list_joins = true;
      for (std::size_t m = start; m <= k; ++m) {
        conj.push_back(ops[m].expr);
        all_conditions = all_conditions && ops[m].condition;
        if (m > start) list_joins = list_joins && (seps[m - 1] == "and"sv || seps[m - 1] == "comma_and"sv || seps[m - 1] == "also"sv);
      }
      conditions = conditions && all_conditions;
      dedupe(conj);
      // So does one under a negation: "no hepatitis B, hepatitis C and HIV"
      // is none of them, not "not all three".
      bool as_any = (exclusion_ || combine_depth_ > 0) && all_conditions && list_joins && conj.size() > 1;
      as_any = as_any || (exclusion_ && combine_depth_ == 0 && bare_commas && lo == start && k == hi &&
                          separate_abnormalities(conj));
      if (!as_any && exclusion_ && combine_depth_ == 0 && lo == start && k == hi)
        if (auto findings = separate_findings(lo, hi)) {
          alternatives.push_back(*findings);
          start = k + 1;
          continue;
        }
      alternatives.push_back(ast::make_nary(as_any ? Logic::or_ : Logic::and_, std::move(conj)));
      start = k + 1;
    }
    dedupe(alternatives);
    return std::pair{ast::make_nary(Logic::or_, std::move(alternatives)), conditions};
  };
  (void)top;
  if (splits.empty()) return scoped(list(0, ops.size() - 1).first);
  // The closed lists are operands one level up, joined by "and" (in an
  // exclusion, conditions alone exclude on any of them, as in a list).
  std::vector<Expr> conj;
  bool all_conditions = true;
  std::size_t lo = 0;
  for (std::size_t p = 0; p <= splits.size(); ++p) {
    auto [e, conditions] = list(lo, p < splits.size() ? splits[p] : ops.size() - 1);
    conj.push_back(std::move(e));
    all_conditions = all_conditions && conditions;
    if (p < splits.size()) lo = splits[p] + 1;
  }
  dedupe(conj);
  return scoped(ast::make_nary(exclusion_ && all_conditions ? Logic::or_ : Logic::and_, std::move(conj)));
}

// One sentence: its manual checks are kept apart from what data can decide,
// and words around a manual check belong to it.
std::optional<Expr> Parser::sentence(int b, int e) {
  has_pathology_ = false;
  for (int k = b; k < e; ++k) {
    if (is(k, Tok::pathology)) has_pathology_ = true;
    if (is(k, Tok::concept_ref)) {
      const std::string& txt = t_[k].text;
      auto sp = txt.rfind(' ');
      if (sp != std::string::npos && lexer_.is_pathology_word(txt.substr(sp + 1))) has_pathology_ = true;
    }
  }
  auto items = scan(b, e);
  // "Uncontrolled, active infection", "diabetic ketoacidosis has not been
  // controlled": of a condition whose active record is uncontrolled, the
  // words add nothing.
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].kind != Item::residue || items[k].te - items[k].tb != 1 || !cue(items[k].tb, "not_controlled")) continue;
    for (int step : {-1, 1}) {
      auto p = static_cast<std::ptrdiff_t>(k) + step;
      if (p >= 0 && p < static_cast<std::ptrdiff_t>(items.size()) && items[p].kind == Item::conn && items[p].value == "comma"sv)
        p += step;
      if (p < 0 || p >= static_cast<std::ptrdiff_t>(items.size()) || items[p].kind != Item::leaf) continue;
      auto* pr = boost::get<ast::Predicate>(&items[p].expr.get());
      const Concept* c = pr ? lex_.find(pr->concept_id) : nullptr;
      if (!c || !c->active_means_uncontrolled) continue;
      std::string reason = "an active record of ";  // appended: g++ 12 warns falsely on literal + string
      reason += c->label;
      reason += " is uncontrolled";
      ignore(items[k].tb, items[k].te, reason);
      items[k].kind = Item::ignorable;
      break;
    }
  }
  // A manual check that is an item of an exclusion's list is an alternative
  // to the data beside it, not a condition on it: "pregnant or breastfeeding
  // women, or women ... unwilling to use contraception" excludes the pregnant
  // whatever the check finds. It stays in the list.
  std::vector<Expr> manual, alternatives;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].kind != Item::leaf || !is_manual_leaf(items[k].expr) || !manual_alternative(items, k)) continue;
    items[k].condition = true;
    alternatives.push_back(items[k].expr);
    // The negation before it is the check's own ("not using contraception").
    for (std::size_t p = k; p > 0 && (items[p - 1].kind == Item::residue || items[p - 1].kind == Item::ignorable ||
                                      (items[p - 1].kind == Item::modifier && items[p - 1].value == "negation"sv));
         --p)
      if (items[p - 1].kind == Item::modifier) items[p - 1].kind = Item::ignorable;
  }
  std::function<void(std::vector<Item>&)> pull = [&](std::vector<Item>& list) {
    for (auto& it : list) {
      if (it.kind == Item::leaf && is_manual_leaf(it.expr) && it.condition) continue;
      if (it.kind == Item::leaf && is_manual_leaf(it.expr)) {
        // The same check named again ("... or a positive urine pregnancy
        // test") is the alternative already in the list.
        const bool listed = std::find(alternatives.begin(), alternatives.end(), it.expr) != alternatives.end();
        if (!listed && std::find(manual.begin(), manual.end(), it.expr) == manual.end()) manual.push_back(it.expr);
        it.kind = Item::ignorable;
      } else if (it.kind == Item::group) {
        pull(it.children);
      }
    }
  };
  pull(items);
  // A required test result is a manual check too: the words around it
  // ("premenopausal female patients must have ...") say who takes the test,
  // and whoever takes it, not being pregnant is what the data can decide.
  const bool tested = std::any_of(items.begin(), items.end(),
                                  [](const Item& it) { return it.kind == Item::leaf && it.value == "test_result"sv; });
  if (manual.empty() && alternatives.empty() && !tested) return combine(std::move(items), true);
  // Absorbed words are set aside, not lost: the manual check covers them.
  for (auto& it : items)
    if (it.kind == Item::residue) {
      if (it.meaningful) ignore(it.tb, it.te, "covered by the manual check");
      it.meaningful = false;
      it.kind = Item::ignorable;
    }
  auto data = combine(std::move(items), true);
  std::vector<Expr> all;
  if (data) all.push_back(*data);
  all.insert(all.end(), manual.begin(), manual.end());
  return ast::make_nary(Logic::and_, std::move(all));
}

// The criterion opens with a prohibition: "No ...", "(Patients) must not",
// "may not", "should not", "cannot".
bool Parser::prohibition_at_start() const { return opens_with_prohibition(*clause_input_, n_); }

// "For Japan and Taiwan:", "For Japan only:", "In the UK:" at b: the
// colon's index, else -1. Places are names written with a capital.
int Parser::place_label(int b, int e) const { return read_place_label(*clause_input_, b, e); }

// "Part C", "Parts A and B", "Cohort 2", "Arm 1": a part of the study (the
// language table study_part names the words) and its short names.
bool Parser::part_label(int b, int e) const { return is_part_label(*clause_input_, b, e); }

// "Part C", "Parts A and B", "Cohort 2": the cohorts so named, as
// cohort("Part A") or cohort("Part B"). The table study_part gives each
// head word's name ("parts": "Part").
Expr Parser::part_cohorts(int b, int e) const {
  const auto& parts = lex_.phrases().at("study_part");
  std::string head = parts.at(t_[b].text);
  std::vector<Expr> named;
  for (int m = b + 1; m < e; ++m) {
    if (is(m, Tok::comma) || conn(m, "and") || conn(m, "or")) continue;
    std::string name = span_text(m, m + 1);
    if (name.size() == 1) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    ast::Cohort c;
    c.label = head + " " + name;
    c.span = span(b, e);
    named.push_back(Expr(c));
  }
  return ast::make_nary(Logic::or_, std::move(named));
}

std::optional<Expr> Parser::cohort_label() const {
  const int n = static_cast<int>(t_.size());
  if (n < 2 || !is(n - 1, Tok::colon)) return std::nullopt;
  int colon = place_label(0, n);
  if (colon < 0 && part_label(0, n - 1)) colon = n - 1;
  if (colon != n - 1) return std::nullopt;
  Expr e = place_condition(0, colon);
  std::vector<std::string> named;
  ast::collect_cohorts(e, named);
  if (named.empty()) return std::nullopt;
  return e;
}

// Whether the patient is where (or in the part of the study) a label names.
// A part of the study ("For Part C:", "Trained Users only:") is a cohort;
// a place no profile records, so it is unknown, as its words.
Expr Parser::place_condition(int b, int colon) const {
  {
    int from = word_in(b, Word::place_preposition) ? b + 1 : b;
    int to = colon > from && word_in(colon - 1, Word::only) ? colon - 1 : colon;
    if (part_label(from, to)) return part_cohorts(from, to);
    if (to < colon && from == b && to > from) {
      ast::Cohort c;
      c.label = span_text(from, to);
      c.span = span(from, to);
      return Expr(c);
    }
  }
  ast::Unparsed u;
  u.text = span_text(b, colon);
  u.span = span(b, colon);
  return Expr(u);
}

// A sentence of manual checks alone, none of them a judgement or a consent
// (which qualify what they follow: manual_alternative).
bool Parser::standalone_checks(const Expr& sentence) {
  bool only = true, any = false;
  walk(sentence, false, [&](const Expr& x, bool) {
    auto* m = boost::get<ast::Manual>(&x.get());
    any = any || m;
    only = only && m && m->kind != "judgement"sv && m->kind != "consent"sv;
  });
  return any && only;
}

// A sentence that admits some patients ("... may enter the study", "... are
// permissible").
bool Parser::relaxes(int b, int e) const {
  for (int k = b; k < e; ++k)
    if (word_in(k, Word::permission))
      return true;
  return false;
}

// "Serum bilirubin ≤ ULN; for patients with liver metastases, bilirubin must
// be ≤ 5 x ULN": in an inclusion, a later sentence for a group (`not G or Y`)
// that bounds a measure an earlier one bounded the same way, more loosely,
// is that group's alternative: `A or (Y and G)`. Read as `A and (not G or
// Y)`, the group was held to A as well. (Bounds in other units do not
// compare: the group's is taken as the looser, as such bounds are.) A
// stricter one stays an implication.
void Parser::looser_bounds_for_groups(std::vector<Expr>& parts) const {
  const auto upper = upper_bound;
  const auto comparisons = comparisons_in;
  for (std::size_t k = 1; k < parts.size();) {
    auto* n = boost::get<x3::forward_ast<ast::NAry>>(&parts[k].get());
    auto* g = n && n->get().op == Logic::or_ && n->get().operands.size() == 2
                  ? boost::get<x3::forward_ast<ast::Not>>(&n->get().operands[0].get())
                  : nullptr;
    const auto ys = g ? comparisons(n->get().operands[1]) : std::vector<const ast::Comparison*>{};
    std::optional<std::size_t> target;
    auto implication = [](const Expr& e) {
      auto* o = boost::get<x3::forward_ast<ast::NAry>>(&e.get());
      return o && o->get().op == Logic::or_ && boost::get<x3::forward_ast<ast::Not>>(&o->get().operands[0].get());
    };
    for (std::size_t j = 0; j < k && !ys.empty(); ++j) {
      // (Not a bound for another group: "For patients treated by surgery, PSA > 0.2 ...")
      if (implication(parts[j])) continue;
      bool looser = true, same = false;
      for (const auto* y : ys)
        for (const auto* a : comparisons(parts[j]))
          if (a->concept_id == y->concept_id && a->concept_id != "sex"sv && upper(a->op) == upper(y->op) &&
              a->word.empty() && y->word.empty()) {
            same = true;
            if (a->unit == y->unit) looser = looser && (upper(y->op) ? y->value > a->value : y->value < a->value);
          }
      if (same && looser) target = j;
    }
    if (!target) {
      ++k;
      continue;
    }
    Expr who = g->get().operand;
    const Expr alternative = ast::make_nary(Logic::and_, {n->get().operands[1], std::move(who)});
    if (auto relaxed = relax_bounds(parts[*target], alternative)) parts[*target] = std::move(*relaxed);
    else parts[*target] = ast::make_nary(Logic::or_, {std::move(parts[*target]), alternative});
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

// `rule` with each bound on a measure that `alternative` bounds the same
// way taking it as an alternative ("bilirubin ≤ 1.5 x ULN, ALT, AST ≤ 1.5 x
// ULN" and "ALT and AST ≤ 5 x ULN if ...": bilirubin stays required of all);
// a group of such bounds (all(...)) takes it whole. None when no bound does.
std::optional<Expr> Parser::relax_bounds(const Expr& rule, const Expr& alternative) const {
  const auto upper = upper_bound;
  const auto comparisons = comparisons_in;
  const auto ys = comparisons(alternative);
  auto loosened = [&](const ast::Comparison& c) {
    return c.word.empty() && c.concept_id != "sex"sv && std::any_of(ys.begin(), ys.end(), [&](const ast::Comparison* y) {
             return y->concept_id == c.concept_id && y->word.empty() && upper(y->op) == upper(c.op) &&
                    (y->unit != c.unit || (upper(y->op) ? y->value > c.value : y->value < c.value));
           });
  };
  bool any = false;
  std::function<Expr(const Expr&)> relax_in = [&](const Expr& e) -> Expr {
    if (auto* c = boost::get<ast::Comparison>(&e.get()); c && loosened(*c)) {
      any = true;
      return ast::make_nary(Logic::or_, {e, alternative});
    }
    auto* nary = boost::get<x3::forward_ast<ast::NAry>>(&e.get());
    if (!nary) return e;
    const auto& ops = nary->get().operands;
    const bool group = std::all_of(ops.begin(), ops.end(), [&](const Expr& o) {
      auto* c = boost::get<ast::Comparison>(&o.get());
      return c && loosened(*c);
    });
    if (group) {
      any = true;
      return ast::make_nary(Logic::or_, {e, alternative});
    }
    std::vector<Expr> operands;
    for (const auto& o : ops) operands.push_back(relax_in(o));
    return ast::make_nary(nary->get().op, std::move(operands));
  };
  Expr out = relax_in(rule);
  if (!any) return std::nullopt;
  return out;
}

// "Age 1 to < 2 years: maximum serum creatinine 0.6 mg/dL", "Patients aged
// 65 years or older: ...": an age group before a colon opening the sentence,
// as its rule and the colon. What follows holds for that group (rows of a
// table by age); read as requirements, the rows failed everyone.
std::optional<std::pair<Expr, int>> Parser::age_label(int b, int e) {
  int p = b;
  while (p < e && (is(p, Tok::filler) || is_person(p))) ++p;
  int colon = p;
  while (colon < e && !is(colon, Tok::colon) && !is(colon, Tok::open) && !is(colon, Tok::comma)) ++colon;
  if (colon + 1 >= e || !is(colon, Tok::colon)) return std::nullopt;
  auto r = age_construct(p, colon);
  if (!r) return std::nullopt;
  int k = r->second;
  while (k < colon && (cue(k, "age_after") || cue(k, "inclusive") || is(k, Tok::filler))) ++k;
  if (k != colon) return std::nullopt;
  bool ages_only = true;
  walk(r->first, false, [&](const Expr& x, bool) {
    if (auto* c = boost::get<ast::Comparison>(&x.get())) ages_only = ages_only && c->concept_id == "age"sv;
    else if (!boost::get<x3::forward_ast<ast::NAry>>(&x.get())) ages_only = false;
  });
  if (!ages_only) return std::nullopt;
  return std::make_pair(r->first, colon);
}

// A sentence at b names a group, then a bound of no measure of its own, and
// ends: "For participants with Gilbert's disease ≤ 3.0 mg/dL.", "In case of
// liver metastases, ≤ 5 x ULN".
bool Parser::bound_for_group_at(int b) const {
  bool subject = false;
  if (b >= n_ || !(word_in(b, Word::condition) || read_group_opener(*clause_input_, b, n_, subject) >= 0) || subject)
    return false;
  int e = b;
  for (int d = 0; e < n_ && !(d == 0 && (is(e, Tok::period) || is(e, Tok::semicolon))); ++e) {
    if (is(e, Tok::open)) ++d;
    if (is(e, Tok::close) && d > 0) --d;
  }
  // A group is named in a few words, with no measure, verb or clause of its own.
  constexpr int kMaxGroupWords = 10;
  for (int k = b + 1; k + 1 < e && k < b + kMaxGroupWords; ++k) {
    const Concept* c = concept_at(k);
    if (is(k, Tok::open) || (c && (c->kind == ConceptKind::measure || c->kind == ConceptKind::group)) ||
        word_in(k, Word::age_word) || word_in(k, Word::modal) || word_in(k, Word::obligation) || word_in(k, Word::copula) ||
        (is(k, Tok::comma) && !is(k + 1, Tok::comparator)) ||
        (is(k, Tok::word) && written_as_abbreviation(text_.substr(static_cast<std::size_t>(t_[k].begin),
                                                                  static_cast<std::size_t>(t_[k].end - t_[k].begin)))))
      return false;
    if (!is(k, Tok::comparator)) continue;
    if (!number_at(k + 1)) return false;
    std::vector<Threshold> ths;
    int m = read_threshold(*clause_input_, k, e, false, false, ths);
    while (m >= 0 && m < e && is(m, Tok::filler)) ++m;
    return m == e && ths.size() == 1;
  }
  return false;
}

// [b, e) gives a verdict on some patients: it admits them ("Patients with
// treated brain metastases are eligible", "Prior steroids are permitted",
// "If the average QTcF is ≤ 470 ms, the subject meets eligibility",
// "EXCEPTION: low doses of steroids ...", "... are eligible if deemed at low
// risk") or excludes them ("Patients who have never smoked must be
// excluded", "... are not eligible"). Where the words naming them lie, with
// a condition after the verdict ("if ..."), if any.
std::optional<Parser::Verdict> Parser::verdict_in(int b, int e) const {
  Verdict out;
  // "EXCEPTION: low doses of steroids (< 10 mg of prednisone) used for ...".
  if (cue(b, "exception")) {
    out.xb = is(b + 1, Tok::colon) ? b + 2 : b + 1;
    out.xe = e;
    if (out.xb >= out.xe) return std::nullopt;
    return out;
  }
  int v = -1, verb = -1;  // the verdict's word, and where its verb ("are not", "will not be") starts
  bool obliged = false;
  // (A sentence wholly in brackets is read inside them.)
  const int outer = is(b, Tok::open) && close_of(b, e) >= e - 1 ? 1 : 0;
  for (int k = b, depth = 0; k < e; ++k) {
    // (One in brackets is the bracket's: "(isolated bilirubin > 1.5 x ULN is acceptable if ...)".)
    if (is(k, Tok::open)) ++depth;
    if (is(k, Tok::close) && depth > 0) --depth;
    if (depth > outer) continue;
    const bool verb_before = k > b && (is(k - 1, Tok::filler) || word_in(k - 1, Word::copula) || word_in(k - 1, Word::not_));
    // "are not eligible", "will not be excluded": the verdict negated.
    const int not_at = k > b && word_in(k - 1, Word::not_)                                             ? k - 1
                       : k > b + 1 && word_in(k - 1, Word::copula) && word_in(k - 2, Word::not_) ? k - 2
                                                                                                  : -1;
    if ((word_in(k, Word::admits) || (word_in(k, Word::forbids) && (k + 1 == e || !is(k + 1, Tok::concept_ref)))) &&
        verb_before) {
      v = k;
      verb = not_at >= 0 ? not_at : k;
      out.admits = word_in(k, Word::admits) == (not_at < 0);
    }
    // Nor one that obliges ("Patients must agree ... in order to be eligible").
    obliged = obliged || (word_in(k, Word::modal) && word_in(k, Word::obligation));
  }
  if (v < 0) return std::nullopt;
  // What admits must not forbid or oblige as well; a negation in the verb is the verdict's own.
  for (int k = b; k < verb; ++k)
    if ((out.admits && (word_in(k, Word::forbids) || word_in(k, Word::not_) || word_in(k, Word::no) ||
                        word_in(k, Word::modal_negated) || (is(k, Tok::cue) && t_[k].value.starts_with("negation")))) )
      return std::nullopt;
  if (out.admits && obliged) return std::nullopt;
  // The verdict ends the sentence, but for a few words ("in this regard")
  // or a condition ("are eligible if they are deemed at low risk").
  int tail_end = e;
  for (int k = v + 1; k < e; ++k)
    if (word_in(k, Word::condition) && is(k, Tok::word)) {
      out.yb = k + 1;
      out.ye = e;
      tail_end = k;
      break;
    }
  if (tail_end - v > 4 || (out.yb >= 0 && out.yb >= out.ye)) return std::nullopt;
  for (int k = v + 1; k < tail_end; ++k)
    if (!is(k, Tok::filler) && !is(k, Tok::word) && !is(k, Tok::cue) && !is(k, Tok::person)) return std::nullopt;
  // "If X, the subject meets eligibility": X. Else the words before the verb.
  out.xb = b;
  out.xe = v;
  if (word_in(b, Word::condition)) {
    int comma = -1;
    for (int k = b + 1; k < v; ++k)
      if (is(k, Tok::comma)) comma = k;
    if (comma < 0) return std::nullopt;
    for (int k = comma + 1; k < v; ++k)
      if (!is(k, Tok::filler) && !is(k, Tok::person) && !word_in(k, Word::article)) return std::nullopt;
    out.xb = b + 1;
    out.xe = comma;
  }
  while (out.xe > out.xb && (is(out.xe - 1, Tok::filler) || word_in(out.xe - 1, Word::copula) ||
                             word_in(out.xe - 1, Word::modal) || word_in(out.xe - 1, Word::obligation) ||
                             word_in(out.xe - 1, Word::not_)))
    --out.xe;
  bool named = false;
  for (int k = out.xb; k < out.xe; ++k) named = named || !(is(k, Tok::filler) || is(k, Tok::person) || is(k, Tok::punct));
  if (!named) return std::nullopt;
  return out;
}

// Whether x may be about what `with` is about: it names a concept that one
// of `with` names, or one within it or containing it. Read only in part, or
// where either names no concept, it may be about anything.
bool Parser::shares_concept(const Expr& x, const std::vector<Expr>& with) const {
  auto concepts = [](const Expr& e) {
    std::vector<std::string> ids;
    walk(e, false, [&](const Expr& n, bool) {
      if (auto* c = boost::get<ast::Comparison>(&n.get())) ids.push_back(c->concept_id);
      if (auto* p = boost::get<ast::Predicate>(&n.get())) ids.push_back(p->concept_id);
      if (auto* d = boost::get<ast::Duration>(&n.get())) ids.push_back(d->concept_id);
      if (auto* c = boost::get<ast::Count>(&n.get())) ids.insert(ids.end(), c->concepts.begin(), c->concepts.end());
    });
    return ids;
  };
  bool whole = true;
  walk(x, false, [&](const Expr& n, bool) {
    whole = whole && !boost::get<ast::Unparsed>(&n.get()) && !boost::get<ast::Manual>(&n.get());
  });
  const auto mine = concepts(x);
  if (mine.empty() || !whole) return true;
  bool any = false;
  for (const auto& e : with)
    for (const auto& theirs : concepts(e)) {
      any = true;
      for (const auto& id : mine)
        if (id == theirs || lex_.within(id, theirs) || lex_.within(theirs, id)) return true;
    }
  return !any;
}

// Whether the manual check items[k] is an item of an exclusion's list,
// joined to data beside it by "or", a comma or "and". After a relative
// pronoun ("disorders that, in the investigator's opinion, ...") it
// qualifies the data before it instead; "who" after a person ("women who
// are unwilling ...") starts an item of its own.
bool Parser::manual_alternative(const std::vector<Item>& items, std::size_t k) const {
  // A judgement ("as judged by the investigator") or a consent ("at the time
  // of informed consent") says how or when the data beside it is decided.
  const std::string& kind = boost::get<ast::Manual>(items[k].expr.get()).kind;
  if (kind == "judgement"sv || kind == "consent"sv) return false;
  // Only in an exclusion: where the list's end is misread, an alternative
  // there excludes too many (a person then confirms), where in an inclusion
  // it would admit too many.
  if (!exclusion_) return false;
  const auto n = static_cast<std::ptrdiff_t>(items.size());
  // Words the check absorbs, and a negation it already states ("not using
  // effective contraception").
  auto skippable = [&](std::ptrdiff_t p) {
    return p >= 0 && p < n &&
           (items[p].kind == Item::residue || items[p].kind == Item::ignorable ||
            (items[p].kind == Item::modifier && items[p].value == "negation"sv));
  };
  auto data = [&](std::ptrdiff_t p) {
    if (p < 0 || p >= n) return false;
    const Item& it = items[p];
    return (it.kind == Item::leaf && !is_manual_leaf(it.expr)) || (it.kind == Item::group && has_leaf(it.children));
  };
  // The data item joined to items[k] in direction `step`, or -1.
  auto joined = [&](std::ptrdiff_t step) -> std::ptrdiff_t {
    std::ptrdiff_t p = static_cast<std::ptrdiff_t>(k) + step;
    while (skippable(p)) p += step;
    bool any_or = false, any_and = false, any_conn = false;
    for (; p >= 0 && p < n && items[p].kind == Item::conn; p += step) {
      const std::string& v = items[p].value;
      if (v == "or"sv) any_or = true;
      else if (v == "and"sv) any_and = true;
      else if (v != "comma"sv) return -1;
      any_conn = true;
    }
    // "Smoker and unwilling to stop" is one case; "pregnant women and women
    // unwilling to use contraception" two: "and" joins items when a person
    // starts the second.
    if (any_and && !any_or) {
      bool person = false;
      for (int t = items[p - step].tb; step < 0 && t < items[k].tb; ++t) person = person || is_person(t);
      if (!person) return -1;
    }
    while (skippable(p)) p += step;
    if (!any_conn || !data(p)) return -1;
    return p;
  };
  if (auto p = joined(-1); p >= 0) {
    // A modal makes the check what the whole sentence asks ("those who have
    // reached menarche must have a negative pregnancy test").
    bool person = false, joined_yet = false;
    for (int t = items[p].te; t < items[k].tb; ++t) {
      joined_yet = joined_yet || is(t, Tok::comma) || is(t, Tok::connective);
      if (joined_yet && is_person(t)) person = true;
      if (word_in(t, Word::relative) || (!person && word_in(t, Word::relative_person)) || word_in(t, Word::obligation))
        return false;
    }
    return true;
  }
  // A check before the data is its alternative only when it covers the words
  // up to the comma ("allergy to contrast material, pregnancy"): in "unable
  // to comply with study drug, insulin and visits" the data is its object.
  // Nor is it when the data is a medication, which may be what the check is
  // about.
  if (items[k].te - items[k].tb <= 1) return false;
  const auto p = joined(1);
  // A bound on a measure is never what the check is about ("allergy to
  // insulin or HbA1c > 10%").
  const bool or_next = k + 1 < items.size() && items[k + 1].kind == Item::conn && items[k + 1].value == "or"sv;
  if (p >= 0 && or_next && items[p].kind == Item::leaf && bounded_measures(items[p].expr)) return true;
  if (p < 0 || items[p].kind != Item::leaf || !items[p].condition) return false;
  auto* pr = boost::get<ast::Predicate>(&items[p].expr.get());
  const Concept* c = pr ? lex_.find(pr->concept_id) : nullptr;
  return c && c->kind != ConceptKind::medication;
}

std::optional<Expr> Parser::sex_condition(int b, int e) const {
  const std::string sex = read_sex_group(*clause_input_, b, e);
  if (sex.empty()) return std::nullopt;
  ast::Comparison c;
  c.concept_id = "sex";
  c.op = CmpOp::eq;
  c.word = sex;
  c.span = span(b, e);
  return Expr(c);
}

// "Karnofsky ≥ 50% for patients > 16 years of age and Lansky ≥ 50 for
// patients ≤ 16 years", "X (for participants aged > 16 years)", "For
// patients aged 7 months or below, X": a clause that holds for an age group
// only. In an inclusion it is required of that group, `not A or X`; joined
// by "or", or in an exclusion, it names that group, `A and X` (an
// exclusion's groups are alternatives when every clause has one). Without
// such a clause the sentence reads as before.
std::optional<Expr> Parser::population_sentence(int b, int e) {
  struct Piece {
    int begin, end;
    std::optional<Expr> group;
    bool or_before = false;
    bool by_condition = false;  // the group is named by a condition, not an age
  };
  std::vector<Piece> pieces;
  int start = b, depth = 0;
  bool last_by_condition = false;  // the group just read is named by a condition
  // "HbA1c 6.5-9.5% for subjects treated with OAD monotherapy and 7.0-10.5%
  // for subjects on diet": a group named by what it has or takes, after a
  // clause with a bound, to a comma or to "and" / "or" before the next
  // bound; its rule is what its words read.
  auto condition_group_at = [&](int i, int end) -> std::optional<std::pair<Expr, int>> {
    if (i == b || !std::any_of(t_.begin() + start, t_.begin() + i,
                               [](const Token& t) { return t.kind == Tok::comparator || t.kind == Tok::number; }))
      return std::nullopt;
    // "...; or for patients with bundle branch block QTc < 480 ms": after a
    // joiner the group opens a clause of its own, it does not end one.
    if (is(i - 1, Tok::semicolon) || conn(i - 1, "or") || conn(i - 1, "and")) return std::nullopt;
    bool subject = false;
    const int words = read_group_opener(*clause_input_, i, end, subject);
    if (words < 0) return std::nullopt;
    int stop = words;
    for (int d = 0; stop < end; ++stop) {
      if (is(stop, Tok::open)) ++d;
      if (is(stop, Tok::close) && d > 0) --d;
      if (d > 0) continue;
      if (is(stop, Tok::comma) || is(stop, Tok::semicolon) || is(stop, Tok::colon) || is(stop, Tok::period)) break;
      // "... and ≤ 3.5 x ULN for ...", "... and platelet count > 50,000 for ...": the next clause.
      if ((conn(stop, "and") || conn(stop, "or")) &&
          (is(stop + 1, Tok::comparator) || number_at(stop + 1) || any_word_in(stop + 1, Word::range_opener) ||
           (conn(stop, "and") && measure_at(stop + 1))))
        break;
    }
    if (stop == words) return std::nullopt;
    // "AST ≤ 2.5 x ULN, for patients with liver metastases ≤ 5 x ULN": a
    // bound of no measure of its own in the group's words is the group's
    // bound on the measure before (bound_for_some_first), not its condition.
    // ("for patients with creatinine levels ≥ 1.5 x ULN" names its measure,
    // "for patients with < 50% of bone marrow plasma cells" words after it,
    // "QTc ≥ 500 ms for patients with QRS < 120 ms" another measure, which
    // bounds the other way: conditions.)
    const auto upper = [](std::string_view op) { return op == "lt"sv || op == "le"sv; };
    int before = -1;
    for (int k = start; k < i; ++k)
      if (is(k, Tok::comparator)) before = k;
    // ("For patients with liver metastases: ≤ 5 x ULN": the bound after its colon.)
    const int group_end = is(stop, Tok::colon) && is(stop + 1, Tok::comparator) ? end : stop;
    for (int k = words, d = 0; before >= 0 && k + 1 < group_end; ++k) {
      if (is(k, Tok::open)) ++d;
      if (is(k, Tok::close) && d > 0) --d;
      // (A measure the lexicon does not know, named by its abbreviation: "QRS ≥ 120 msec".)
      const bool abbreviation = is(k, Tok::word) && written_as_abbreviation(text_.substr(
                                                        static_cast<std::size_t>(t_[k].begin), static_cast<std::size_t>(t_[k].end - t_[k].begin)));
      if (measure_at(k) || cue(k, "age") || word_in(k, Word::age_word) || abbreviation) break;
      if (d > 0 || !is(k, Tok::comparator) || !number_at(k + 1)) continue;
      std::vector<Threshold> ths;
      int m = read_threshold(*clause_input_, k, group_end, false, false, ths);
      while (m >= 0 && m < group_end && (is(m, Tok::filler) || is(m, Tok::period))) ++m;
      if (m == group_end && upper(t_[k].value) == upper(t_[before].value)) return std::nullopt;
      break;
    }
    auto condition = sentence(words, stop);
    if (!condition) return std::nullopt;
    return std::make_pair(*condition, stop);
  };
  // The age group introduced at i ("for"/"in" and people, or "for" and a
  // comparator), as its rule and where it ends; else a group named by a
  // condition (below).
  auto group_at = [&](int i, int end) -> std::optional<std::pair<Expr, int>> {
    // "if" names an age group too ("... if female and less than 60 y/o"), but no other.
    const bool if_word = is(i, Tok::word) && word_in(i, Word::condition);
    // "for women" read as one token: a preposition and the group's sex.
    const bool sex_after_for = (cue(i, "female") || cue(i, "male")) && any_word_in(i, Word::place_preposition);
    if (!word_in(i, Word::place_preposition) && !if_word && !sex_after_for) return std::nullopt;
    int p = sex_after_for ? i : i + 1;
    // "for women younger than 50 years", "if female and less than 60 years
    // old": the group's sex, then its age.
    std::optional<Expr> sex;
    if (cue(p, "female_noun") || cue(p, "female") || cue(p, "male_noun") || cue(p, "male")) {
      int q = p + 1;
      if (conn(q, "and")) ++q;
      if (is(q, Tok::comparator)) {
        ast::Comparison c;
        c.concept_id = "sex";
        c.op = CmpOp::eq;
        c.word = cue(p, "female_noun") || cue(p, "female") ? "female" : "male";
        c.span = span(p, p + 1);
        sex = Expr(c);
        p = q;
      }
    }
    // ("for patients with": people and "with" may be one token of filler.)
    const bool people = (is(p, Tok::person) || (is(p, Tok::filler) && first_word_in(p, Word::people))) && !if_word;
    if (!people && !is(p, Tok::comparator)) return std::nullopt;
    // Named by "if" or by its sex, the group holds for one plain clause: after
    // a list or alternatives ("A or B if > 60 years", "X, smoking in women
    // older than 35") it would take them all.
    if (if_word || sex)
      for (int k = start, d = 0; k < i; ++k) {
        if (is(k, Tok::open)) ++d;
        if (is(k, Tok::close) && d > 0) --d;
        if (d == 0 && (is(k, Tok::comma) || is(k, Tok::semicolon) || conn(k, "or"))) return std::nullopt;
      }
    auto r = age_construct(p, end);
    if (!r) {  // "in patients < 10 years of age and > 45% in ...": the age ends at the joiner
      int stop = p + 1;
      while (stop < end && !conn(stop, "and") && !conn(stop, "or") && !is(stop, Tok::comma)) ++stop;
      if (stop < end) r = age_construct(p, stop);
    }
    if (!r && people) {
      auto g = condition_group_at(i, end);
      last_by_condition = g.has_value();
      return g;
    }
    last_by_condition = false;
    if (!r) return std::nullopt;
    bool ages_only = true;
    walk(r->first, false, [&](const Expr& x, bool) {
      if (auto* c = boost::get<ast::Comparison>(&x.get())) ages_only = ages_only && c->concept_id == "age"sv;
      else ages_only = false;
    });
    if (!ages_only) return std::nullopt;
    int k = r->second;
    while (k < end && (cue(k, "age_after") || cue(k, "inclusive"))) ++k;
    if (sex) return std::make_pair(ast::make_nary(Logic::and_, {*sex, r->first}), k);
    return std::make_pair(r->first, k);
  };
  // After a group: its joiner to the next clause, which starts there.
  auto next_clause = [&](int k) {
    if (is(k, Tok::comma)) ++k;
    const bool is_or = conn(k, "or");
    if (is_or || conn(k, "and")) ++k;
    start = k;
    if (start < e) pieces.push_back({start, start, std::nullopt, is_or});  // a joiner marker
    return k;
  };
  // The clause [start, i) holds for `group`; "X or Y for children", Y a
  // measure, gives the group to Y alone.
  auto push_clause = [&](int i, const Expr& group) {
    int last_or = -1;
    for (int k = start, d = 0; k < i; ++k) {
      if (is(k, Tok::open)) ++d;
      if (is(k, Tok::close) && d > 0) --d;
      if (d == 0 && conn(k, "or") && k > start && k + 1 < i && (measure_at(k + 1) || (is(k + 1, Tok::filler) && measure_at(k + 2))))
        last_or = k;
    }
    if (last_or >= 0) {
      pieces.push_back({start, last_or, std::nullopt});
      pieces.push_back({last_or + 1, last_or + 1, std::nullopt, true});
      pieces.push_back({last_or + 1, i, group, false, last_by_condition});
    } else {
      pieces.push_back({start, i, group, false, last_by_condition});
    }
  };
  for (int i = b; i < e; ++i) {
    if (depth == 0 && is(i, Tok::open) && word_in(i + 1, Word::place_preposition) && i > start) {  // "(for participants aged > 16 years)"
      const int close = close_of(i, e);
      if (auto g = group_at(i + 1, close); g && g->second == close) {
        push_clause(i, g->first);
        i = next_clause(close + 1) - 1;
        continue;
      }
    }
    if (is(i, Tok::open)) ++depth;
    if (is(i, Tok::close) && depth > 0) --depth;
    if (depth > 0) continue;
    auto g = group_at(i, e);
    if (!g) continue;
    if (i == b) {  // "For patients aged 7 months or below, X"
      if (!is(g->second, Tok::comma)) return sentence(b, e);
      pieces.push_back({g->second + 1, e, g->first});
      start = e;
      break;
    }
    if (i == start) continue;  // no clause before the group
    // "being age >= 65 years, or in participants < 65 years: presence of
    // comorbid conditions": a group before a colon scopes what follows it.
    if (is(g->second, Tok::colon)) {
      int to = i;
      while (to > start && (is(to - 1, Tok::comma) || conn(to - 1, "or") || conn(to - 1, "and"))) --to;
      const bool is_or = std::any_of(t_.begin() + to, t_.begin() + i, [](const Token& t) {
        return t.kind == Tok::connective && t.value == "or"sv;
      });
      if (to > start) pieces.push_back({start, to, std::nullopt});
      pieces.push_back({g->second + 1, g->second + 1, std::nullopt, is_or});  // a joiner marker
      pieces.push_back({g->second + 1, e, g->first, false, last_by_condition});
      start = e;
      break;
    }
    push_clause(i, g->first);
    i = next_clause(g->second) - 1;
  }
  if (pieces.empty()) return sentence(b, e);
  // Fold the joiner markers into the pieces that follow them.
  std::vector<Piece> joined;
  bool pending_or = false;
  for (auto& p : pieces) {
    if (p.begin == p.end && !p.group) {
      pending_or = p.or_before;
      continue;
    }
    p.or_before = pending_or;
    pending_or = false;
    joined.push_back(std::move(p));
  }
  if (start < e) joined.push_back({start, e, std::nullopt, pending_or});
  const bool any_or = std::any_of(joined.begin(), joined.end(), [](auto& p) { return p.or_before; });
  // Clauses for groups named by a condition, joined by "or" ("... for
  // patients who are drug-naive, or ... for patients with one oral drug"),
  // are alternatives the list reading keeps better.
  if (any_or && std::any_of(joined.begin(), joined.end(), [](auto& p) { return p.by_condition; })) return sentence(b, e);
  const bool all_groups = std::all_of(joined.begin(), joined.end(), [](auto& p) { return p.group.has_value(); });
  std::vector<Expr> parts;
  // The measures the clause before compared, all with one bound ("AST and
  // ALT ≤ 2.5 x ULN for ... and ≤ 3.5 x ULN for ..."): a bound alone takes them.
  std::vector<std::string> measures;
  for (auto& p : joined) {
    auto x = sentence(p.begin, p.end);
    // "LVEF > 55% in patients < 10 years of age and > 45% in patients ≥ 10
    // years": a bound alone takes the measure of the clause before.
    const bool between = cue(p.begin, "between") || any_word_in(p.begin, Word::range_opener);
    if (!measures.empty() && (is(p.begin, Tok::comparator) || between) && x && status_of(*x) == Status::unparsed) {
      std::vector<Threshold> ts;
      int k = read_thresholds(between ? p.begin + 1 : p.begin, p.end, false, ts, between);
      // Brackets after it that restate it ("(53-91 mmol/mol) (both inclusive)").
      while (k > 0 && k < p.end && is(k, Tok::open)) {
        const int close = close_of(k, p.end);
        if (close >= p.end || std::any_of(t_.begin() + k, t_.begin() + close, [](const Token& t) {
              return t.kind == Tok::comparator || t.kind == Tok::concept_ref;
            }))
          break;
        k = close + 1;
      }
      std::vector<Expr> per;
      for (const auto& id : measures)
        if (const Concept* m = lex_.find(id); m && k == p.end)
          if (auto y = thresholds_expr(id, ts, m->unit)) per.push_back(std::move(*y));
      if (!per.empty() && per.size() == measures.size()) {
        Expr y = per.size() == 1 ? std::move(per.front()) : Expr(ast::NAry{shared_bound_logic(false, ts), std::move(per)});
        annotate(y, span(p.begin, p.end));
        x = std::move(y);
      }
    }
    if (!x) continue;
    // A group named by a condition qualifies bounds on measures only
    // ("HbA1c 6.5-9.5% for subjects on OAD monotherapy"); else the sentence
    // reads as it would without it.
    if (p.by_condition) {
      const auto ids = bounded_measures(*x);
      if (!ids || ids->count("age")) return sentence(b, e);
    }
    measures.clear();
    const ast::Comparison* first = nullptr;
    bool one_bound = true;
    walk(*x, false, [&](const Expr& z, bool) {
      if (auto* c = boost::get<ast::Comparison>(&z.get()); c && c->word.empty() && c->concept_id != "age"sv) {
        if (!first) first = c;
        one_bound = one_bound && c->op == first->op && c->value == first->value && c->unit == first->unit;
        if (std::find(measures.begin(), measures.end(), c->concept_id) == measures.end()) measures.push_back(c->concept_id);
      }
    });
    if (measures.size() > 1 && !one_bound) measures.clear();
    if (!p.group) parts.push_back(*x);
    else if (conditions_joined_ || any_or) parts.push_back(ast::make_nary(Logic::and_, {*p.group, *x}));
    else {
      // "not not X" is X ("for patients without liver metastases").
      auto* negated = boost::get<x3::forward_ast<ast::Not>>(&p.group->get());
      parts.push_back(ast::make_nary(Logic::or_, {negated ? negated->get().operand : ast::make_not(*p.group), *x}));
    }
  }
  if (parts.empty()) return std::nullopt;
  return ast::make_nary(any_or || (exclusion_ && all_groups) ? Logic::or_ : Logic::and_, std::move(parts));
}

// "If X, Y" and "..., and if X must Y": in an inclusion Y is required only
// when X holds, so the clause reads `not X or Y` (a patient for whom X is
// false meets it; one for whom X is unknown is undecided unless Y holds);
// in an exclusion it excludes those for whom both hold, `X and Y`. The "if"
// opens a clause (the sentence's start, or after a comma, a colon or
// ", and"); X runs to the next comma or "must"/"should"; Y runs to the
// next such clause or the end. X may also be a sex ("if female"). Where X
// holds nothing data can decide ("if applicable") or Y is empty, the
// sentence reads as before.
std::optional<Expr> Parser::conditional_sentence(int b, int e) {
  // "Ages 18 to 65 years, inclusive - ≥ 18 years old and < 20 years old must
  // have assent forms signed ...", "Age 18 or older. Subjects younger than
  // 21 must have parental consent.": after the criterion's own age
  // requirement, an age group that "must" do something is the condition of
  // that requirement, `not group or rest` (in an exclusion, `group and
  // rest`). Read as a requirement, it failed everyone outside the group.
  for (int m = b, depth = 0; m < e && group_depth_ < 4; ++m) {
    if (is(m, Tok::open)) ++depth;
    if (is(m, Tok::close) && depth > 0) --depth;
    if (depth > 0 || !word_in(m, Word::obligation)) continue;
    int cs = m;
    while (cs > b && !is(cs - 1, Tok::comma) && !is(cs - 1, Tok::colon) && !cue(cs - 1, "dash")) --cs;
    bool age_before = false;
    for (int k = 0; k < cs && !age_before; ++k)
      age_before = word_in(k, Word::age_word) || (is(k, Tok::time_unit) && t_[k].value == "years"sv);
    // "Subjects 16 and 17 years old must also adhere to ...": "also" says
    // the group has more to do than the rest; it is the condition.
    const bool also = word_in(m + 1, Word::also);
    if (!(age_before && cs > 0) && !also) break;
    int p = cs;
    while (p < m && (is(p, Tok::filler) || is_person(p))) ++p;
    auto r = p < m ? age_construct(p, m) : std::nullopt;
    if (!r) break;
    int k = r->second;
    while (k < m && (cue(k, "age_after") || cue(k, "inclusive") || is(k, Tok::filler))) ++k;
    bool ages_only = k == m;
    walk(r->first, false, [&](const Expr& x, bool) {
      auto* c = boost::get<ast::Comparison>(&x.get());
      ages_only = ages_only && c && c->concept_id == "age"sv;
    });
    if (!ages_only) break;
    const int stop = e;  // sentences end at semicolons already
    auto y = sentence(m, stop);
    if (!y) break;
    std::vector<Expr> parts;
    int joiner = cs;
    while (joiner > b && (is(joiner - 1, Tok::comma) || is(joiner - 1, Tok::colon) || cue(joiner - 1, "dash"))) --joiner;
    ++group_depth_;  // bounded: hostile text may hold many such clauses
    if (joiner > b)
      if (auto before = conditional_sentence(b, joiner)) parts.push_back(*before);
    --group_depth_;
    parts.push_back(conditions_joined_ ? ast::make_nary(Logic::and_, {r->first, *y})
                               : ast::make_nary(Logic::or_, {ast::make_not(r->first), *y}));
    return ast::make_nary(Logic::and_, std::move(parts));
  }
  // Bracket depth before each token, once: the scans below only go forward.
  std::vector<int> depth(static_cast<std::size_t>(e - b + 1), 0);
  for (int k = b, d = 0; k < e; ++k) {
    depth[static_cast<std::size_t>(k - b)] = d;
    if (is(k, Tok::open)) ++d;
    if (is(k, Tok::close) && d > 0) --d;
  }
  auto depth_of = [&](int k) { return depth[static_cast<std::size_t>(k - b)]; };
  // The token index of an "if" that opens a clause in [from, e), else e;
  // `joiner` receives where the words joining it to what precedes begin.
  // "For patients on insulin: ...", "in subjects without ...,": a group of
  // patients with or without something, as "if" opens a condition.
  constexpr int kMaxGroupWords = 12;
  // "For patients on insulin: ...", "in subjects without ...,": a group of
  // patients with or without something, as "if" opens a condition (the X3
  // rule group_opener).
  // "Patients with hypertension must have ...", "Subjects treated with
  // insulin must ...", "Patients who are receiving ... must ...": at an
  // inclusion sentence's start, people named by what they have, take or
  // are, then an obligation, are the condition of what they must.
  // Inclusions only: an exclusion's "must not" is what it forbids.
  // Where the group's words start (-1 if none opens at i); `subject` says
  // which of the two forms it is.
  auto group_at = [&](int i, bool& subject) {
    subject = false;
    const int x = read_group_opener(*clause_input_, i, n_, subject);
    if (x >= 0 && (!subject || (!exclusion_ && i == b))) return x;
    subject = false;
    return -1;
  };
  auto next_if = [&](int from, int& joiner) {
    bool subject = false;
    for (int i = from; i < e; ++i) {
      if (depth_of(i) != 0 || !((is(i, Tok::word) && word_in(i, Word::condition)) || group_at(i, subject) >= 0))
        continue;
      if (i == b) {
        joiner = i;
        return i;
      }
      if (is(i - 1, Tok::comma) || is(i - 1, Tok::colon)) {
        joiner = i - 1;
        return i;
      }
      if (conn(i - 1, "and") && is(i - 2, Tok::comma)) {
        joiner = i - 2;
        return i;
      }
    }
    joiner = e;
    return e;
  };
  // Clauses are taken in turn (a loop, not recursion: a criterion may hold
  // many); `begin` is where the words not yet read start.
  std::vector<Expr> parts;
  int begin = b;
  for (int from = b;;) {
    int joiner = e;
    const int i = next_if(from, joiner);
    if (i >= e) break;
    from = i + 1;
    // The condition: to a comma or "must"/"should" outside brackets (after
    // a group of patients, to a colon as well).
    bool subject = false;
    const int group_words = group_at(i, subject);
    const bool group = group_words >= 0;
    int c = i + 1;
    while (c < e && !(depth_of(c) == 0 && (is(c, Tok::comma) || word_in(c, Word::obligation) ||
                                             (group && is(c, Tok::colon)))))
      ++c;
    if (c >= e || (c == i + 1 && group_words != i)) continue;
    // The people who must: only an obligation ends their words ("Patients
    // with type 1 diabetes, aged 18-65" describes one population).
    // A "must" or "should" ("will be eligible" is a verdict, not what they must).
    // ("Those with diabetes: HbA1c < 8%": people picked out of the rest end
    // their words at a colon too.)
    const bool subset = subject && is(c, Tok::colon) && any_word_in(i, Word::subset);
    // "Patients who have not had prior therapy, must have ...": a comma before the "must".
    const bool must_after_comma = is(c, Tok::comma) && word_in(c + 1, Word::obligation) && word_in(c + 1, Word::modal);
    if (subject && !subset && !must_after_comma && !(word_in(c, Word::obligation) && word_in(c, Word::modal))) continue;
    const int x_begin = group ? group_words : i + 1;
    if (c <= x_begin) continue;
    // "Women of childbearing potential and sexually active males must ...":
    // other people named in the group's words; what follows is both groups'.
    bool others = false;
    for (int k = x_begin; group && k < c && !others; ++k)
      if (conn(k, "and") || conn(k, "or"))
        for (int m = k + 1; m < c && m <= k + 3 && !others; ++m) others = is_person(m);
    if (others) continue;
    // A group of patients is named in a few words; a long run to the first
    // comma is the requirement itself ("For subjects receiving ... (not in
    // trial X) Documented evidence of ...").
    if (group && c - i > kMaxGroupWords) continue;
    auto x = sentence(x_begin, c);
    // Words all set aside ("who will receive cisplatin": a plan) decide no one.
    const bool decidable = x && (status_of(*x) == Status::computable || status_of(*x) == Status::partial) &&
                           !boost::get<ast::Literal>(&x->get());
    if (!decidable) x = sex_condition(i + 1, c);
    // A group of patients named in words not read ("For patients receiving
    // cetuximab:") is still a condition: unread, it leaves undecided whom the
    // rest does not hold for, where dropped it required the rest of everyone.
    if (!x && group) {
      ast::Unparsed who;
      who.text = span_text(x_begin, c);
      who.span = span(x_begin, c);
      x = Expr(who);
    }
    if (!x) continue;
    // "Women with diabetes must ...": the group is of one sex too (also when
    // its people are the first word of filler: "women who are").
    auto sex_cue = [&](int k) {
      if (is(k, Tok::cue)) return t_[k].value;
      if (!is(k, Tok::filler)) return std::string();
      const std::string& words = t_[k].text;
      return lexer_.cue_named(std::string_view(words).substr(0, words.find(' ')));
    };
    for (int k = i; group && k < x_begin; ++k)
      if (const std::string cue_k = sex_cue(k);
          cue_k == "female_noun"sv || cue_k == "male_noun"sv || cue_k == "female"sv || cue_k == "male"sv) {
        ast::Comparison sex;
        sex.concept_id = "sex";
        sex.op = CmpOp::eq;
        sex.word = cue_k == "female_noun"sv || cue_k == "female"sv ? "female" : "male";
        sex.span = span(k, k + 1);
        x = ast::make_nary(Logic::and_, {Expr(sex), *x});
        break;
      }
    const int y_begin = is(c, Tok::comma) || is(c, Tok::colon) ? c + 1 : c;
    int y_end = e;
    next_if(y_begin, y_end);
    if (y_end <= y_begin) continue;
    auto y = sentence(y_begin, y_end);
    if (!y) continue;
    if (joiner > begin)
      if (auto before = sentence(begin, joiner)) parts.push_back(*before);
    // An exclusion names whom it excludes: those for whom X and Y hold.
    // "not not X" is X ("for patients without insulin: ...").
    auto* negated = boost::get<x3::forward_ast<ast::Not>>(&x->get());
    Expr unless = negated ? negated->get().operand : ast::make_not(*x);
    parts.push_back(conditions_joined_ ? ast::make_nary(Logic::and_, {*x, *y}) : ast::make_nary(Logic::or_, {unless, *y}));
    begin = y_end;
    while (begin < e && (is(begin, Tok::comma) || conn(begin, "and"))) ++begin;
    from = begin;
  }
  if (parts.empty()) return population_sentence(b, e);
  if (begin < e)
    if (auto rest = population_sentence(begin, e)) parts.push_back(*rest);
  return ast::make_nary(Logic::and_, std::move(parts));
}

// Who the criterion is about, when its first words name one sex and only
// people ("Female", "Male subjects,", "Men only"): that sex alone is
// admitted (or, in an exclusion, named), `sex = X and <the rest>`. An
// inclusion is read so only when it also states an age ("Women aged
// 18-45", "Male, 25-85 years old"): there the sex is the population's,
// while "Women of childbearing potential who are not pregnant" sets a
// requirement for some women and admits men too. Left as it was where the
// sex is the condition of a requirement ("Female subjects must have a
// negative pregnancy test", "will", "agree", "unwilling", a heading "Female
// participants who:" over sub-items), where a second sex or a qualifier
// joins the first ("Male or non-pregnant female", "Males/females", "Male
// participants with ... or female participants with ..."), where the rest
// decides nothing ("Male partner sterilization ...": whose sex?), and
// where the rest names a state only that sex can be in ("Females who are
// pregnant": the lexicon's `sex` of a concept).
std::optional<Expr> Parser::with_sex_subject(std::optional<Expr> rule) const {
  const char* sex = cue(0, "female_noun") ? "female" : cue(0, "male_noun") ? "male" : nullptr;
  if (!sex) return rule;
  int j = 1;
  while (j < n_ && (is(j, Tok::person) || word_in(j, Word::only) || is(j, Tok::comma))) ++j;
  if (j < n_ && (is(j, Tok::connective) || is(j, Tok::punct))) return rule;
  for (int k = 1; k < n_; ++k) {
    if (cue(k, "female_noun") || cue(k, "male_noun") || cue(k, "female") || cue(k, "male") || is(k, Tok::colon))
      return rule;
    // Whole words of the token's text ("must agree to use" is one token).
    if (any_word_in(k, Word::requirement)) return rule;
  }
  ast::Comparison c;
  c.concept_id = "sex";
  c.op = CmpOp::eq;
  c.word = sex;
  c.span = span(0, 1);
  // Nothing but the sex and people ("Male patients."): the sex alone.
  int rest = j;
  while (rest < n_ && is(rest, Tok::period)) ++rest;
  if (rest >= n_) return Expr(c);
  if (!rule || (status_of(*rule) != Status::computable && status_of(*rule) != Status::partial)) return rule;
  bool names_sex = false, implies_sex = false, has_age = false;
  walk(*rule, false, [&](const Expr& e, bool) {
    std::string id;
    if (auto* cmp = boost::get<ast::Comparison>(&e.get())) id = cmp->concept_id;
    else if (auto* p = boost::get<ast::Predicate>(&e.get())) id = p->concept_id;
    else if (auto* d = boost::get<ast::Duration>(&e.get())) id = d->concept_id;
    names_sex = names_sex || id == "sex"sv;
    has_age = has_age || id == "age"sv;
    if (const Concept* concept_ = id.empty() ? nullptr : lex_.find(id)) implies_sex = implies_sex || concept_->sex == sex;
  });
  if (names_sex || implies_sex || (!exclusion_ && !has_age)) return rule;
  return ast::make_nary(Logic::and_, {Expr(c), *rule});
}

std::optional<Expr> Parser::run() {
  // "None", "N/A": an empty list item restricts nothing. An exclusion that
  // excludes no one is false; an inclusion everyone meets is true.
  bool has_void = false, only_void = n_ > 0;
  for (int i = 0; i < n_; ++i) {
    has_void = has_void || is(i, Tok::void_);
    only_void = only_void && (is(i, Tok::void_) || is(i, Tok::filler) || is(i, Tok::period) || is(i, Tok::punct));
  }
  if (has_void && only_void) {
    out_.notes.push_back("nothing to check: the criterion says there is none");
    return Expr(ast::Literal{!exclusion_});
  }

  // Sentences end at top-level periods and semicolons. An inline marker
  // ("; ii. Type 2 ...") makes the sentences it numbers alternatives.
  std::vector<std::pair<int, int>> sentences;
  std::vector<bool> enumerated;
  int depth = 0, start = 0;
  bool next_enumerated = false;
  auto flush = [&](int end) {
    if (end <= start) return;
    // A sentence that is only a marker ("ii") numbers the next one.
    if (end - start == 1 && is(start, Tok::word) &&
        std::find(kRomanOrLetterMarkers.begin(), kRomanOrLetterMarkers.end(), t_[start].text) != kRomanOrLetterMarkers.end()) {
      next_enumerated = true;
      return;
    }
    // "a) HIV; b) hepatitis B", "2) ...": a marker with its bracket opens an
    // item of a list. In an exclusion each item excludes on its own; in an
    // inclusion ("a) ANC >= 1500; b) platelets >= 100,000") each is required.
    bool marked = false;
    if (end - start > 2 && is(start + 1, Tok::close) && !is(start, Tok::open) &&
        (is(start, Tok::number) ||
         std::find(kRomanOrLetterMarkers.begin(), kRomanOrLetterMarkers.end(), t_[start].text) != kRomanOrLetterMarkers.end())) {
      ignore(start, start + 2, "list marker");
      start += 2;
      marked = exclusion_;
    }
    sentences.push_back({start, end});
    enumerated.push_back(next_enumerated || marked);
    next_enumerated = false;
  };
  for (int i = 0; i < n_; ++i) {
    if (is(i, Tok::open)) ++depth;
    if (is(i, Tok::close) && depth > 0) --depth;
    // "positive GADA; and/or IA-2A": an "or" after the semicolon continues
    // the list of alternatives.
    if (depth == 0 && is(i, Tok::semicolon) && i + 1 < n_ && conn(i + 1, "or")) continue;
    // "Creatinine: Men: ≤ 1.4 mg/dl; Women: ≤ 1.2 mg/dl": the other sex's
    // bound continues the list.
    if (depth == 0 && is(i, Tok::semicolon) && sexed_bound_at(i + 1) && i > start &&
        std::any_of(t_.begin() + start, t_.begin() + i, [](const Token& t) { return t.kind == Tok::number; }))
      continue;
    // "Total bilirubin ≤ 1.5 x ULN. For participants with Gilbert's disease
    // ≤ 3.0 mg/dL.": a group's bound of no measure of its own is the bound
    // before, for them (scan reads it as after a comma).
    if (depth == 0 && (is(i, Tok::period) || is(i, Tok::semicolon)) && i > start && bound_for_group_at(i + 1)) continue;
    if (depth == 0 && (is(i, Tok::period) || is(i, Tok::semicolon))) {
      flush(i);
      start = i + 1;
    }
  }
  flush(n_);
  bool any_enumerated = std::find(enumerated.begin(), enumerated.end(), true) != enumerated.end();
  std::vector<Expr> parts;
  std::vector<Expr> alternatives;
  // In an exclusion, a later sentence that is only checks a person makes
  // ("Pregnant and/or breastfeeding. Women of childbearing potential must
  // have a negative pregnancy test.") excludes on its own; ANDed, it let
  // every patient who is not pregnant through unchecked. One that relaxes
  // ("... may enter the study") stays ANDed.
  std::vector<Expr> checks;
  // Later sentences that admit or exclude some patients: exceptions to the ones before.
  std::vector<Expr> admitted, excluded;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    // "History of malignancy. Patients with basal cell carcinoma are
    // allowed.": in an exclusion A and not X, in an inclusion A or X. An
    // admission about something else ("HbA1c < 10%. Prior insulin is
    // permitted.") requires nothing. Joined by "and" it required X.
    if (s > 0 && !any_enumerated && !parts.empty())
      if (const auto x = verdict_in(sentences[s].first, sentences[s].second)) {
        auto who = conditional_sentence(x->xb, x->xe);
        if (!who) who = sex_condition(x->xb, x->xe);  // "A female subject is eligible if ..."
        const auto y = x->yb >= 0 ? conditional_sentence(x->yb, x->ye) : std::nullopt;
        bool bounds = false;  // ("Except for patients with liver metastases: total bilirubin ≤ 5 ULN": looser bounds, read below)
        if (who)
          walk(*who, false, [&](const Expr& n, bool) { bounds = bounds || boost::get<ast::Comparison>(&n.get()); });
        const bool usable = who && (x->yb < 0 || y) && !(bounds && cue(sentences[s].first, "exception"));
        if (usable && x->yb >= 0 && x->admits && !exclusion_ && !bounds) {
          // "Patients with prior malignancies are eligible if they are deemed
          // at low risk": what those patients must meet, not another way in.
          // (A bound "acceptable if ..." is a looser one for them: below.)
          ignore(x->xe, x->yb, "a verdict: what follows is required of those it names");
          parts.push_back(ast::make_nary(Logic::or_, {ast::make_not(*who), *y}));
          continue;
        }
        if (usable) {
          Expr read = y ? ast::make_nary(Logic::and_, {*who, *y}) : *who;
          if (!x->admits || shares_concept(read, parts)) {
            if (x->xe < sentences[s].second && x->yb < 0)
              ignore(x->xe, sentences[s].second, "a verdict: whom the sentence names is an exception");
            (x->admits ? admitted : excluded).push_back(std::move(read));
          } else {
            ignore(sentences[s].first, sentences[s].second, "an admission about something else: requires nothing");
          }
          continue;
        }
      }
    // "For Japan only: ... age ≥ 20 years", "For Part C: have diabetes":
    // what applies there (or to that part of the study) only; whether the
    // patient is there is unknown. Read as "if X, Y" (conditional_sentence).
    std::optional<Expr> e;
    if (const int colon = place_label(sentences[s].first, sentences[s].second); colon >= 0) {
      if (auto y = conditional_sentence(colon + 1, sentences[s].second)) {
        const Expr x = place_condition(sentences[s].first, colon);
        e = conditions_joined_ ? ast::make_nary(Logic::and_, {x, *y}) : ast::make_nary(Logic::or_, {ast::make_not(x), *y});
      }
    } else if (auto age = age_label(sentences[s].first, sentences[s].second)) {
      auto y = conditional_sentence(age->second + 1, sentences[s].second);
      if (y && !boost::get<ast::Literal>(&y->get()))
        e = conditions_joined_ ? ast::make_nary(Logic::and_, {age->first, *y})
                               : ast::make_nary(Logic::or_, {ast::make_not(age->first), *y});
      else
        e = conditional_sentence(sentences[s].first, sentences[s].second);
    } else {
      e = conditional_sentence(sentences[s].first, sentences[s].second);
    }
    // "No prior malignancy", "Patients must not be pregnant or lactating",
    // "May not be receiving any other study agents": in an exclusion list a
    // prohibition opening the criterion names what it excludes. Read
    // literally it excluded everyone free of it.
    if (e && s == 0 && exclusion_ && prohibition_at_start())
      if (auto* n = boost::get<x3::forward_ast<ast::Not>>(&e->get())) {
        out_.notes.push_back("a prohibition in the exclusion list: what it forbids is what excludes");
        e = Expr(n->get().operand);
      }
    if (!e) continue;
    if (any_enumerated) alternatives.push_back(std::move(*e));
    else if (exclusion_ && std::any_of(parts.begin(), parts.end(), [](const Expr& x) { return !standalone_checks(x); }) &&
             standalone_checks(*e) && !relaxes(sentences[s].first, sentences[s].second))
      checks.push_back(std::move(*e));
    else parts.push_back(std::move(*e));
  }
  if (any_enumerated && !alternatives.empty()) parts.push_back(ast::make_nary(Logic::or_, std::move(alternatives)));
  if (!exclusion_) looser_bounds_for_groups(parts);
  dedupe(parts);
  if (!checks.empty()) {  // parts holds the sentence before the first check
    std::vector<Expr> flat;
    checks.insert(checks.begin(), ast::make_nary(Logic::and_, std::move(parts)));
    for (auto& x : checks) {
      auto* n = boost::get<x3::forward_ast<ast::NAry>>(&x.get());
      if (n && n->get().op == Logic::or_)
        flat.insert(flat.end(), std::make_move_iterator(n->get().operands.begin()), std::make_move_iterator(n->get().operands.end()));
      else flat.push_back(std::move(x));
    }
    dedupe(flat);
    parts = {ast::make_nary(Logic::or_, std::move(flat))};
  }
  if (parts.empty()) return with_sex_subject(std::nullopt);
  // "ALT > 2.5 x ULN; bilirubin > 1.5 x ULN" in an exclusion: each excludes.
  const bool abnormalities = exclusion_ && checks.empty() && separate_abnormalities(parts);
  Expr rule = ast::make_nary(abnormalities ? Logic::or_ : Logic::and_, std::move(parts));
  // In an inclusion, one that loosens bounds ("ALT and AST ≤ 5 x ULN is
  // acceptable if the liver has tumor involvement") loosens those bounds
  // only: bilirubin stays required of all.
  for (auto it = admitted.begin(); !exclusion_ && it != admitted.end();) {
    if (auto relaxed = relax_bounds(rule, *it)) {
      rule = std::move(*relaxed);
      it = admitted.erase(it);
    } else {
      ++it;
    }
  }
  if (!admitted.empty()) {
    Expr any = ast::make_nary(Logic::or_, std::move(admitted));
    rule = exclusion_ ? ast::make_nary(Logic::and_, {std::move(rule), ast::make_not(std::move(any))})
                      : ast::make_nary(Logic::or_, {std::move(rule), std::move(any)});
  }
  // "Patients who have never smoked cigarettes must be excluded": in an
  // inclusion A and not X; in an exclusion A or X.
  if (!excluded.empty()) {
    Expr any = ast::make_nary(Logic::or_, std::move(excluded));
    if (exclusion_) {
      rule = ast::make_nary(Logic::or_, {std::move(rule), std::move(any)});
    } else {
      // ("who have never smoked": not not X is X.)
      auto* twice = boost::get<x3::forward_ast<ast::Not>>(&any.get());
      Expr none = twice ? Expr(twice->get().operand) : ast::make_not(any);
      rule = ast::make_nary(Logic::and_, {std::move(rule), std::move(none)});
    }
  }
  // The passes rebuild the whole rule: only where there is something to move.
  int sexes = 0;
  bool windowed_history = false;
  walk(rule, false, [&](const Expr& e, bool) {
    sexes += sex_of(e) != nullptr;
    auto* p = boost::get<ast::Predicate>(&e.get());
    windowed_history = windowed_history || (p && p->function == "history"sv && p->window);
  });
  if (sexes >= 2) rule = regroup_sexes(std::move(rule));
  if (windowed_history) rule = share_history_window(std::move(rule));
  return with_sex_subject(std::move(rule));
}

}  // namespace

namespace {
// The cues the grammar reads by name. Each must have a phrase in the
// language table "cue"; a lexicon without one (--lexicon DIR) is refused at
// start rather than silently reading less.
constexpr std::string_view kCuesRead[] = {
    "age", "age_after", "ago", "antibody_group", "antibody_word", "any_of", "before", "between", "cause",
    "dash", "definition", "diagnosed", "duration", "episode", "exception", "female", "female_noun", "for", "for_ge",
    "for_gt", "for_lt", "from", "future", "history", "hypothetical", "history_adj", "including", "inclusive", "male", "male_noun",
    "measure_change", "naive", "negation", "negation_history", "negation_prefix", "negative", "negative_test",
    "other_quantity", "not_controlled", "positive", "reference", "reference_weak", "regardless", "result", "risk", "since",
    "commitment",
    "since_cure", "since_diagnosis", "to", "window", "window_weak"};

void check_cues(const Lexicon& lexicon) {
  const auto& tables = lexicon.phrases();
  auto table = tables.find("cue");
  for (std::string_view name : kCuesRead) {
    const bool present = table != tables.end() && std::any_of(table->second.begin(), table->second.end(),
                                                              [&](const auto& e) { return e.second == name; });
    if (!present)
      throw std::runtime_error("language table \"cue\" (rules/lexicon/language.json, /phrases/cue) has no phrase for "
                               "the cue \"" + std::string(name) + "\", which the criteria grammar reads");
  }
}
}  // namespace

CriteriaCompiler::CriteriaCompiler(const Lexicon& lexicon) : impl_(std::make_unique<Impl>(lexicon)) { check_cues(lexicon); }
CriteriaCompiler::~CriteriaCompiler() = default;

int CriteriaCompiler::alternatives_needed(std::string_view text, std::pair<int, int>* opener) const {
  // Under a negation ("No thrombotic events including any of the
  // following:") or as examples ("including any of the following") the
  // items are what the heading forbids or illustrates, not alternatives.
  const auto tokens = impl_->lexer.lex(text);
  Compiled unused;
  Parser parser(impl_->lexicon, impl_->lexer, impl_->words, tokens, text, false, false, unused);
  int needed = 0;
  for (int k = 0; k < static_cast<int>(tokens.size()); ++k) {
    const Token& t = tokens[k];
    if (t.kind == Tok::cue && (t.value == "including"sv || t.value == "exception"sv || t.value.rfind("negation", 0) == 0)) return 0;
    if (t.kind == Tok::cue && t.value == "any_of"sv && !needed) needed = 1;
    int n = 0, next = 0;
    bool dangling = false;
    if (!needed && (next = parser.n_of_opener(k, static_cast<int>(tokens.size()), n, dangling)) > 0) {
      needed = n;
      if (opener) *opener = {tokens[k].begin, tokens[next - 1].end};
    }
  }
  return needed;
}

bool CriteriaCompiler::opens_with_negation(std::string_view text) const {
  // Only a heading that lists ("No concurrent use of the following drugs:",
  // "No serious disease, including any of the following"); not one whose
  // items are exceptions to it or may be permissions ("No concurrent CNS
  // radiotherapy" then "Radiotherapy to other sites allowed").
  const auto toks = impl_->lexer.lex(text);
  std::size_t first = 0;
  while (first < toks.size() && (toks[first].kind == Tok::filler || toks[first].kind == Tok::person)) ++first;
  if (first == toks.size() || toks[first].kind != Tok::cue ||
      (toks[first].value != "negation"sv && toks[first].value != "negation_history"sv))
    return false;
  bool lists = !toks.empty() && toks.back().kind == Tok::colon;
  for (const auto& t : toks) {
    if (t.kind == Tok::cue && t.value == "exception"sv) return false;
    lists = lists || (t.kind == Tok::cue && (t.value == "including"sv || t.value == "any_of"sv));
  }
  return lists;
}

std::string CriteriaCompiler::measure_named(std::string_view text) const {
  const auto toks = impl_->lexer.lex(text);
  const Token* named = nullptr;
  for (const auto& t : toks) {
    if (t.kind == Tok::colon || t.kind == Tok::period) continue;
    if (named || t.kind != Tok::concept_ref) return {};
    named = &t;
  }
  if (!named) return {};
  const Concept* c = impl_->lexicon.find(named->value);
  return c && (c->kind == ConceptKind::measure || c->id == "age"sv) ? c->id : std::string();
}

bool CriteriaCompiler::ends_with_or(std::string_view text) const {
  const auto toks = impl_->lexer.lex(text);
  std::size_t k = toks.size();
  while (k > 0 && (toks[k - 1].kind == Tok::period || toks[k - 1].kind == Tok::comma || toks[k - 1].kind == Tok::semicolon))
    --k;
  return k > 0 && toks[k - 1].kind == Tok::connective && toks[k - 1].value == "or"sv;
}

std::optional<ast::Expr> CriteriaCompiler::cohort_label(std::string_view text) const {
  std::string label(text);
  while (!label.empty() && (label.back() == ':' || label.back() == ' ')) label.pop_back();
  label += ":";
  const auto tokens = impl_->lexer.lex(label);
  Compiled unused;
  Parser parser(impl_->lexicon, impl_->lexer, impl_->words, tokens, label, false, false, unused);
  return parser.cohort_label();
}

namespace {

bool cohort_free(const Expr& e) {
  std::vector<std::string> named;
  ast::collect_cohorts(e, named);
  return named.empty();
}

// cohort("Part A"), or cohort("Part A") or cohort("Part B").
bool names_cohorts(const Expr& e) {
  if (boost::get<ast::Cohort>(&e.get())) return true;
  auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get());
  return a && a->get().op == Logic::or_ &&
         std::all_of(a->get().operands.begin(), a->get().operands.end(),
                     [](const Expr& x) { return boost::get<ast::Cohort>(&x.get()) != nullptr; });
}

// `C and Y` (`first`) or `Y and C`, Y naming no cohort: the form the
// grammar gives a scope, in front of what it scopes or after one
// alternative's words.
bool scoped_part(const Expr& e, bool first) {
  auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get());
  if (!a || a->get().op != Logic::and_) return false;
  const auto& ops = a->get().operands;
  return names_cohorts(first ? ops.front() : ops.back()) &&
         std::count_if(ops.begin(), ops.end(), cohort_free) == static_cast<std::ptrdiff_t>(ops.size()) - 1;
}

// Cohort terms stand only where they scope what holds in a part of the
// study: `not C or Y` (an inclusion, met elsewhere), `C and Y` (an
// exclusion, excluding there only), or alternatives, each for its part
// ("healthy (Part A) and with T2DM (Part C)"). Elsewhere ("X and (Part 1)
// and Y" from a construct not read, or a label alone) one would make the
// criterion fail in every other part.
bool well_scoped(const Expr& e, bool exclusion) {
  if (cohort_free(e)) return true;
  if (exclusion && scoped_part(e, true)) return true;
  auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get());
  if (!a || a->get().op != Logic::or_) return false;
  const auto& ops = a->get().operands;
  auto negated_cohorts = [](const Expr& x) {
    auto* n = boost::get<x3::forward_ast<ast::Not>>(&x.get());
    return n && names_cohorts(n->get().operand);
  };
  if (!exclusion && std::count_if(ops.begin(), ops.end(), negated_cohorts) == 1 &&
      std::count_if(ops.begin(), ops.end(), cohort_free) == static_cast<std::ptrdiff_t>(ops.size()) - 1)
    return true;
  auto last = [](const Expr& x) { return scoped_part(x, false); };
  return std::any_of(ops.begin(), ops.end(), last) &&
         std::all_of(ops.begin(), ops.end(), [&](const Expr& x) { return last(x) || names_cohorts(x); });
}

// The cohort terms of a rule that does not scope with them, back to the
// words they were read from: unknown, as any words not understood.
void cohorts_as_words(Expr& e, std::string_view text) {
  if (auto* c = boost::get<ast::Cohort>(&e.get())) {
    ast::Unparsed u;
    const bool spanned = c->span.begin >= 0 && c->span.end <= static_cast<int>(text.size()) && c->span.begin < c->span.end;
    u.text = spanned ? std::string(text.substr(c->span.begin, c->span.end - c->span.begin)) : c->label;
    u.span = c->span;
    e = Expr(u);
  } else if (auto* n = boost::get<x3::forward_ast<ast::Not>>(&e.get())) {
    cohorts_as_words(n->get().operand, text);
  } else if (auto* a = boost::get<x3::forward_ast<ast::NAry>>(&e.get())) {
    for (auto& x : a->get().operands) cohorts_as_words(x, text);
    std::vector<Expr> ops = std::move(a->get().operands);
    e = a->get().op == Logic::at_least ? ast::make_at_least(a->get().n, std::move(ops)) : ast::make_nary(a->get().op, std::move(ops));
  }
}

}  // namespace

// What an AND (flattened, not under a not or an or) requires that no one
// meets: "sex = male and sex = female", or "age >= 18 years and age < 16
// years"; empty when nothing.
std::string contradiction_in(const ast::Expr& rule) {
  std::vector<const ast::Comparison*> required;
  std::function<void(const Expr&)> gather = [&](const Expr& x) {
    if (const auto* c = boost::get<ast::Comparison>(&x.get())) required.push_back(c);
    if (const auto* n = boost::get<x3::forward_ast<ast::NAry>>(&x.get()); n && n->get().op == Logic::and_)
      for (const auto& o : n->get().operands) gather(o);
  };
  gather(rule);
  std::map<std::pair<std::string, std::string>, std::pair<const ast::Comparison*, const ast::Comparison*>> bounds;
  std::set<std::string> sexes;
  for (const auto* c : required) {
    if (!c->word.empty()) {
      if (c->concept_id == "sex"sv && c->op == CmpOp::eq) sexes.insert(c->word);
      continue;
    }
    auto& [lo, hi] = bounds[{c->concept_id, c->unit}];
    const bool lower = c->op == CmpOp::gt || c->op == CmpOp::ge || c->op == CmpOp::eq;
    const bool upper = c->op == CmpOp::lt || c->op == CmpOp::le || c->op == CmpOp::eq;
    if (lower && (!lo || c->value > lo->value)) lo = c;
    if (upper && (!hi || c->value < hi->value)) hi = c;
    if (lo && hi) {
      const bool open = lo->op == CmpOp::gt || hi->op == CmpOp::lt;
      if (lo->value > hi->value || (open && lo->value == hi->value))
        return ast::print(Expr(*lo)) + " and " + ast::print(Expr(*hi));
    }
  }
  if (sexes.size() > 1) return "sex = male and sex = female";
  return {};
}

// In an exclusion, "Age <18, age >65", "BMI <35 and > 60 kg/m2": two bounds
// of one measure that no value meets together, both required, name two
// ranges that each exclude: an alternative.
Expr disjoint_as_alternatives(const Expr& rule) {
  const auto* root = boost::get<x3::forward_ast<ast::NAry>>(&rule.get());
  if (!root || root->get().op != Logic::and_) return rule;
  std::vector<Expr> ops = root->get().operands;
  auto below = [](CmpOp op) { return op == CmpOp::lt || op == CmpOp::le; };
  auto above = [](CmpOp op) { return op == CmpOp::gt || op == CmpOp::ge; };
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto* a = boost::get<ast::Comparison>(&ops[i].get());
    if (!a || !a->word.empty()) continue;
    // Side by side, with a gap between them (not "≤ 1 ... ≥ 1").
    const std::size_t j = i + 1;
    const auto* b = j < ops.size() ? boost::get<ast::Comparison>(&ops[j].get()) : nullptr;
    if (!b || !b->word.empty() || b->concept_id != a->concept_id || b->unit != a->unit) continue;
    const bool disjoint = (below(a->op) && above(b->op) && b->value > a->value) ||
                          (above(a->op) && below(b->op) && b->value < a->value);
    if (!disjoint) continue;
    ops[i] = ast::make_nary(Logic::or_, {ops[i], ops[j]});
    ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(j));
  }
  return ast::make_nary(Logic::and_, std::move(ops));
}

Compiled CriteriaCompiler::compile(std::string_view text, bool exclusion) const { return compile_as(text, exclusion, false); }

Compiled CriteriaCompiler::compile_forbidden(std::string_view text) const { return compile_as(text, false, true); }

Compiled CriteriaCompiler::compile_as(std::string_view text, bool exclusion, bool forbidden) const {
  Compiled out;
  // Real criteria run to a few kilobytes; text far beyond that is not read
  // (kept whole as residue) so hostile input cannot make compiling slow.
  if (text.size() > kMaxCriterionBytes) {
    out.status = Status::unparsed;
    out.unparsed.push_back({0, static_cast<int>(text.size()), std::string(text.substr(0, 200)) + "...",
                            "longer than " + std::to_string(kMaxCriterionBytes) + " bytes: not compiled"});
    return out;
  }
  auto tokens = impl_->lexer.lex(text);
  fold_defined_abbreviations(tokens, text, impl_->lexicon);
  set_aside_restated_abbreviations(tokens, text);
  Parser parser(impl_->lexicon, impl_->lexer, impl_->words, tokens, text, exclusion, forbidden, out);
  out.rule = parser.run();
  if (out.rule && !well_scoped(*out.rule, exclusion)) cohorts_as_words(*out.rule, text);
  // An opener of n of a list whose list was not read as one keeps its words:
  // the list is not decided as all (or any) of it.
  for (const auto& opener : parser.openers()) {
    std::function<bool(const Expr&)> read_in = [&](const Expr& x) {
      if (auto* n = boost::get<x3::forward_ast<ast::Not>>(&x.get())) return read_in(n->get().operand);
      if (auto* a = boost::get<x3::forward_ast<ast::NAry>>(&x.get()))
        return a->get().op == Logic::at_least || std::any_of(a->get().operands.begin(), a->get().operands.end(), read_in);
      auto* u = boost::get<ast::Unparsed>(&x.get());
      return u && u->span.begin <= opener.span.begin && u->span.end >= opener.span.end;
    };
    const bool read = out.rule && read_in(*out.rule);
    if (!read && out.rule) out.rule = ast::make_nary(Logic::and_, {Expr(opener), *out.rule});
  }
  // A reading no patient can meet (both sexes, or bounds on one measure no
  // value meets together, all required) is a misreading: the criterion
  // stays unread rather than failing (or never excluding) everyone.
  if (out.rule && exclusion) out.rule = disjoint_as_alternatives(*out.rule);
  std::string contradiction = out.rule ? contradiction_in(*out.rule) : std::string();
  if (!contradiction.empty()) {
    out.rule.reset();
    out.notes.push_back("not read: its reading requires " + contradiction + ", which no one meets");
  }
  if (!out.rule) {
    out.status = Status::unparsed;
    if (!text.empty())
      out.unparsed.push_back({0, static_cast<int>(text.size()), std::string(text),
                              contradiction.empty() ? "not recognised" : "its reading contradicts itself"});
    out.ignored.clear();
    return out;
  }
  out.status = status_of(*out.rule);
  out.atoms = atoms_of(*out.rule, text);
  walk(*out.rule, false, [&](const Expr& e, bool) {
    if (auto* u = boost::get<ast::Unparsed>(&e.get())) out.unparsed.push_back({u->span.begin, u->span.end, u->text, "not recognised"});
  });
  std::sort(out.ignored.begin(), out.ignored.end(),
            [](auto& a, auto& b) { return a.begin != b.begin ? a.begin < b.begin : a.end > b.end; });
  // Keep the outermost of nested ignored spans.
  std::vector<Span> outer;
  for (auto& s : out.ignored)
    if (outer.empty() || s.begin >= outer.back().end) outer.push_back(std::move(s));
  out.ignored = std::move(outer);
  return out;
}

}  // namespace trialmatch::grammar
