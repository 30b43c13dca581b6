#include "engine/lean_evaluate.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace trialmatch {

using ast::CmpOp;
using Kind = PlanNode::Kind;

namespace {

LeanResult lean(bool b) { return {b ? Truth::yes : Truth::no, Unknown::none}; }
LeanResult lean_unknown(Unknown r) { return {Truth::unknown, r}; }

std::uint32_t index_of(const Concept* c, const Lexicon& lex) {
  return static_cast<std::uint32_t>(c - lex.concepts().data());
}

bool condition_active(const LeanCondition& c, Date as_of) {
  return c.status == RecordStatus::active && (!c.abatement || *c.abatement > as_of);
}

bool medication_active(const LeanMedication& m, Date as_of) {
  return m.status == RecordStatus::active && (!m.end || *m.end >= as_of);
}

// An autoantibody result read as written: positive, negative, or unknown
// (a titre without a cut-off).
std::optional<bool> positivity(const LeanObservation& o) {
  if (o.qualitative == Qualitative::positive) return true;
  if (o.qualitative == Qualitative::negative) return false;
  if (o.has_value && o.has_reference_high) return o.raw_value > o.raw_reference_high;
  return std::nullopt;
}

// Completed units of age, as eval_compare counts them.
LeanResult compare_age(const PlanNode& n, const LeanFacts& f) {
  double age = 0;
  if (f.birth_date) {
    age = f.age_in[static_cast<int>(n.unit)];
  } else if (f.age) {
    double years = *f.age;
    switch (n.unit) {
      case TimeUnit::years: age = std::floor(years); break;
      case TimeUnit::months: age = std::floor(years * 12); break;
      case TimeUnit::weeks: age = std::floor(years * 52.1786); break;
      case TimeUnit::days: age = std::floor(years * 365.25); break;
    }
  } else {
    return lean_unknown(Unknown::missing_data);
  }
  return lean(compare_numbers(age, n.op, n.threshold));
}

// The newest value within the concept's look-back, converted, plausible,
// against the threshold (times the upper limit of normal when so written).
LeanResult compare_measure(const PlanNode& n, const LeanFacts& f) {
  const Concept& c = *n.concept_ref;
  const LeanObservation* o = nullptr;
  for (const auto& r : f.observations(n.concept_index))
    if (r.has_value) {
      o = &r;
      break;
    }
  if (!o) return lean_unknown(Unknown::missing_data);
  if (n.lookback && o->date < add(f.as_of, -n.lookback->first, n.lookback->second))
    return lean_unknown(Unknown::missing_data);
  if (!o->convertible) return lean_unknown(Unknown::unit_mismatch);
  if (c.plausible && (o->value < c.plausible->first || o->value > c.plausible->second)) return lean_unknown(Unknown::missing_data);
  double threshold = n.threshold;
  if (n.uln) {
    double uln;
    if (o->has_reference_high) uln = o->reference_high;
    else if (c.uln_default) uln = *c.uln_default;
    else return lean_unknown(Unknown::missing_data);
    threshold *= uln;
  }
  return lean(compare_numbers(o->value, n.op, threshold));
}

LeanResult count_positive(const PlanNode& n, const LeanFacts& f, const Lexicon& lex) {
  int positive = 0, undecided = 0;
  for (const Concept* c : n.concepts) {
    auto rs = f.observations(index_of(c, lex));
    auto pos = rs.empty() ? std::nullopt : positivity(rs.front());
    if (pos) positive += *pos;
    else ++undecided;
  }
  bool now = compare_numbers(positive, n.op, n.n);
  // Unknown results could still move the count across the threshold.
  bool best = compare_numbers(positive + undecided, n.op, n.n);
  return undecided > 0 && now != best ? lean_unknown(Unknown::missing_data) : lean(now);
}

LeanResult count_events(const PlanNode& n, const LeanFacts& f) {
  Date from{INT_MIN};
  if (n.window) from = add(f.as_of, -n.window->amount, n.window_unit);
  int count = 0;
  for (const auto& e : f.events(n.concept_index)) count += e.date > from;
  return lean(compare_numbers(count, n.op, n.n));
}

LeanResult duration(const PlanNode& n, const LeanFacts& f) {
  const std::uint32_t c = n.concept_index;
  const bool since = n.kind == Kind::since;
  std::optional<Date> from;
  bool any = false, active = false;
  for (const auto& r : f.conditions(c)) {
    any = true;
    if (since) {
      if (condition_active(r, f.as_of)) active = true;
      else if (r.abatement && (!from || *r.abatement > *from)) from = r.abatement;
    } else if (r.onset && (!from || *r.onset < *from)) {
      from = r.onset;
    }
  }
  for (const auto& m : f.medications(c)) {
    any = true;
    if (!since && m.start && (!from || *m.start < *from)) from = m.start;
  }
  if (!any) return lean(false);
  if (since && active && !from) return lean(false);
  if (!from) return lean_unknown(Unknown::missing_data);
  int amount = static_cast<int>(std::clamp(n.threshold, -1e5, 1e5));
  Date mark = add(*from, amount, n.unit);
  bool ge = mark <= f.as_of, gt = mark < f.as_of;
  switch (n.op) {
    case CmpOp::ge: return lean(ge);
    case CmpOp::gt: return lean(gt);
    case CmpOp::lt: return lean(!ge);
    case CmpOp::le: return lean(!gt);
    case CmpOp::eq: return lean(ge && !gt);
    case CmpOp::ne: return lean(!(ge && !gt));
  }
  return lean(false);
}

LeanResult presence(const PlanNode& n, const LeanFacts& f) {
  const Concept& c = *n.concept_ref;
  const std::uint32_t ci = n.concept_index;
  const bool history = n.kind == Kind::history;
  const Date as_of = f.as_of;
  std::optional<Date> from;
  if (n.window) from = add(as_of, -n.window->amount, n.window_unit);
  if (n.special == PlanNode::Special::healthy_volunteer) return lean(!f.any_active_condition());
  switch (c.kind) {
    case ConceptKind::event:
      for (const auto& e : f.events(ci))
        if (!from || e.date > *from) return lean(true);
      return lean(false);
    case ConceptKind::medication:
      for (const auto& m : f.medications(ci))
        if (from ? (!m.end || *m.end >= *from) : (history || medication_active(m, as_of))) return lean(true);
      return lean(false);
    case ConceptKind::autoantibody:
    case ConceptKind::measure:
    case ConceptKind::group:
      return lean_unknown(Unknown::unparsed);  // named without a threshold
    default:
      // Closed world: no record means no.
      for (const auto& r : f.conditions(ci)) {
        bool counts = from ? (!r.abatement || *r.abatement >= *from) : (history || condition_active(r, as_of));
        if (counts) return lean(true);
      }
      return lean(false);
  }
}

LeanResult positive_or_negative(const PlanNode& n, const LeanFacts& f) {
  auto rs = f.observations(n.concept_index);
  if (rs.empty()) return lean_unknown(Unknown::missing_data);
  auto pos = positivity(rs.front());
  if (!pos) return lean_unknown(Unknown::missing_data);
  return lean(*pos == (n.kind == Kind::positive));
}

// present(c) / history(c) with no window on a concept read from the bits.
bool reads_bits(const PlanNode& n) {
  if ((n.kind != Kind::present && n.kind != Kind::history) || !n.concept_ref || n.window ||
      n.special != PlanNode::Special::none)
    return false;
  auto k = n.concept_ref->kind;
  return k != ConceptKind::autoantibody && k != ConceptKind::measure && k != ConceptKind::group;
}

bool test_bits(const PlanNode& n, const LeanFacts& f) {
  const auto& present = f.present_bits();
  const auto& history = f.history_bits();
  const bool all = n.kind == Kind::all_present;
  for (std::size_t w = 0; w < n.present_bits.size(); ++w) {
    std::uint64_t p = present[w] & n.present_bits[w], h = history[w] & n.history_bits[w];
    if (all ? (p != n.present_bits[w] || h != n.history_bits[w]) : (p | h) != 0) return !all;
  }
  return all;
}

}  // namespace

