#include "engine/trial_compiler.hpp"

#include <algorithm>
#include <functional>

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
  });
}

}  // namespace trialmatch
