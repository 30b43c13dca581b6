#include "engine/lean_evaluate.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>

namespace trialmatch {

using ast::CmpOp;
using Kind = PlanNode::Kind;
using Code = LeanOp::Code;

namespace {

LeanResult lean(bool b) { return {b ? Truth::yes : Truth::no, Unknown::none}; }
LeanResult lean_unknown(Unknown r) { return {Truth::unknown, r}; }

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

// Completed units of age, as eval_compare counts them; false when unknown.
[[gnu::always_inline]] inline bool age_of(const LeanOp& n, const LeanFacts& f, double& age) {
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
    return false;
  }
  return true;
}

LeanResult age(const LeanOp& n, const LeanFacts& f) {
  double a = 0;
  if (!age_of(n, f, a)) return lean_unknown(Unknown::missing_data);
  return lean(compare_numbers(a, n.op, n.threshold));
}

// The two comparisons of a pair, combined as `and` / `or` would combine
// them: both are known or both unknown for the same reason.
LeanResult pair(const LeanOp& n, double x) {
  const bool first = compare_numbers(x, n.op, n.threshold), second = compare_numbers(x, n.op2, n.threshold2);
  return lean(n.both ? first && second : first || second);
}

// The newest value within the concept's look-back, converted and
// plausible; null with the reason when there is none.
[[gnu::always_inline]] inline const LeanObservation* measured(const LeanOp& n, const LeanProgram& p, const LeanFacts& f, Unknown& why) {
  const LeanObservation* o = nullptr;
  for (const auto& r : f.observations(n.concept_index))
    if (r.has_value) {
      o = &r;
      break;
    }
  why = Unknown::missing_data;
  if (!o) return nullptr;
  if (n.has_window && o->date < f.before_as_of(n.window, n.window_unit)) return nullptr;
  why = Unknown::unit_mismatch;
  if (!o->convertible) return nullptr;
  const LeanLimits& limits = p.limits[n.pool];
  why = Unknown::missing_data;
  if (n.has_plausible && (o->value < limits.plausible_low || o->value > limits.plausible_high)) return nullptr;
  return o;
}

// The newest value within the concept's look-back, converted, plausible,
// against the threshold (times the upper limit of normal when so written).
LeanResult measure(const LeanOp& n, const LeanProgram& p, const LeanFacts& f) {
  Unknown why;
  const LeanObservation* o = measured(n, p, f, why);
  if (!o) return lean_unknown(why);
  double threshold = n.threshold;
  if (n.uln) {
    double uln;
    if (o->has_reference_high) uln = o->reference_high;
    else if (n.has_uln_default) uln = p.limits[n.pool].uln_default;
    else return lean_unknown(Unknown::missing_data);
    threshold *= uln;
  }
  return lean(compare_numbers(o->value, n.op, threshold));
}

// As the explaining evaluator's ever_positive: any positive result on
// record counts (autoantibodies wane); else unknown if a result has no
// cut-off; else negative.
std::optional<bool> ever_positive(std::span<const LeanObservation> newest_first) {
  bool undecided = false;
  for (const auto& o : newest_first) {
    auto pos = positivity(o);
    if (pos && *pos) return true;
    if (!pos) undecided = true;
  }
  if (undecided) return std::nullopt;
  return false;
}

LeanResult count_positive(const LeanOp& n, const LeanProgram& p, const LeanFacts& f) {
  int positive = 0, undecided = 0;
  for (std::uint32_t k = 0; k < n.pool_size; ++k) {
    auto rs = f.observations(p.concepts[n.pool + k]);
    auto pos = rs.empty() ? std::nullopt : ever_positive(rs);
    if (pos) positive += *pos;
    else ++undecided;
  }
  bool now = compare_numbers(positive, n.op, n.n);
  // Unknown results could still move the count across the threshold.
  bool best = compare_numbers(positive + undecided, n.op, n.n);
  return undecided > 0 && now != best ? lean_unknown(Unknown::missing_data) : lean(now);
}

LeanResult count_events(const LeanOp& n, const LeanFacts& f) {
  Date from{INT_MIN};
  if (n.has_window) from = f.before_as_of(n.window, n.window_unit);
  int count = 0;
  for (const auto& e : f.events(n.concept_index)) count += e.date > from;
  return lean(compare_numbers(count, n.op, n.n));
}

LeanResult duration(const LeanOp& n, const LeanFacts& f) {
  const bool since = n.code == Code::since;
  std::optional<Date> from;
  bool any = false, active = false;
  for (const auto& r : f.conditions(n.concept_index)) {
    any = true;
    if (since) {
      if (condition_active(r, f.as_of)) active = true;
      else if (r.abatement && (!from || *r.abatement > *from)) from = r.abatement;
    } else if (r.onset && (!from || *r.onset < *from)) {
      from = r.onset;
    }
  }
  for (const auto& m : f.medications(n.concept_index)) {
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

LeanResult presence(const LeanOp& n, const LeanProgram& p, const LeanFacts& f) {
  const bool history = n.code == Code::history;
  const Date as_of = f.as_of;
  std::optional<Date> from;
  if (n.has_window) from = f.before_as_of(n.window, n.window_unit);
  if (n.healthy_volunteer) return lean(!f.any_active_condition());
  // "except(type1_diabetes)": a record that is also one of these does not
  // count (its copies for each concept share its sequence number).
  const std::span<const std::uint32_t> except(p.concepts.data() + n.pool, n.pool_size);
  auto excepted = [&](auto&& records_of, std::uint32_t seq) {
    for (std::uint32_t x : except)
      for (const auto& r : records_of(x))
        if (r.seq == seq) return true;
    return false;
  };
  switch (n.concept_kind) {
    case ConceptKind::event:
      for (const auto& e : f.events(n.concept_index))
        if ((!from || e.date > *from) && !excepted([&](std::uint32_t x) { return f.events(x); }, e.seq)) return lean(true);
      return lean(false);
    case ConceptKind::medication:
      for (const auto& m : f.medications(n.concept_index))
        if ((from ? (!m.end || *m.end >= *from) : (history || medication_active(m, as_of))) &&
            !excepted([&](std::uint32_t x) { return f.medications(x); }, m.seq))
          return lean(true);
      return lean(false);
    case ConceptKind::autoantibody:
    case ConceptKind::measure:
    case ConceptKind::group:
      return lean_unknown(Unknown::unparsed);  // named without a threshold
    default:
      // Closed world: no record means no.
      for (const auto& r : f.conditions(n.concept_index)) {
        bool counts = from ? (!r.abatement || *r.abatement >= *from) : (history || condition_active(r, as_of));
        if (counts && !excepted([&](std::uint32_t x) { return f.conditions(x); }, r.seq)) return lean(true);
      }
      return lean(false);
  }
}

LeanResult positive_or_negative(const LeanOp& n, const LeanFacts& f) {
  auto rs = f.observations(n.concept_index);
  if (rs.empty()) return lean_unknown(Unknown::missing_data);
  bool want = n.code == Code::positive;
  auto pos = want ? ever_positive(rs) : positivity(rs.front());
  if (!pos) return lean_unknown(Unknown::missing_data);
  return lean(*pos == want);
}

[[gnu::always_inline]] inline bool test_bits(Code code, std::uint32_t pool, std::uint32_t words, const LeanProgram& p, const LeanFacts& f) {
  const std::uint64_t* present = f.present_bits().data();
  const std::uint64_t* history = f.history_bits().data();
  const std::uint64_t* want = p.bits.data() + pool;  // (word, present bits, history bits) triples
  if (code == Code::all_bits) {
    for (std::uint32_t k = 0; k < words; ++k, want += 3)
      if ((present[want[0]] & want[1]) != want[1] || (history[want[0]] & want[2]) != want[2]) return false;
    return true;
  }
  for (std::uint32_t k = 0; k < words; ++k, want += 3)
    if ((present[want[0]] & want[1]) | (history[want[0]] & want[2])) return true;
  return false;
}

// present(c) / history(c) with no window on a concept read from the bits.
bool reads_bits(const PlanNode& n) {
  if ((n.kind != Kind::present && n.kind != Kind::history) || !n.concept_ref || n.window || !n.except.empty() ||
      n.special != PlanNode::Special::none)
    return false;
  auto k = n.concept_ref->kind;
  return k != ConceptKind::autoantibody && k != ConceptKind::measure && k != ConceptKind::group;
}

}  // namespace

namespace {

// What a node gives whatever the patient, if that is known now.
std::optional<LeanResult> constant_of(const PlanNode& n) {
  switch (n.kind) {
    case Kind::constant: return LeanResult{n.constant_truth, n.constant_reason};
    case Kind::manual: return lean_unknown(Unknown::manual);
    case Kind::unparsed: return lean_unknown(Unknown::unparsed);
    case Kind::literal: return lean(n.value);
    case Kind::compare:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      if (!n.unit_error.empty()) return lean_unknown(Unknown::unit_mismatch);
      return std::nullopt;
    case Kind::present:
    case Kind::history:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      if (n.special != PlanNode::Special::healthy_volunteer &&
          (n.concept_ref->kind == ConceptKind::autoantibody || n.concept_ref->kind == ConceptKind::measure ||
           n.concept_ref->kind == ConceptKind::group))
        return lean_unknown(Unknown::unparsed);  // named without a threshold
      return std::nullopt;
    case Kind::count_events:
    case Kind::duration:
    case Kind::since:
    case Kind::positive:
    case Kind::negative:
      if (!n.concept_ref) return lean_unknown(Unknown::unparsed);
      return std::nullopt;
    default: return std::nullopt;
  }
}

PlanNode constant_node(LeanResult r) {
  PlanNode c;
  c.kind = Kind::constant;
  c.constant_truth = r.truth;
  c.constant_reason = r.reason;
  return c;
}

}  // namespace

PlanNode lean_plan(const PlanNode& node, const Lexicon& lexicon) {
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
  if (auto k = constant_of(node)) return constant_node(*k);
  PlanNode out = node;
  out.children.clear();
  if (node.kind == Kind::not_) {
    PlanNode child = lean_plan(node.children.front(), lexicon);
    if (auto k = constant_of(child)) {
      if (k->truth != Truth::unknown) k->truth = k->truth == Truth::yes ? Truth::no : Truth::yes;
      return constant_node(*k);
    }
    out.children.push_back(std::move(child));
    return out;
  }
  if (node.kind != Kind::and_ && node.kind != Kind::or_) {
    for (const auto& c : node.children) out.children.push_back(lean_plan(c, lexicon));
    return out;
  }
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
  // Operands known now fold away: a decisive one settles the node; a
  // neutral one drops; of the unknown ones only those that could still be
  // the reason reported stay (the first, and the first manual).
  const Truth decisive = node.kind == Kind::and_ ? Truth::no : Truth::yes;
  bool kept_unknown = false, kept_manual = false, all_constant = true;
  std::optional<LeanResult> first_unknown;
  for (const auto& c : node.children) {
    if (reads_bits(c)) continue;
    PlanNode child = lean_plan(c, lexicon);
    auto k = constant_of(child);
    if (!k) {
      all_constant = false;
      out.children.push_back(std::move(child));
      continue;
    }
    if (k->truth == decisive) return constant_node(*k);
    if (k->truth != Truth::unknown) continue;
    const bool manual = k->reason == Unknown::manual;
    if (manual ? kept_manual : kept_unknown) continue;
    if (!first_unknown || manual) first_unknown = *k;
    kept_unknown = true;
    kept_manual = kept_manual || manual;
    out.children.push_back(std::move(child));
  }
  if (grouped) all_constant = false;
  if (out.children.empty()) return constant_node(lean(decisive == Truth::no));
  if (all_constant) return constant_node(*first_unknown);
  if (out.children.size() == 1) return std::move(out.children.front());
  return out;
}

namespace {

// For `a and b` / `a or b` comparing one age (in one unit) or one measure
// (no multiple of the ULN) twice, b; else null.
const PlanNode* paired_compare(const PlanNode& n) {
  if ((n.kind != Kind::and_ && n.kind != Kind::or_) || n.children.size() != 2) return nullptr;
  const PlanNode &a = n.children[0], &b = n.children[1];
  auto plain = [](const PlanNode& c) {
    return c.kind == Kind::compare && c.concept_ref && c.unit_error.empty() && !c.uln;
  };
  if (!plain(a) || !plain(b) || a.concept_ref != b.concept_ref || a.special != b.special) return nullptr;
  if (a.special == PlanNode::Special::age) return a.unit == b.unit ? &b : nullptr;
  return a.special == PlanNode::Special::none && a.lookback == b.lookback ? &b : nullptr;
}

}  // namespace

std::int32_t compile_lean(const PlanNode& n, const Lexicon& lex, LeanProgram& p) {
  if (const PlanNode* second = paired_compare(n)) {
    const std::int32_t at = compile_lean(n.children.front(), lex, p);
    LeanOp& op = p.ops[static_cast<std::size_t>(at)];
    op.code = op.code == Code::age ? Code::age_pair : Code::measure_pair;
    op.op2 = second->op;
    op.threshold2 = second->threshold;
    op.both = n.kind == Kind::and_;
    return at;
  }
  const auto at = static_cast<std::uint32_t>(p.ops.size());
  p.ops.emplace_back();
  LeanOp op;
  op.op = n.op;
  op.n = n.n;
  op.threshold = n.threshold;
  op.uln = n.uln;
  op.unit = n.unit;
  op.sex = n.sex;
  op.concept_index = n.concept_index;
  if (n.concept_ref) op.concept_kind = n.concept_ref->kind;
  if (n.window) {
    op.has_window = true;
    op.window = n.window->amount;
    op.window_unit = n.window_unit;
  }
  auto constant = [&](Truth t, Unknown r) {
    op.code = Code::constant;
    op.truth = t;
    op.reason = r;
  };
  switch (n.kind) {
    case Kind::compare:
      if (!n.concept_ref) constant(Truth::unknown, Unknown::unparsed);
      else if (!n.unit_error.empty()) constant(Truth::unknown, Unknown::unit_mismatch);
      else if (n.special == PlanNode::Special::age) op.code = Code::age;
      else {
        op.code = Code::measure;
        op.has_window = n.lookback.has_value();
        if (n.lookback) {
          op.window = n.lookback->first;
          op.window_unit = n.lookback->second;
        }
        const Concept& c = *n.concept_ref;
        LeanLimits limits;
        if (c.plausible) {
          op.has_plausible = true;
          limits.plausible_low = c.plausible->first;
          limits.plausible_high = c.plausible->second;
        }
        if (c.uln_default) {
          op.has_uln_default = true;
          limits.uln_default = *c.uln_default;
        }
        op.pool = static_cast<std::uint32_t>(p.limits.size());
        p.limits.push_back(limits);
      }
      break;
    case Kind::sex_is: op.code = Code::sex; break;
    case Kind::count_positive:
      op.code = Code::count_positive;
      op.pool = static_cast<std::uint32_t>(p.concepts.size());
      for (const Concept* c : n.concepts) p.concepts.push_back(static_cast<std::uint32_t>(c - lex.concepts().data()));
      op.pool_size = static_cast<std::uint32_t>(n.concepts.size());
      break;
    case Kind::count_events:
      if (!n.concept_ref) constant(Truth::unknown, Unknown::unparsed);
      else op.code = Code::count_events;
      break;
    case Kind::duration:
    case Kind::since:
      if (!n.concept_ref) constant(Truth::unknown, Unknown::unparsed);
      else op.code = n.kind == Kind::since ? Code::since : Code::duration;
      break;
    case Kind::present:
    case Kind::history:
      if (!n.concept_ref) constant(Truth::unknown, Unknown::unparsed);
      else {
        op.code = n.kind == Kind::history ? Code::history : Code::present;
        op.healthy_volunteer = n.special == PlanNode::Special::healthy_volunteer;
        op.pool = static_cast<std::uint32_t>(p.concepts.size());
        op.pool_size = static_cast<std::uint32_t>(n.except_index.size());
        p.concepts.insert(p.concepts.end(), n.except_index.begin(), n.except_index.end());
      }
      break;
    case Kind::positive:
    case Kind::negative:
      if (!n.concept_ref) constant(Truth::unknown, Unknown::unparsed);
      else op.code = n.kind == Kind::positive ? Code::positive : Code::negative;
      break;
    case Kind::constant: constant(n.constant_truth, n.constant_reason); break;
    case Kind::manual: constant(Truth::unknown, Unknown::manual); break;
    case Kind::unparsed: constant(Truth::unknown, Unknown::unparsed); break;
    case Kind::literal: constant(n.value ? Truth::yes : Truth::no, Unknown::none); break;
    case Kind::not_: op.code = Code::not_; break;
    case Kind::and_: op.code = Code::and_; break;
    case Kind::or_: op.code = Code::or_; break;
    case Kind::at_least:
      op.code = Code::at_least;
      op.n = n.n;
      break;
    case Kind::any_present:
    case Kind::all_present:
      op.code = n.kind == Kind::any_present ? Code::any_bits : Code::all_bits;
      // Only the words that name a concept: most tests touch one or two.
      op.pool = static_cast<std::uint32_t>(p.bits.size());
      for (std::size_t w = 0; w < n.present_bits.size(); ++w)
        if (n.present_bits[w] | n.history_bits[w]) p.bits.insert(p.bits.end(), {w, n.present_bits[w], n.history_bits[w]});
      op.pool_size = static_cast<std::uint32_t>((p.bits.size() - op.pool) / 3);
      break;
  }
  for (const auto& c : n.children) compile_lean(c, lex, p);
  op.end = static_cast<std::uint32_t>(p.ops.size());
  p.ops[at] = op;
  return static_cast<std::int32_t>(at);
}

namespace {

// Constants and bit tests, the commonest operations, without a call.
inline bool quick(const LeanProgram& p, const LeanOp& n, const LeanFacts& f, LeanResult& r) {
  if (n.code == Code::constant) {
    r = {n.truth, n.reason};
    return true;
  }
  if (n.code == Code::any_bits || n.code == Code::all_bits) {
    r = lean(test_bits(n.code, n.pool, n.pool_size, p, f));
    return true;
  }
  return false;
}

}  // namespace

LeanResult evaluate_lean(const LeanProgram& p, std::uint32_t i, const LeanFacts& f) {
  const LeanOp& n = p.ops[i];
  switch (n.code) {
    case Code::constant: return {n.truth, n.reason};
    case Code::any_bits:
    case Code::all_bits: return lean(test_bits(n.code, n.pool, n.pool_size, p, f));
    case Code::age: return age(n, f);
    case Code::measure: return measure(n, p, f);
    case Code::age_pair: {
      double a = 0;
      return age_of(n, f, a) ? pair(n, a) : lean_unknown(Unknown::missing_data);
    }
    case Code::measure_pair: {
      Unknown why;
      const LeanObservation* o = measured(n, p, f, why);
      return o ? pair(n, o->value) : lean_unknown(why);
    }
    case Code::sex:
      if (f.sex == Sex::unknown) return lean_unknown(Unknown::missing_data);
      return lean(n.op == CmpOp::ne ? n.sex != f.sex : n.sex == f.sex);
    case Code::count_positive: return count_positive(n, p, f);
    case Code::count_events: return count_events(n, f);
    case Code::duration:
    case Code::since: return duration(n, f);
    case Code::present:
    case Code::history: return presence(n, p, f);
    case Code::positive:
    case Code::negative: return positive_or_negative(n, f);
    case Code::not_: {
      LeanResult r = evaluate_lean(p, i + 1, f);
      if (r.truth != Truth::unknown) r.truth = r.truth == Truth::yes ? Truth::no : Truth::yes;
      return r;
    }
    case Code::at_least: {
      // n true: true; fewer than n true or unknown: false; else unknown
      // (combine_at_least() in evaluate.cpp).
      int yes = 0, unknown = 0;
      Unknown reason = Unknown::none;
      for (std::uint32_t c = i + 1; c < n.end; c = p.ops[c].end) {
        LeanResult r;
        if (!quick(p, p.ops[c], f, r)) r = evaluate_lean(p, c, f);
        if (r.truth == Truth::yes && ++yes >= n.n) return {Truth::yes, Unknown::none};
        if (r.truth == Truth::unknown) {
          if (unknown == 0 || r.reason == Unknown::manual) reason = r.reason;
          ++unknown;
        }
      }
      return yes + unknown < n.n ? LeanResult{Truth::no, Unknown::none} : LeanResult{Truth::unknown, reason};
    }
    case Code::and_:
    case Code::or_: {
      // false and unknown = false; true or unknown = true. Among unknowns a
      // manual one wins, else the first (combine() in evaluate.cpp).
      const Truth decisive = n.code == Code::and_ ? Truth::no : Truth::yes;
      bool unknown_seen = false;
      Unknown reason = Unknown::none;
      for (std::uint32_t c = i + 1; c < n.end; c = p.ops[c].end) {
        LeanResult r;
        if (!quick(p, p.ops[c], f, r)) r = evaluate_lean(p, c, f);
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

LeanMemo::LeanMemo(const std::vector<TrialPlan>& plans) {
  // Only rules written more than once are remembered: for the others the
  // bookkeeping would cost more than it saves.
  std::map<std::string_view, int> uses;
  for (const auto& plan : plans)
    for (std::size_t i = 0; i < plan.criteria.size(); ++i)
      if (plan.lean.roots[i].op >= 0) ++uses[plan.criteria[i].rule_text];
  std::map<std::string_view, std::uint32_t> shared;
  for (const auto& plan : plans) {
    auto& ids = ids_.emplace_back();
    for (std::size_t i = 0; i < plan.criteria.size(); ++i) {
      const auto& text = plan.criteria[i].rule_text;
      if (plan.lean.roots[i].op < 0 || uses[text] < 2) {
        ids.push_back(UINT32_MAX);
        continue;
      }
      ids.push_back(shared.emplace(text, static_cast<std::uint32_t>(shared.size())).first->second);
    }
  }
  stamp_.assign(shared.size(), 0);
  results_.resize(shared.size());
}

namespace {

static_assert(static_cast<int>(Truth::no) == 0 && static_cast<int>(Truth::yes) == 1 && static_cast<int>(Truth::unknown) == 2);
static_assert(static_cast<int>(Outcome::met) == 0 && static_cast<int>(Outcome::not_met) == 1 &&
              static_cast<int>(Outcome::unknown) == 2);
constexpr Outcome outcome_of[3] = {Outcome::not_met, Outcome::met, Outcome::unknown};

// The result of a criterion known before any patient, if it is.
std::optional<LeanResult> fixed_result(const LeanProgram& p, const LeanProgram::Root& root) {
  if (root.op < 0) return lean_unknown(Unknown::unparsed);
  const LeanOp& op = p.ops[static_cast<std::size_t>(root.op)];
  if (op.code == Code::constant) return LeanResult{op.truth, op.reason};
  return std::nullopt;
}

LeanCriterion criterion_of(LeanResult r) {
  LeanCriterion c;
  c.outcome = outcome_of[static_cast<int>(r.truth)];
  c.manual = r.truth == Truth::unknown && r.reason == Unknown::manual;
  return c;
}

// Criterion i's two-bit code into its word of `codes`.
void put_code(std::uint64_t* codes, std::size_t i, unsigned code) {
  codes[i / 32] |= std::uint64_t{code} << (2 * (i % 32));
}

}  // namespace

namespace {

bool small_bits(const LeanOp& op) {
  return (op.code == Code::any_bits || op.code == Code::all_bits) && op.pool_size >= 1 && op.pool_size <= 2;
}

// Criterion i as a presence test of at most two words, alone or beside an
// unknown constant under an `and` / `or`, if it is one.
std::optional<LeanProgram::BitRoot> bit_root(const LeanProgram& p, std::size_t i) {
  const auto& root = p.roots[i];
  if (root.op < 0) return std::nullopt;
  const auto at = static_cast<std::size_t>(root.op);
  const LeanOp& op = p.ops[at];
  const LeanOp* test = &op;
  LeanProgram::BitRoot b;
  if (op.code == Code::and_ || op.code == Code::or_) {
    // Exactly two operands: the test and the constant, in either order.
    const std::size_t first = at + 1, second = p.ops[first].end;
    if (second >= op.end || p.ops[second].end != op.end) return std::nullopt;
    const LeanOp* k = &p.ops[second];
    test = &p.ops[first];
    if (!small_bits(*test)) std::swap(test, k);
    if (!small_bits(*test) || k->code != Code::constant || k->truth != Truth::unknown) return std::nullopt;
    const int side = op.code == Code::and_ ? 1 : 0;  // and: K when the test holds; or: when it does not
    b.truth[side] = k->truth;
    b.reason[side] = k->reason;
  } else if (!small_bits(op)) {
    return std::nullopt;
  }
  b.criterion = static_cast<std::uint32_t>(i);
  b.all = test->code == Code::all_bits;
  for (std::uint32_t w = 0; w < 2; ++w) {
    const std::uint64_t* t = &p.bits[test->pool + 3 * std::min(w, test->pool_size - 1)];
    b.word[w] = static_cast<std::uint32_t>(t[0]);
    if (w < test->pool_size) {
      b.present[w] = t[1];
      b.history[w] = t[2];
    }
  }
  for (int h = 0; h < 2; ++h) b.code[h] = static_cast<unsigned char>(criterion_of({b.truth[h], b.reason[h]}).code());
  return b;
}

// Criterion i as a table of at most four presence tests, if it is one.
std::optional<LeanProgram::TableRoot> table_root(const LeanProgram& p, std::size_t i) {
  const auto& root = p.roots[i];
  if (root.op < 0) return std::nullopt;
  const auto first = static_cast<std::uint32_t>(root.op), end = p.ops[first].end;
  LeanProgram::TableRoot t;
  t.criterion = static_cast<std::uint32_t>(i);
  std::uint32_t leaf[4];
  for (std::uint32_t k = first; k < end; ++k) {
    switch (p.ops[k].code) {
      case Code::constant:
      case Code::not_:
      case Code::and_:
      case Code::or_: break;
      case Code::any_bits:
      case Code::all_bits:
        if (t.tests == 4) return std::nullopt;
        leaf[t.tests] = k;
        t.test[t.tests++] = {p.ops[k].code, p.ops[k].pool, p.ops[k].pool_size};
        break;
      default: return std::nullopt;
    }
  }
  if (t.tests == 0) return std::nullopt;
  // Each combination evaluated as the patient's would be: the tests
  // replaced by constants, the rest of the rule as it stands (constants
  // and logic read nothing but the operations).
  LeanProgram fixed;
  fixed.ops = p.ops;
  const LeanFacts none;
  for (unsigned combination = 0; combination < (1u << t.tests); ++combination) {
    for (std::uint32_t k = 0; k < t.tests; ++k) {
      LeanOp& op = fixed.ops[leaf[k]];
      op.code = Code::constant;
      op.truth = combination >> k & 1 ? Truth::yes : Truth::no;
      op.reason = Unknown::none;
    }
    const LeanResult r = evaluate_lean(fixed, first, none);
    t.truth[combination] = r.truth;
    t.reason[combination] = r.reason;
    t.code[combination] = static_cast<unsigned char>(criterion_of(r).code());
  }
  return t;
}

}  // namespace

void settle_fixed(LeanProgram& p) {
  const std::size_t words = (p.roots.size() + 31) / 32;
  p.masks.assign(words, {});
  p.fixed_codes.assign(words, 0);
  for (std::size_t i = 0; i < p.roots.size(); ++i) {
    const std::uint64_t bit = std::uint64_t{1} << (2 * (i % 32));
    LeanProgram::Masks& m = p.masks[i / 32];
    (p.roots[i].inclusion ? m.inclusion : m.exclusion) |= bit;
    if (p.roots[i].computable) (p.roots[i].inclusion ? m.computable_inclusion : m.computable_exclusion) |= bit;
  }
  for (auto& root : p.roots)
    if (root.op >= 0) {
      const LeanOp& op = p.ops[static_cast<std::size_t>(root.op)];
      root.code = op.code;
      root.pool = op.pool;
      root.pool_size = op.pool_size;
    }
  p.bit_roots.clear();
  p.table_roots.clear();
  p.general.clear();
  for (std::size_t i = 0; i < p.roots.size(); ++i) {
    if (auto r = fixed_result(p, p.roots[i])) {
      put_code(p.fixed_codes.data(), i, criterion_of(*r).code());
      continue;
    }
    if (auto b = bit_root(p, i)) p.bit_roots.push_back(*b);
    else if (auto t = table_root(p, i)) p.table_roots.push_back(*t);
    else p.general.push_back(static_cast<std::uint32_t>(i));
  }
  auto one_word = [](const LeanProgram::BitRoot& b) { return (b.present[1] | b.history[1]) == 0; };
  p.one_word = static_cast<std::size_t>(std::stable_partition(p.bit_roots.begin(), p.bit_roots.end(), one_word) -
                                        p.bit_roots.begin());
}

void fill_fixed(const TrialPlan& plan, std::span<LeanCriterion> out) {
  for (std::size_t i = 0; i < plan.lean.roots.size(); ++i)
    if (auto r = fixed_result(plan.lean, plan.lean.roots[i])) out[i] = criterion_of(*r);
}

namespace {

// The verdict from every criterion's two-bit code (met 0, not met 1,
// unknown 2, to confirm 3), 32 criteria a word: a trial fails on an
// inclusion not met or an exclusion met, else is undetermined on an
// unknown, else eligible; the score counts the computable criteria passed.
LeanTrialResult verdict_of(const std::uint64_t* codes, const std::vector<LeanProgram::Masks>& masks) {
  constexpr std::uint64_t low = 0x5555555555555555ull;
  bool fails = false, undecided = false;
  int passing = 0;
  for (std::size_t k = 0; k < masks.size(); ++k) {
    const LeanProgram::Masks& m = masks[k];
    const std::uint64_t lo = codes[k] & low, hi = (codes[k] >> 1) & low;
    const std::uint64_t met = ~hi & ~lo & low, not_met = lo & ~hi, unknown = hi & ~lo;
    fails |= ((m.inclusion & not_met) | (m.exclusion & met)) != 0;
    undecided |= unknown != 0;
    // Both counts in one: the codes' low bits are the even ones, so the
    // exclusion criteria's move to the odd bits. Counted by hand, as the
    // baseline x86-64 has no popcount instruction and std::popcount calls out.
    std::uint64_t x = (m.computable_inclusion & met) | (m.computable_exclusion & not_met) << 1;
    x = x - ((x >> 1) & low);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    passing += static_cast<int>((x * 0x0101010101010101ull) >> 56);
  }
  LeanTrialResult result;
  result.passing = passing;
  result.verdict = fails ? Verdict::ineligible : undecided ? Verdict::undetermined : Verdict::eligible;
  if (masks.size() == 1) {
    result.signature = codes[0];
  } else {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (std::size_t k = 0; k < masks.size(); ++k) {
      h = (h ^ codes[k]) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    result.signature = h;
  }
  return result;
}

}  // namespace

LeanTrialResult evaluate_trial_lean(const TrialPlan& plan, const LeanFacts& facts, std::span<LeanCriterion> out,
                                    LeanMemo* memo, std::size_t trial, bool fixed_filled,
                                    std::vector<std::uint64_t>* codes) {
  const LeanProgram& program = plan.lean;
  const std::uint32_t* shared = memo ? memo->ids_[trial].data() : nullptr;
  // Answers in the profile may settle fixed criteria too: then every
  // criterion is looked at.
  const bool every = !fixed_filled || facts.answers;
  // Up to 32 criteria the codes are one word, kept in a register.
  std::uint64_t one = 0;
  std::vector<std::uint64_t> local;
  std::uint64_t* words = &one;
  if (program.masks.size() > 1 || codes) {
    std::vector<std::uint64_t>& w = codes ? *codes : local;
    if (every) w.assign(program.masks.size(), 0);
    else w.assign(program.fixed_codes.begin(), program.fixed_codes.end());
    words = w.data();
  } else if (!every && !program.fixed_codes.empty()) {
    one = program.fixed_codes[0];
  }
  // The criterion an outcome code stands for.
  static constexpr LeanCriterion by_code[4] = {
      {Outcome::met, false}, {Outcome::not_met, false}, {Outcome::unknown, false}, {Outcome::unknown, true}};
  auto put = [&](std::uint32_t i, unsigned code) {
    put_code(words, i, code);
    out[i] = by_code[code];
  };
  if (!every) {
    const std::uint64_t* present = facts.present_bits().data();
    const std::uint64_t* history = facts.history_bits().data();
    const LeanProgram::BitRoot* b = program.bit_roots.data();
    for (const LeanProgram::BitRoot* end = b + program.one_word; b != end; ++b) {
      const std::uint64_t p0 = present[b->word[0]] & b->present[0], h0 = history[b->word[0]] & b->history[0];
      const bool h = b->all ? ((p0 ^ b->present[0]) | (h0 ^ b->history[0])) == 0 : (p0 | h0) != 0;
      put(b->criterion, b->code[h]);
    }
    for (const auto& b : std::span(program.bit_roots).subspan(program.one_word)) {
      const std::uint64_t p0 = present[b.word[0]] & b.present[0], h0 = history[b.word[0]] & b.history[0];
      const std::uint64_t p1 = present[b.word[1]] & b.present[1], h1 = history[b.word[1]] & b.history[1];
      const bool h = b.all ? ((p0 ^ b.present[0]) | (h0 ^ b.history[0]) | (p1 ^ b.present[1]) | (h1 ^ b.history[1])) == 0
                           : (p0 | h0 | p1 | h1) != 0;
      put(b.criterion, b.code[h]);
    }
    for (const auto& t : program.table_roots) {
      unsigned combination = 0;
      for (std::uint32_t k = 0; k < t.tests; ++k)
        combination |= static_cast<unsigned>(test_bits(t.test[k].code, t.test[k].pool, t.test[k].pool_size, program, facts)) << k;
      put(t.criterion, t.code[combination]);
    }
  }
  const std::size_t count = every ? program.roots.size() : program.general.size();
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = every ? k : program.general[k];
    const LeanProgram::Root& root = program.roots[i];
    LeanResult r = lean_unknown(Unknown::unparsed);
    if (root.code == Code::any_bits || root.code == Code::all_bits) {
      r = lean(test_bits(root.code, root.pool, root.pool_size, program, facts));
    } else if (root.op >= 0) {
      // The memo first: a rule another trial decided for this patient is
      // not read again (its operations are as likely as not out of cache).
      const auto at = static_cast<std::uint32_t>(root.op);
      if (!shared || shared[i] == UINT32_MAX) {
        r = evaluate_lean(program, at, facts);
      } else if (memo->stamp_[shared[i]] == memo->now_) {
        r = memo->results_[shared[i]];
      } else {
        r = memo->results_[shared[i]] = evaluate_lean(program, at, facts);
        memo->stamp_[shared[i]] = memo->now_;
      }
    }
    // A manual answer in the profile replaces a manual or unparsed unknown.
    if (facts.answers && r.truth == Truth::unknown && (r.reason == Unknown::manual || r.reason == Unknown::unparsed)) {
      auto it = facts.answers->find(plan.trial->id + "/" + plan.criteria[i].criterion->id);
      if (it != facts.answers->end()) r = lean(it->second);
    }
    put(static_cast<std::uint32_t>(i), criterion_of(r).code());
  }
  return verdict_of(words, program.masks);
}

}  // namespace trialmatch