PlanNode lean_plan(const PlanNode& node, const Lexicon& lexicon) {
  PlanNode out = node;
  out.children.clear();
  const std::size_t words = (lexicon.concepts().size() + 63) / 64;
  auto bits_node = [&](Kind kind) {
    PlanNode b;
    b.kind = kind;
    b.present_bits.assign(words, 0);
    b.history_bits.assign(words, 0);
    return b;
  };
  auto add_bit = [](PlanNode& b, const PlanNode& leaf) {
    auto& bits = leaf.kind == Kind::history ? b.history_bits : b.present_bits;
    bits[leaf.concept_index / 64] |= std::uint64_t{1} << (leaf.concept_index % 64);
  };
  if (reads_bits(node)) {
    PlanNode b = bits_node(Kind::any_present);
    add_bit(b, node);
    return b;
  }
  if (node.kind == Kind::and_ || node.kind == Kind::or_) {
    // A bit test is never unknown, so it may go first: which operand is
    // decisive, and which unknown reason is reported, do not change.
    PlanNode b = bits_node(node.kind == Kind::or_ ? Kind::any_present : Kind::all_present);
    int grouped = 0;
    for (const auto& c : node.children)
      if (reads_bits(c)) {
        add_bit(b, c);
        ++grouped;
      }
    if (grouped) out.children.push_back(std::move(b));
    for (const auto& c : node.children)
      if (!reads_bits(c)) out.children.push_back(lean_plan(c, lexicon));
    if (out.children.size() == 1) return std::move(out.children.front());
    return out;
  }
  for (const auto& c : node.children) out.children.push_back(lean_plan(c, lexicon));
  return out;
}

