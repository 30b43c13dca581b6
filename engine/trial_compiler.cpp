#include "engine/trial_compiler.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "engine/lexicon.hpp"
#include "engine/parallel.hpp"
#include "grammar/criteria_compiler.hpp"
#include "grammar/rule_parser.hpp"

namespace trialmatch {

void Coverage::add(grammar::Status s) {
  switch (s) {
    case grammar::Status::computable: ++computable; break;
    case grammar::Status::partial: ++partial; break;
    case grammar::Status::manual: ++manual; break;
    case grammar::Status::unparsed: ++unparsed; break;
  }
}

Coverage& Coverage::operator+=(const Coverage& o) {
  computable += o.computable;
  partial += o.partial;
  manual += o.manual;
  unparsed += o.unparsed;
  return *this;
}

Coverage coverage_of(const Trial& trial) {
  Coverage c;
  for (const auto& cr : trial.criteria) c.add(cr.compiled.status);
  return c;
}

namespace {

[[noreturn]] void override_error(const RuleOverride& o, std::size_t offset, const std::string& message) {
  std::string msg = "override for " + o.criterion_id + ": " + message;
  if (o.line > 0) {
    // The caret points into the file where the rule text stands.
    int column = o.column + static_cast<int>(offset);
    throw InputError({Severity::error, o.file, o.line, column, "",
                      msg + "\n  " + o.source_line + "\n  " + std::string(column > 0 ? column - 1 : 0, ' ') + "^"});
  }
  throw InputError({Severity::error, o.file, 0, 0, "", msg + "\n  " + o.text + "\n  " + std::string(offset, ' ') + "^"});
}

// Every concept a rule names must be in the lexicon.
void check_concepts(const ast::Expr& e, const Lexicon& lex, const RuleOverride& o) {
  std::vector<std::string> ids;
  std::function<void(const ast::Expr&)> visit = [&](const ast::Expr& x) {
    if (auto* n = boost::get<ast::x3::forward_ast<ast::Not>>(&x.get())) return visit(n->get().operand);
    if (auto* a = boost::get<ast::x3::forward_ast<ast::NAry>>(&x.get())) {
      for (const auto& op : a->get().operands) visit(op);
      return;
    }
    if (auto* c = boost::get<ast::Comparison>(&x.get())) ids.push_back(c->concept_id);
    if (auto* c = boost::get<ast::Count>(&x.get())) ids.insert(ids.end(), c->concepts.begin(), c->concepts.end());
    if (auto* c = boost::get<ast::Duration>(&x.get())) ids.push_back(c->concept_id);
    if (auto* c = boost::get<ast::Predicate>(&x.get())) {
      ids.push_back(c->concept_id);
      ids.insert(ids.end(), c->except.begin(), c->except.end());
    }
  };
  visit(e);
  for (const auto& id : ids) {
    if (lex.find(id)) continue;
    auto pos = o.text.find(id);
    override_error(o, pos == std::string::npos ? 0 : pos, "unknown concept \"" + id + "\" (not in the lexicon)");
  }
}

// Calls f on the source span of every leaf of a rule.
template <class F>
void for_each_span(ast::Expr& e, const F& f) {
  if (auto* n = boost::get<ast::x3::forward_ast<ast::Not>>(&e.get())) return for_each_span(n->get().operand, f);
  if (auto* a = boost::get<ast::x3::forward_ast<ast::NAry>>(&e.get())) {
    for (auto& op : a->get().operands) for_each_span(op, f);
    return;
  }
  if (auto* x = boost::get<ast::Comparison>(&e.get())) f(x->span);
  if (auto* x = boost::get<ast::Count>(&e.get())) f(x->span);
  if (auto* x = boost::get<ast::Duration>(&e.get())) f(x->span);
  if (auto* x = boost::get<ast::Predicate>(&e.get())) f(x->span);
  if (auto* x = boost::get<ast::Manual>(&e.get())) f(x->span);
  if (auto* x = boost::get<ast::Unparsed>(&e.get())) f(x->span);
  if (auto* x = boost::get<ast::Cohort>(&e.get())) f(x->span);
}

// Moves every source span of a rule by `by` bytes: a sub-item's text is
// appended to its heading's.
void shift_spans(ast::Expr& e, int by) {
  for_each_span(e, [by](ast::Span& sp) {
    if (sp.begin >= 0) sp.begin += by;
    if (sp.end >= 0) sp.end += by;
  });
}

// Spans moved before the text's start (words of a heading read with it) start at 0.
void clamp_spans(ast::Expr& e) {
  for_each_span(e, [](ast::Span& sp) {
    if (sp.begin < 0 && sp.end > 0) sp.begin = 0;
    if (sp.end < 0) sp = ast::Span{};
  });
}

bool has_ignored(const Criterion& c, std::string_view reason) {
  return std::any_of(c.compiled.ignored.begin(), c.compiled.ignored.end(), [&](const auto& s) { return s.reason == reason; });
}

// A heading's own words, with what is only its label set aside: a heading
// that ends in a colon and says its sub-items define it ("Adequate cardiac
// function as defined by one of the following:") names what they say, as a
// label before a colon does within a criterion. Other words of a heading
// ("Must be on ART for 6 months. Only the following regimens:") stay.
struct Heading {
  std::optional<ast::Expr> own;  // what the heading itself requires
  bool label = false;            // its unparsed words are only a label
};

Heading read_heading(const Criterion& heading) {
  const auto& rule = heading.compiled.rule;
  if (!rule) return {std::nullopt, true};  // nothing read: its words only head the items
  std::string_view text = heading.text;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  const bool defined_below = has_ignored(heading, "reference") || has_ignored(heading, "definition");
  if (!text.ends_with(':') || !defined_below) return {rule, false};
  // A label names a thing; words with a number in them ("Age >= 40 years
  // with established CV disease as defined by ...") require something.
  auto is_unparsed = [](const ast::Expr& x) { return boost::get<ast::Unparsed>(&x.get()) != nullptr; };
  for (const auto& u : heading.compiled.unparsed)
    if (std::any_of(u.text.begin(), u.text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return {rule, false};
  std::vector<ast::Expr> kept;
  if (auto* a = boost::get<ast::x3::forward_ast<ast::NAry>>(&rule->get()); a && a->get().op == ast::Logic::and_) {
    for (const auto& op : a->get().operands)
      if (!is_unparsed(op)) kept.push_back(op);
  } else if (!is_unparsed(*rule)) {
    kept.push_back(*rule);
  }
  if (kept.empty()) return {std::nullopt, true};
  return {ast::make_nary(ast::Logic::and_, kept), true};
}

// The rule without its unparsed words inside `span` (byte offsets): what
// they said is read elsewhere. None if nothing else is left.
std::optional<ast::Expr> without_words_in(const ast::Expr& rule, std::pair<int, int> span) {
  auto inside = [&](const ast::Expr& x) {
    auto* u = boost::get<ast::Unparsed>(&x.get());
    return u && u->span.begin >= span.first && u->span.end <= span.second;
  };
  if (inside(rule)) return std::nullopt;
  auto* a = boost::get<ast::x3::forward_ast<ast::NAry>>(&rule.get());
  if (!a || a->get().op != ast::Logic::and_) return rule;
  std::vector<ast::Expr> kept;
  for (const auto& op : a->get().operands)
    if (!inside(op)) kept.push_back(op);
  if (kept.empty()) return std::nullopt;
  return ast::make_nary(ast::Logic::and_, kept);
}

// The heading's unread words are its label: set aside, not residue.
void mark_label(Criterion& c) {
  for (auto& u : c.compiled.unparsed) c.compiled.ignored.push_back({u.begin, u.end, u.text, "label of the sub-items"});
  c.compiled.unparsed.clear();
}

void set_rule(Criterion& c, const ast::Expr& rule, bool label) {
  // Items folded into a rule no one meets were misread together (an "any
  // of" heading not recognised as one): the heading stays unread.
  if (const std::string contradiction = grammar::contradiction_in(rule); !contradiction.empty()) {
    ast::Unparsed words;
    words.text = c.text;
    words.span = {0, static_cast<int>(c.text.size())};
    c.compiled.rule = ast::Expr(words);
    c.compiled.status = grammar::Status::unparsed;
    c.compiled.atoms.clear();
    c.compiled.unparsed = {{0, static_cast<int>(c.text.size()), c.text, "its items read together contradict each other"}};
    c.compiled.notes.push_back("not read: its items together require " + contradiction + ", which no one meets");
    return;
  }
  if (label) mark_label(c);
  c.compiled.rule = rule;
  c.compiled.status = grammar::status_of(rule);
  c.compiled.atoms = grammar::atoms_of(rule);
}

// Appends a sub-item to its heading: its text after the heading's, its
// spans moved along; returns its rule (or its text as unparsed).
ast::Expr fold_into(Criterion& heading, Criterion& kid) {
  const int at = static_cast<int>(heading.text.size()) + 3;
  heading.text += "\n- " + kid.text;
  for (const auto& s : kid.compiled.unparsed) heading.compiled.unparsed.push_back({s.begin + at, s.end + at, s.text, s.reason});
  for (const auto& s : kid.compiled.ignored) heading.compiled.ignored.push_back({s.begin + at, s.end + at, s.text, s.reason});
  heading.compiled.notes.insert(heading.compiled.notes.end(), kid.compiled.notes.begin(), kid.compiled.notes.end());
  if (kid.compiled.rule) {
    ast::Expr e = *kid.compiled.rule;
    shift_spans(e, at);
    return e;
  }
  ast::Unparsed u;
  u.text = kid.text;
  u.span = {at, at + static_cast<int>(kid.text.size())};
  heading.compiled.unparsed.push_back({at, at + static_cast<int>(kid.text.size()), kid.text, ""});
  return ast::Expr(u);
}

// Under "No clinically significant abnormalities in chemistry variables:"
// items that allow values at the upper limit of normal or beyond it
// ("bilirubin ≤ 1.5 x ULN", "creatinine within normal limits") say what is
// acceptable, not what is forbidden. ("No diabetes with end-organ damage
// defined as:" lists what is forbidden.)
bool items_state_normal(const std::vector<Criterion>& all, const std::vector<std::size_t>& kids) {
  for (std::size_t k : kids) {
    if (!all[k].compiled.rule) continue;
    std::function<bool(const ast::Expr&, bool)> normal = [&](const ast::Expr& e, bool negated) -> bool {
      if (auto* n = boost::get<ast::x3::forward_ast<ast::Not>>(&e.get())) return normal(n->get().operand, !negated);
      if (auto* a = boost::get<ast::x3::forward_ast<ast::NAry>>(&e.get()))
        return std::any_of(a->get().operands.begin(), a->get().operands.end(),
                           [&](const ast::Expr& o) { return normal(o, negated); });
      auto* c = boost::get<ast::Comparison>(&e.get());
      const bool upper = c && (c->op == ast::CmpOp::le || c->op == ast::CmpOp::lt);
      return !negated && upper && c->unit == "xULN" && c->value >= 1;
    };
    if (normal(*all[k].compiled.rule, false)) return true;
  }
  return false;
}

// Sub-items (I4.1, I4.2 under I4) and their heading. Under "one of the
// following" in an inclusion they are alternatives that decide only
// together: they are folded into the heading's criterion, their rules
// joined by "or" (ANDed, one failing item failed the trial). Otherwise each
// stays a criterion of its own (in an exclusion each excludes), and a
// heading that is only a label says what they say together instead of
// staying undecided.
void read_sub_items(Trial& t, const grammar::CriteriaCompiler& compiler) {
  for (std::size_t p = t.criteria.size(); p-- > 0;) {
    std::vector<std::size_t> kids;
    for (std::size_t k = p + 1; k < t.criteria.size(); ++k)
      if (t.criteria[k].parent == t.criteria[p].id) kids.push_back(k);
    Criterion& heading = t.criteria[p];
    // "Supplemental oxygen, with the following exceptions:": the sub-items
    // narrow the heading; not read here.
    if (kids.empty() || heading.curated || has_ignored(heading, "exception")) continue;
    const bool exclusion = heading.kind == CriterionKind::exclusion;
    if (!exclusion && compiler.opens_with_negation(heading.text) && !items_state_normal(t.criteria, kids)) {
      // "No thrombotic events including any of the following: stroke, ...":
      // each item is forbidden; read literally each was required.
      for (std::size_t k : kids) {
        Criterion& kid = t.criteria[k];
        if (!kid.compiled.rule || kid.curated) continue;
        // What holds for a group is forbidden with its group ("LVEF < 45%
        // for patients with cardiac history"): not the requirement negated.
        if (auto forbidden = compiler.compile_forbidden(kid.text); forbidden.rule && !(*forbidden.rule == *kid.compiled.rule))
          if (auto plain = compiler.compile(kid.text, false); plain.rule && *plain.rule == *kid.compiled.rule)
            kid.compiled = std::move(forbidden);
        set_rule(kid, ast::make_not(*kid.compiled.rule), false);
        kid.compiled.notes.push_back("under " + heading.id + "'s negation: forbidden, not required");
      }
      continue;
    }
    auto [own, label] = read_heading(heading);
    // In an exclusion any item excludes already (below), unless n ≥ 2 of
    // them are needed.
    std::pair<int, int> opener{-1, -1};
    int needed = compiler.alternatives_needed(heading.text, &opener);
    if (static_cast<std::size_t>(needed) > kids.size()) needed = 0;  // not all of its list is here
    if (needed > (exclusion ? 1 : 0)) {
      if (label) mark_label(heading);  // before the items' own residue joins it
      std::vector<ast::Expr> alternatives;
      for (std::size_t k : kids) alternatives.push_back(fold_into(heading, t.criteria[k]));
      std::vector<ast::Expr> conj;
      // The words that open the list ("at least two of the following") are read.
      if (own) own = without_words_in(*own, opener);
      auto& residue = heading.compiled.unparsed;
      for (auto it = residue.begin(); it != residue.end();) {
        if (it->begin >= opener.first && it->end <= opener.second) {
          heading.compiled.ignored.push_back({it->begin, it->end, it->text, "opens the list of its sub-items"});
          it = residue.erase(it);
        } else {
          ++it;
        }
      }
      if (own) conj.push_back(*own);
      conj.push_back(ast::make_at_least(needed, alternatives));
      set_rule(heading, ast::make_nary(ast::Logic::and_, conj), false);
      heading.compiled.notes.push_back(needed == 1 ? "its sub-items are alternatives: one of them is enough"
                                                   : "its sub-items are alternatives: " + std::to_string(needed) +
                                                         " of them are needed");
      for (std::size_t k = kids.size(); k-- > 0;) t.criteria.erase(t.criteria.begin() + static_cast<std::ptrdiff_t>(kids[k]));
      continue;
    }
    if (own) continue;  // the heading requires something of its own: as read
    std::vector<ast::Expr> parts;
    for (std::size_t k : kids) {
      const Criterion& kid = t.criteria[k];
      if (kid.compiled.rule) {
        parts.push_back(*kid.compiled.rule);
      } else {
        ast::Unparsed u;
        u.text = kid.text;
        parts.push_back(ast::Expr(u));
      }
    }
    const ast::Expr rule = ast::make_nary(exclusion ? ast::Logic::or_ : ast::Logic::and_, parts);
    if (!grammar::contradiction_in(rule).empty()) {
      // Required together the items contradict each other: they were not
      // meant together. The heading takes them in, unread, rather than
      // failing everyone on them.
      for (std::size_t k : kids) fold_into(heading, t.criteria[k]);
      set_rule(heading, rule, label);
      for (std::size_t k = kids.size(); k-- > 0;) t.criteria.erase(t.criteria.begin() + static_cast<std::ptrdiff_t>(kids[k]));
      continue;
    }
    set_rule(heading, rule, label);
    // Its comparisons are its sub-items', listed there: counted once.
    if (!heading.compiled.atoms.empty()) heading.compiled.notes.push_back("its atoms are its sub-items', listed under them");
    heading.compiled.atoms.clear();
  }
}

// "- Type 1 diabetes, or" then "- Type 2 diabetes": inclusion items at one
// level joined by a trailing "or" are one criterion of alternatives (each
// was required). The later items fold into the first.
void read_or_chains(Trial& t, const grammar::CriteriaCompiler& compiler) {
  for (std::size_t i = 0; i < t.criteria.size(); ++i) {
    Criterion& first = t.criteria[i];
    if (first.kind != CriterionKind::inclusion || first.curated || !compiler.ends_with_or(first.text)) continue;
    std::vector<std::size_t> chain;
    for (std::size_t k = i + 1; k < t.criteria.size(); ++k) {
      const Criterion& next = t.criteria[k];
      if (next.parent != first.parent) {
        if (next.parent.rfind(first.id, 0) == 0) continue;  // its own sub-items
        break;
      }
      if (next.kind != CriterionKind::inclusion || next.curated) break;
      // An item with sub-items of its own is a heading: not folded.
      if (std::any_of(t.criteria.begin(), t.criteria.end(), [&](const Criterion& c) { return c.parent == next.id; })) break;
      chain.push_back(k);
      if (!compiler.ends_with_or(next.text)) break;
    }
    if (chain.empty()) continue;
    std::vector<ast::Expr> alternatives;
    if (first.compiled.rule) {
      alternatives.push_back(*first.compiled.rule);
    } else {
      ast::Unparsed u;
      u.text = first.text;
      u.span = {0, static_cast<int>(first.text.size())};
      alternatives.push_back(ast::Expr(u));
    }
    for (std::size_t k : chain) alternatives.push_back(fold_into(first, t.criteria[k]));
    set_rule(first, ast::make_nary(ast::Logic::or_, alternatives), false);
    first.compiled.notes.push_back("items joined by \"or\": one of them is enough");
    for (std::size_t k = chain.size(); k-- > 0;) t.criteria.erase(t.criteria.begin() + static_cast<std::ptrdiff_t>(chain[k]));
  }
}

void forget_cohort_spans(ast::Expr& e) {
  if (auto* a = boost::get<ast::x3::forward_ast<ast::NAry>>(&e.get()))
    for (auto& op : a->get().operands) forget_cohort_spans(op);
  if (auto* x = boost::get<ast::Cohort>(&e.get())) x->span = {};
}

// Items under a heading that names a part of the study ("Part B only:",
// "Cohort 1:") hold in that part only: an inclusion is met elsewhere, an
// exclusion excludes no one elsewhere. An item not read keeps its text as
// what it requires there.
void read_cohort_groups(Trial& t, const grammar::CriteriaCompiler& compiler) {
  std::string last_group;
  std::optional<ast::Expr> cohorts;
  for (auto& c : t.criteria) {
    if (c.group.empty() || c.curated) continue;
    if (c.group != last_group) {
      last_group = c.group;
      cohorts = compiler.cohort_label(c.group);
      // The label's spans are in the heading, not in an item's text.
      if (cohorts) forget_cohort_spans(*cohorts);
    }
    if (!cohorts) continue;
    ast::Expr rule = c.compiled.rule ? *c.compiled.rule : ast::Expr(ast::Unparsed{c.text, {0, static_cast<int>(c.text.size())}});
    rule = c.kind == CriterionKind::exclusion ? ast::make_nary(ast::Logic::and_, {*cohorts, rule})
                                              : ast::make_nary(ast::Logic::or_, {ast::make_not(*cohorts), rule});
    c.compiled.rule = std::move(rule);
    c.compiled.status = grammar::status_of(*c.compiled.rule);
  }
}

// Items under a heading that names one measure ("Age:" then "18 and over",
// "Performance status:" then "WHO 0-2", as old NCI records are laid out)
// state its bounds without naming it: an item that reads no bound on that
// measure is read again after its heading's name. Under any other heading
// ("Life expectancy:" then "More than 12 weeks") an item read not at all is
// read again so, and kept so only if it then reads as for a person to
// confirm. The
// heading's words are not the item's: spans stay in the item's text.
void read_heading_groups(Trial& t, const grammar::CriteriaCompiler& compiler) {
  std::string last_group, measure;
  for (auto& c : t.criteria) {
    if (c.group.empty() || c.curated) continue;
    if (c.group != last_group) {
      last_group = c.group;
      measure = compiler.measure_named(c.group);
    }
    auto bounds = [&](const grammar::Compiled& x) {
      return std::count_if(x.atoms.begin(), x.atoms.end(), [&](const auto& a) { return a.concept_id == measure; });
    };
    if (measure.empty() ? c.compiled.status != grammar::Status::unparsed
                        : c.compiled.status == grammar::Status::computable || bounds(c.compiled) > 0)
      continue;
    std::string prefix = c.group;
    prefix.append(": ");
    std::string text = prefix;
    text.append(c.text);
    grammar::Compiled again = compiler.compile(text, c.kind == CriterionKind::exclusion);
    if (!again.rule) continue;
    // Under another heading only a reading for a person to confirm is
    // taken: a heading's concept ("Severe hepatic impairment, defined as:")
    // would stand in for what the item itself says.
    if (measure.empty() ? again.status != grammar::Status::manual
                        : bounds(again) == 0 || again.unparsed.size() > c.compiled.unparsed.size())
      continue;
    const int by = -static_cast<int>(prefix.size());
    shift_spans(*again.rule, by);
    ast::Expr rule = *again.rule;
    // The item's own spans, moved back; those in the heading's words dropped.
    auto moved = [by](const std::vector<grammar::Span>& spans) {
      std::vector<grammar::Span> out;
      for (const auto& s : spans)
        if (s.end + by > 0) out.push_back({std::max(0, s.begin + by), s.end + by, s.text, s.reason});
      return out;
    };
    c.compiled.unparsed = moved(again.unparsed);
    c.compiled.ignored = moved(again.ignored);
    c.compiled.notes = again.notes;
    c.compiled.notes.push_back("read with its heading (\"" + c.group + "\")");
    clamp_spans(rule);
    set_rule(c, rule, false);
    if (c.compiled.rule) c.compiled.atoms = grammar::atoms_of(*c.compiled.rule, c.text);
  }
}

}  // namespace

void compile_trials(std::vector<Trial>& trials, const Lexicon& lexicon) {
  grammar::CriteriaCompiler compiler(lexicon);
  // Trials compile independently (the compiler is read-only once built).
  parallel_for(trials.size(), [&](std::size_t i) {
    Trial& t = trials[i];
    for (auto& c : t.criteria) {
      c.compiled = compiler.compile(c.text, c.kind == CriterionKind::exclusion);
      c.curated = false;
    }
    for (const auto& o : t.overrides) {
      auto it = std::find_if(t.criteria.begin(), t.criteria.end(), [&](auto& c) { return c.id == o.criterion_id; });
      if (it == t.criteria.end()) override_error(o, 0, "trial " + t.id + " has no criterion " + o.criterion_id);
      auto parsed = grammar::parse_rule(o.text);
      if (auto* err = std::get_if<grammar::RuleError>(&parsed)) override_error(o, err->offset, err->message);
      const auto& rule = std::get<ast::Expr>(parsed);
      check_concepts(rule, lexicon, o);
      grammar::Compiled compiled;
      compiled.rule = rule;
      compiled.status = grammar::status_of(rule);
      compiled.atoms = grammar::atoms_of(rule);
      it->compiled = std::move(compiled);
      it->curated = true;
    }
    read_or_chains(t, compiler);
    read_sub_items(t, compiler);
    read_cohort_groups(t, compiler);
    read_heading_groups(t, compiler);
  });
}

}  // namespace trialmatch