LeanResult evaluate_lean(const PlanNode& n, const LeanFacts& f, const Lexicon& lex) {
  switch (n.kind) {
    case Kind::compare:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      if (!n.unit_error.empty()) return lean_unknown(Unknown::unit_mismatch);
      return n.special == PlanNode::Special::age ? compare_age(n, f) : compare_measure(n, f);
    case Kind::sex_is: {
      if (f.sex == Sex::unknown) return lean_unknown(Unknown::missing_data);
      bool same = n.sex == f.sex;
      return lean(n.op == CmpOp::ne ? !same : same);
    }
    case Kind::count_positive: return count_positive(n, f, lex);
    case Kind::count_events:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      return count_events(n, f);
    case Kind::duration:
    case Kind::since:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      return duration(n, f);
    case Kind::present:
    case Kind::history:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      return presence(n, f);
    case Kind::positive:
    case Kind::negative:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      return positive_or_negative(n, f);
    case Kind::manual: return lean_unknown(Unknown::manual);
    case Kind::unparsed: return lean_unknown(Unknown::unparsed);
    case Kind::literal: return lean(n.value);
    case Kind::any_present:
    case Kind::all_present: return lean(test_bits(n, f));
    case Kind::not_: {
      LeanResult r = evaluate_lean(n.children.front(), f, lex);
      if (r.truth != Truth::unknown) r.truth = r.truth == Truth::yes ? Truth::no : Truth::yes;
      return r;
    }
    case Kind::and_:
    case Kind::or_: {
      // false and unknown = false; true or unknown = true. Among unknowns a
      // manual one wins, else the first (combine() in evaluate.cpp).
      const Truth decisive = n.kind == Kind::and_ ? Truth::no : Truth::yes;
      bool unknown_seen = false;
      Unknown reason = Unknown::none;
      for (const auto& c : n.children) {
        LeanResult r = evaluate_lean(c, f, lex);
        if (r.truth == decisive) return r;
        if (r.truth == Truth::unknown) {
          if (!unknown_seen || r.reason == Unknown::manual) reason = r.reason;
          unknown_seen = true;
        }
      }
      return unknown_seen ? lean_unknown(reason) : lean(decisive == Truth::no);
    }
  }
  return lean_unknown(Unknown::unparsed);
}

double lean_score(int passing, int computable) {
  return computable ? std::round(10000.0 * passing / computable) / 10000.0 : 0.0;
}

LeanTrialResult evaluate_trial_lean(const TrialPlan& plan, const LeanFacts& facts, const Lexicon& lexicon,
                                    std::span<LeanCriterion> out) {
  LeanTrialResult result;
  bool fails = false, undecided = false;
  for (std::size_t i = 0; i < plan.criteria.size(); ++i) {
    const CriterionPlan& cp = plan.criteria[i];
    LeanResult r = cp.lean_root ? evaluate_lean(*cp.lean_root, facts, lexicon) : lean_unknown(Unknown::unparsed);
    // A manual answer in the profile replaces a manual or unparsed unknown.
    if (r.truth == Truth::unknown && facts.answers && (r.reason == Unknown::manual || r.reason == Unknown::unparsed)) {
      auto it = facts.answers->find(plan.trial->id + "/" + cp.criterion->id);
      if (it != facts.answers->end()) r = lean(it->second);
    }
    LeanCriterion& c = out[i];
    c.outcome = r.truth == Truth::yes ? Outcome::met : r.truth == Truth::no ? Outcome::not_met : Outcome::unknown;
    c.manual = c.outcome == Outcome::unknown && r.reason == Unknown::manual;
    const bool inclusion = cp.inclusion;
    fails = fails || (inclusion ? c.outcome == Outcome::not_met : c.outcome == Outcome::met);
    if (c.outcome == Outcome::unknown && !c.manual) undecided = true;
    if (cp.computable) {
      ++result.computable;
      result.passing += inclusion ? c.outcome == Outcome::met : c.outcome == Outcome::not_met;
    }
  }
  result.verdict = fails ? Verdict::ineligible : undecided ? Verdict::undetermined : Verdict::eligible;
  return result;
}

}  // namespace trialmatch
