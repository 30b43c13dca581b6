#include "engine/evaluate.hpp"

#include "engine/lean_evaluate.hpp"

#include <algorithm>
#include <cmath>

namespace trialmatch {

using ast::CmpOp;
using Kind = PlanNode::Kind;

const char* to_string(Unknown reason) {
  switch (reason) {
    case Unknown::none: return "";
    case Unknown::missing_data: return "missing_data";
    case Unknown::manual: return "manual";
    case Unknown::unparsed: return "unparsed";
    case Unknown::unit_mismatch: return "unit_mismatch";
  }
  return "";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::met: return "met";
    case Outcome::not_met: return "not_met";
    case Outcome::unknown: return "unknown";
  }
  return "";
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::eligible: return "eligible";
    case Verdict::undetermined: return "undetermined";
    case Verdict::ineligible: return "ineligible";
  }
  return "";
}

namespace {

std::string fmt(double v) { return format_double(v); }

std::string amount_text(double v, const std::string& unit) {
  return fmt(v) + " " + (v == 1 && unit.ends_with('s') ? unit.substr(0, unit.size() - 1) : unit);
}

std::string window_text(const ast::Window& w) {
  return std::to_string(w.amount) + " " + (w.amount == 1 ? w.unit.substr(0, w.unit.size() - 1) : w.unit);
}

// ---------------------------------------------------------------- planning

// `cohort`: the cohorts the plan is for (a cohort(...) term is then true or
// false), or null for a plan of the whole trial.
PlanNode plan_node(const ast::Expr& e, const Lexicon& lex, const std::vector<std::string>* cohort = nullptr) {
  PlanNode n;
  n.text = ast::print(e);
  const auto& v = e.get();
  if (auto* c = boost::get<ast::Comparison>(&v)) {
    if (c->concept_id == "sex") {
      n.kind = Kind::sex_is;
      n.op = c->op;
      n.text = c->word;
      n.value = true;
      n.time_unit = c->word;  // the sex compared against
      return n;
    }
    n.kind = Kind::compare;
    n.op = c->op;
    n.concept_ref = lex.find(c->concept_id);
    if (!n.concept_ref) {
      n.unit_error = "unknown concept " + c->concept_id;
      return n;
    }
    if (c->concept_id == "age") {
      // Ages compare in the unit written: completed years, months or days.
      n.time_unit = c->unit.empty() ? "years" : c->unit;
      n.threshold = c->value;
      if (n.time_unit != "years" && n.time_unit != "months" && n.time_unit != "weeks" && n.time_unit != "days")
        n.unit_error = "age in " + c->unit;
      return n;
    }
    if (c->unit == "xULN") {
      n.uln = true;
      n.threshold = c->value;
      return n;
    }
    auto canonical = lex.to_canonical(*n.concept_ref, c->value, c->unit);
    if (!canonical) {
      n.unit_error = "the criterion's unit " + (c->unit.empty() ? std::string("(none)") : c->unit) + " does not convert to " +
                     n.concept_ref->unit + " for " + n.concept_ref->id;
      return n;
    }
    n.threshold = *canonical;
    // A threshold no patient's value could reach ("hemoglobin > 90 g/dL",
    // "systolic_bp < 0.9 mmHg" from an ankle-brachial index) is a unit or
    // a reading gone wrong: unknown, never decided against the patient.
    if (const auto& range = n.concept_ref->plausible; range && (*canonical < range->first || *canonical > range->second)) {
      std::string& why = n.unit_error;  // appended: g++ 12 warns falsely on literal + string
      why = "the criterion's threshold ";
      why += ast::format_number(c->value) + " " + c->unit;
      why += " lies outside what is plausible for " + n.concept_ref->id;
      why += " (" + ast::format_number(range->first) + "-" + ast::format_number(range->second) + " " + n.concept_ref->unit;
      why += "): its unit or its reading is likely wrong";
    }
    return n;
  }
  if (auto* c = boost::get<ast::Count>(&v)) {
    n.op = c->op;
    n.n = c->n;
    n.window = c->window ? std::optional<ast::Window>(*c->window) : std::nullopt;
    if (c->positive) {
      n.kind = Kind::count_positive;
      for (const auto& id : c->concepts)
        if (auto* k = lex.find(id)) n.concepts.push_back(k);
    } else {
      n.kind = Kind::count_events;
      n.concept_ref = c->concepts.empty() ? nullptr : lex.find(c->concepts.front());
    }
    return n;
  }
  if (auto* d = boost::get<ast::Duration>(&v)) {
    n.kind = d->function == "since" ? Kind::since : Kind::duration;
    n.concept_ref = lex.find(d->concept_id);
    n.op = d->op;
    n.threshold = d->value;
    n.time_unit = d->unit;
    return n;
  }
  if (auto* p = boost::get<ast::Predicate>(&v)) {
    n.kind = p->function == "history" ? Kind::history
             : p->function == "positive" ? Kind::positive
             : p->function == "negative" ? Kind::negative
                                         : Kind::present;
    n.concept_ref = lex.find(p->concept_id);
    n.window = p->window ? std::optional<ast::Window>(*p->window) : std::nullopt;
    for (const auto& id : p->except)
      if (const Concept* x = lex.find(id)) n.except.push_back(x);
    return n;
  }
  if (auto* m = boost::get<ast::Manual>(&v)) {
    n.kind = Kind::manual;
    n.text = m->kind;
    return n;
  }
  if (auto* u = boost::get<ast::Unparsed>(&v)) {
    n.kind = Kind::unparsed;
    n.text = u->text;
    return n;
  }
  if (auto* c = boost::get<ast::Cohort>(&v)) {
    // Outside a cohort's plan, which cohort the patient would join is a
    // person's choice.
    n.kind = cohort ? Kind::literal : Kind::manual;
    n.value = cohort && std::find(cohort->begin(), cohort->end(), c->label) != cohort->end();
    n.text = "cohort " + c->label;
    return n;
  }
  if (auto* l = boost::get<ast::Literal>(&v)) {
    n.kind = Kind::literal;
    n.value = l->value;
    return n;
  }
  if (auto* no = boost::get<ast::x3::forward_ast<ast::Not>>(&v)) {
    n.kind = Kind::not_;
    n.children.push_back(plan_node(no->get().operand, lex, cohort));
    return n;
  }
  const auto& a = boost::get<ast::x3::forward_ast<ast::NAry>>(v).get();
  n.kind = a.op == ast::Logic::at_least                            ? Kind::at_least
           : (a.op == ast::Logic::and_ || a.op == ast::Logic::all) ? Kind::and_
                                                                    : Kind::or_;
  n.n = a.n;
  for (const auto& op : a.operands) n.children.push_back(plan_node(op, lex, cohort));
  return n;
}

// Reads once what the lean evaluator would otherwise compare as strings per patient.
void resolve_words(PlanNode& n, const Lexicon& lex) {
  for (auto& c : n.children) resolve_words(c, lex);
  if (n.concept_ref) {
    n.concept_index = static_cast<std::uint32_t>(n.concept_ref - lex.concepts().data());
    if (n.concept_ref->id == "age") n.special = PlanNode::Special::age;
    if (n.concept_ref->id == "healthy_volunteer") n.special = PlanNode::Special::healthy_volunteer;
    n.except_index.clear();
    for (const Concept* x : n.except) n.except_index.push_back(static_cast<std::uint32_t>(x - lex.concepts().data()));
    const auto& lb = n.concept_ref->lookback;
    if (lb && !lb->any) n.lookback = std::make_pair(lb->amount, time_unit_of(lb->unit));
  }
  if (!n.time_unit.empty()) n.unit = time_unit_of(n.time_unit);
  if (n.window) n.window_unit = time_unit_of(n.window->unit);
  if (n.kind == Kind::sex_is) {
    for (Sex s : {Sex::female, Sex::male, Sex::other})
      if (n.time_unit == to_string(s)) n.sex = s;
  }
}

}  // namespace

namespace {

// `cohort`: the cohorts the plan is for, one per division (empty: the
// whole trial, cohort terms unknown).
TrialPlan plan_cohort(const Trial& trial, const Lexicon& lexicon, const std::vector<std::string>& cohort) {
  TrialPlan plan;
  plan.trial = &trial;
  for (const auto& c : trial.criteria) {
    CriterionPlan cp;
    cp.criterion = &c;
    LeanProgram::Root root;
    root.inclusion = c.kind == CriterionKind::inclusion;
    root.computable = c.compiled.status == grammar::Status::computable || c.compiled.status == grammar::Status::partial;
    if (c.compiled.rule) {
      cp.root = plan_node(*c.compiled.rule, lexicon, cohort.empty() ? nullptr : &cohort);
      resolve_words(*cp.root, lexicon);
      root.op = compile_lean(lean_plan(*cp.root, lexicon), lexicon, plan.lean);
      cp.rule_text = ast::print(*c.compiled.rule);
    }
    plan.lean.roots.push_back(root);
    plan.criteria.push_back(std::move(cp));
  }
  settle_fixed(plan.lean);
  return plan;
}

}  // namespace

std::vector<std::string> cohorts_of(const Trial& trial) {
  std::vector<std::string> labels;
  for (const auto& c : trial.criteria)
    if (c.compiled.rule) ast::collect_cohorts(*c.compiled.rule, labels);
  return labels;
}

namespace {

// The cohorts of a trial, grouped by what they divide: labels that share a
// head word ("Part 1", "Part 2"; "Arm A", "Arm B") are one division, other
// labels ("Trained Users", "Untrained Users") another. A division named by
// one label only also has the participants outside it.
std::vector<std::vector<std::string>> divisions_of(const std::vector<std::string>& labels, const Lexicon& lexicon) {
  const auto& tables = lexicon.phrases();
  auto parts = tables.find("study_part");
  std::vector<std::string> heads;
  std::vector<std::vector<std::string>> divisions;
  for (const auto& label : labels) {
    std::string head = label.substr(0, label.find(' '));
    const bool part = parts != tables.end() &&
                      std::any_of(parts->second.begin(), parts->second.end(), [&](auto& e) { return e.second == head; });
    if (!part) head.clear();
    auto it = std::find(heads.begin(), heads.end(), head);
    if (it == heads.end()) {
      heads.push_back(head);
      divisions.emplace_back();
      it = heads.end() - 1;
    }
    divisions[static_cast<std::size_t>(it - heads.begin())].push_back(label);
  }
  for (auto& d : divisions)
    if (d.size() == 1) d.push_back("other than " + d.front());
  return divisions;
}

}  // namespace

TrialPlan plan_trial(const Trial& trial, const Lexicon& lexicon) {
  TrialPlan plan = plan_cohort(trial, lexicon, {});
  auto divisions = divisions_of(cohorts_of(trial), lexicon);
  // Every combination of one cohort per division; beyond kMaxCohorts the
  // cohorts are not told apart (cohort terms stay unknown).
  std::vector<std::vector<std::string>> combinations = {{}};
  for (const auto& d : divisions) {
    std::vector<std::vector<std::string>> next;
    for (const auto& c : combinations)
      for (const auto& label : d) {
        next.push_back(c);
        next.back().push_back(label);
      }
    combinations = std::move(next);
    if (combinations.size() > kMaxCohorts) return plan;
  }
  if (divisions.empty()) return plan;
  for (const auto& c : combinations) {
    plan.cohorts.push_back(plan_cohort(trial, lexicon, c));
    for (const auto& label : c) plan.cohorts.back().cohort += (plan.cohorts.back().cohort.empty() ? "" : ", ") + label;
  }
  return plan;
}

// ---------------------------------------------------------------- facts

Date resolve_as_of(const std::optional<Date>& command_line, const Profile& profile) {
  if (command_line) return *command_line;
  if (profile.as_of) return *profile.as_of;
  return today_utc();
}

std::size_t PatientFacts::index_of(const Concept& c) const {
  return static_cast<std::size_t>(&c - lexicon_->concepts().data());
}

PatientFacts::PatientFacts(const Profile& profile, const Lexicon& lexicon, Date as_of)
    : profile_(&profile), lexicon_(&lexicon), as_of_(as_of) {
  std::size_t n = lexicon.concepts().size();
  obs_.resize(n);
  conds_.resize(n);
  meds_.resize(n);
  events_.resize(n);
  // Each record counts for its concepts and every concept that includes them.
  auto targets = [&](const CodedRef& ref) {
    std::vector<std::uint32_t> out;
    for (const auto& id : ref.concepts)
      if (auto* c = lexicon.find(id)) lexicon.add_counted_as(*c, out);
    return out;
  };
  for (const auto& o : profile.observations)
    if (o.date <= as_of)
      for (auto i : targets(o.what)) obs_[i].push_back(&o);
  for (const auto& c : profile.conditions) {
    if (c.onset && *c.onset > as_of) continue;
    for (auto i : targets(c.what)) {
      conds_[i].push_back(&c);
      // A condition coded as an event (E16.0 severe hypoglycaemia) is one.
      if (lexicon.concepts()[i].kind == ConceptKind::event && c.onset) events_[i].push_back({*c.onset, c.field});
    }
  }
  for (const auto& m : profile.medications)
    if (!m.start || *m.start <= as_of)
      for (auto i : targets(m.what)) meds_[i].push_back(&m);
  for (const auto& e : profile.events)
    if (e.date <= as_of)
      for (auto i : targets(e.what)) events_[i].push_back({e.date, e.field});
  // Newest first; among equal dates the later record wins (a correction).
  for (auto& v : obs_)
    std::stable_sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->date > b->date; });
  for (auto& v : obs_) {
    for (std::size_t k = 1; k < v.size(); ++k) {
      std::size_t j = k;
      while (j > 0 && v[j]->date == v[j - 1]->date && v[j] > v[j - 1]) {
        std::swap(v[j], v[j - 1]);
        --j;
      }
    }
  }
  for (auto& v : events_) std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.date.days < b.date.days; });
}

const std::vector<const ObservationRecord*>& PatientFacts::observations(const Concept& c) const { return obs_[index_of(c)]; }
const std::vector<const ConditionRecord*>& PatientFacts::conditions(const Concept& c) const { return conds_[index_of(c)]; }
const std::vector<const MedicationRecord*>& PatientFacts::medications(const Concept& c) const { return meds_[index_of(c)]; }
const std::vector<PatientFacts::Occurrence>& PatientFacts::events(const Concept& c) const { return events_[index_of(c)]; }

bool PatientFacts::any_active_condition() const {
  for (const auto& c : profile_->conditions)
    if (c.status == RecordStatus::active && (!c.onset || *c.onset <= as_of_) && (!c.abatement || *c.abatement > as_of_))
      return true;
  return false;
}

// ---------------------------------------------------------------- leaves

namespace {

Result yes(std::string why, std::vector<Evidence> ev = {}) { return {Truth::yes, Unknown::none, std::move(why), std::move(ev), {}}; }
Result no(std::string why, std::vector<Evidence> ev = {}) { return {Truth::no, Unknown::none, std::move(why), std::move(ev), {}}; }
Result unknown(Unknown r, std::string why, std::string needs = {}, std::vector<Evidence> ev = {}) {
  Result out{Truth::unknown, r, std::move(why), std::move(ev), {}};
  if (!needs.empty()) out.needs.push_back(std::move(needs));
  return out;
}
Result truth(bool b, std::string why, std::vector<Evidence> ev) { return b ? yes(std::move(why), std::move(ev)) : no(std::move(why), std::move(ev)); }

Evidence evidence_of(const ObservationRecord& o, const std::string& concept_id) {
  Evidence e;
  e.concept_id = concept_id;
  e.field = o.field;
  e.date = format_iso_date(o.date);
  if (o.value) {
    e.number = *o.value;
    e.value = fmt(*o.value);
    e.unit = o.unit;
  } else {
    e.value = o.qualitative == Qualitative::positive ? "positive" : "negative";
  }
  return e;
}

bool condition_active(const ConditionRecord& c, Date as_of) {
  return c.status == RecordStatus::active && (!c.abatement || *c.abatement > as_of);
}

bool medication_active(const MedicationRecord& m, Date as_of) {
  return m.status == RecordStatus::active && (!m.end || *m.end >= as_of);
}

// An autoantibody result: positive, negative, or unknown (no cut-off).
std::optional<bool> positivity(const ObservationRecord& o) {
  if (o.qualitative == Qualitative::positive) return true;
  if (o.qualitative == Qualitative::negative) return false;
  if (o.value && o.reference_high) return *o.value > *o.reference_high;
  return std::nullopt;
}

Result eval_compare(const PlanNode& n, const PatientFacts& f, const Lexicon& lex) {
  const Concept& c = *n.concept_ref;
  // "ecog 1 is 1", "is not 3", "is other than 2": no symbol where words read better.
  std::string target = n.op == CmpOp::eq ? "" : n.op == CmpOp::ne ? "other than " : std::string(ast::to_string(n.op)) + " ";
  if (!n.unit_error.empty()) return unknown(Unknown::unit_mismatch, n.unit_error, c.id + " with a convertible unit");
  if (c.id == "age") {
    const Profile& p = f.profile();
    Evidence e;
    e.concept_id = "age";
    double age;
    if (p.birth_date) {
      if (n.time_unit == "years") age = completed_years(*p.birth_date, f.as_of());
      else if (n.time_unit == "months") age = completed_months(*p.birth_date, f.as_of());
      else if (n.time_unit == "weeks") age = (f.as_of().days - p.birth_date->days) / 7;
      else age = f.as_of().days - p.birth_date->days;
      e.date = format_iso_date(f.as_of());
      e.field = "/birth_date";
      e.note = "born " + format_iso_date(*p.birth_date) + ", as of " + format_iso_date(f.as_of());
    } else if (p.age) {
      e.field = "/age";
      double years = *p.age;
      age = n.time_unit == "years" ? std::floor(years) : n.time_unit == "months" ? std::floor(years * 12)
            : n.time_unit == "weeks"                    ? std::floor(years * 52.1786)
                                                        : std::floor(years * 365.25);
      e.note = "age given in the profile";
    } else {
      return unknown(Unknown::missing_data, "no birth date or age", "birth_date or age");
    }
    e.number = age;
    e.value = fmt(age);
    e.unit = n.time_unit;
    bool ok = compare_numbers(age, n.op, n.threshold);
    return truth(ok, "age " + fmt(age) + " " + n.time_unit + (ok ? " is " : " is not ") + target + fmt(n.threshold) + " " + n.time_unit, {e});
  }
  const auto& records = f.observations(c);
  std::optional<Date> oldest_allowed;
  if (c.lookback && !c.lookback->any) oldest_allowed = add(f.as_of(), -c.lookback->amount, c.lookback->unit);
  const ObservationRecord* o = nullptr;
  for (auto* r : records) {
    if (!r->value) continue;
    o = r;
    break;
  }
  std::string window = c.lookback && !c.lookback->any ? " within " + c.lookback->str() : "";
  if (!o) return unknown(Unknown::missing_data, "no " + c.id + " value" + window, c.id + window + " before " + format_iso_date(f.as_of()));
  if (oldest_allowed && o->date < *oldest_allowed) {
    Evidence e = evidence_of(*o, c.id);
    e.note = "older than the " + c.lookback->str() + " look-back";
    return unknown(Unknown::missing_data, "no " + c.id + " value" + window + " (latest " + e.date + ")",
                   c.id + window + " before " + format_iso_date(f.as_of()), {e});
  }
  Evidence e = evidence_of(*o, c.id);
  std::string how;
  auto value = lex.to_canonical(c, *o->value, o->unit, &how);
  if (!value)
    return unknown(Unknown::unit_mismatch, c.id + " recorded in " + (o->unit.empty() ? std::string("no unit") : o->unit) +
                                               ", which does not convert to " + c.unit,
                   c.id + " in " + c.unit, {e});
  if (!how.empty()) e.note = "converted: " + how;
  if (c.plausible && (*value < c.plausible->first || *value > c.plausible->second)) {
    e.note = "implausible: outside " + fmt(c.plausible->first) + "-" + fmt(c.plausible->second) + " " + c.unit + "; not used";
    return unknown(Unknown::missing_data, c.id + " " + e.value + " " + e.unit + " is implausible and was not used",
                   "a plausible " + c.id + " value", {e});
  }
  double threshold = n.threshold;
  std::string shown_threshold = fmt(n.threshold) + " " + c.unit;
  if (n.uln) {
    std::optional<double> uln;
    std::string uln_note;
    if (o->reference_high) {
      uln = lex.to_canonical(c, *o->reference_high, o->unit);
      uln_note = "upper limit of normal " + fmt(*o->reference_high) + " " + o->unit + " from the observation's reference range";
    }
    if (!uln && c.uln_default) {
      uln = *c.uln_default;
      uln_note = "upper limit of normal " + fmt(*c.uln_default) + " " + c.unit + ", the lexicon's default (" + c.uln_source + ")";
    }
    if (!uln) return unknown(Unknown::missing_data, "no upper limit of normal for " + c.id, c.id + " reference_high", {e});
    threshold = n.threshold * *uln;
    shown_threshold = fmt(n.threshold) + " \u00D7 ULN = " + fmt(threshold) + " " + c.unit;
    e.note += (e.note.empty() ? "" : "; ") + uln_note;
  }
  bool ok = compare_numbers(*value, n.op, threshold);
  std::string shown_value = fmt(*value) + " " + c.unit;
  return truth(ok, c.id + " " + shown_value + " (" + e.date + ")" + (ok ? " is " : " is not ") + target + shown_threshold, {e});
}

// Autoantibodies wane after diagnosis, so a positive result on record
// counts whatever came after (product.md): the newest positive result, else
// unknown if some result has no cut-off, else the newest (negative) result.
std::pair<std::optional<bool>, const ObservationRecord*> ever_positive(
    const std::vector<const ObservationRecord*>& newest_first) {
  const ObservationRecord* undecided = nullptr;
  for (const auto* o : newest_first) {
    auto pos = positivity(*o);
    if (pos && *pos) return {true, o};
    if (!pos && !undecided) undecided = o;
  }
  if (undecided) return {std::nullopt, undecided};
  return {false, newest_first.front()};
}

Result eval_count_positive(const PlanNode& n, const PatientFacts& f) {
  int positive = 0, undecided = 0;
  std::vector<Evidence> ev;
  std::vector<std::string> missing;
  for (const Concept* c : n.concepts) {
    const auto& rs = f.observations(*c);
    if (rs.empty()) {
      ++undecided;
      missing.push_back(c->id);
      continue;
    }
    auto [pos, used] = ever_positive(rs);
    Evidence e = evidence_of(*used, c->id);
    if (!pos) {
      ++undecided;
      e.note = "no cut-off (reference_high) to read the titre against";
      missing.push_back(c->id + " cut-off");
    } else {
      positive += *pos;
      e.note = *pos ? "positive" : "negative";
    }
    ev.push_back(e);
  }
  bool now = compare_numbers(positive, n.op, n.n);
  bool best = compare_numbers(positive + undecided, n.op, n.n);
  std::string what = std::to_string(positive) + " positive of " + std::to_string(n.concepts.size());
  // Unknown results could still move the count across the threshold.
  if (undecided > 0 && now != best) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return unknown(Unknown::missing_data, what + "; no result for " + list, "autoantibody results: " + list, ev);
  }
  return truth(now, what + (now ? "" : std::string(", need ") + ast::to_string(n.op) + " " + std::to_string(n.n)), ev);
}

Result eval_count_events(const PlanNode& n, const PatientFacts& f) {
  if (!n.concept_ref) return unknown(Unknown::unparsed, "unknown event");
  const auto& occ = f.events(*n.concept_ref);
  Date from{INT32_MIN};
  std::string in;
  if (n.window) {
    from = add(f.as_of(), -n.window->amount, n.window->unit);
    in = " in the " + window_text(*n.window) + " before " + format_iso_date(f.as_of());
  }
  int count = 0;
  std::vector<Evidence> ev;
  for (const auto& o : occ) {
    if (o.date <= from) continue;
    ++count;
    Evidence e;
    e.concept_id = n.concept_ref->id;
    e.value = "event";
    e.date = format_iso_date(o.date);
    e.field = o.field;
    ev.push_back(e);
  }
  bool ok = compare_numbers(count, n.op, n.n);
  return truth(ok, std::to_string(count) + " " + n.concept_ref->id + in + (ok ? ", " : ", need ") +
                       (ok ? std::string("meets ") : std::string()) + ast::to_string(n.op) + " " + std::to_string(n.n),
               ev);
}

// Duration since onset (or start), or since it ended, against a threshold.
Result eval_duration(const PlanNode& n, const PatientFacts& f) {
  if (!n.concept_ref) return unknown(Unknown::unparsed, "unknown condition");
  const Concept& c = *n.concept_ref;
  bool since = n.kind == Kind::since;
  std::optional<Date> from;
  std::string field;
  bool any = false, active = false;
  for (auto* r : f.conditions(c)) {
    any = true;
    if (since) {
      if (condition_active(*r, f.as_of())) active = true;
      else if (r->abatement && (!from || *r->abatement > *from)) {
        from = r->abatement;
        field = r->field;
      }
    } else if (r->onset && (!from || *r->onset < *from)) {
      from = r->onset;
      field = r->field;
    }
  }
  for (auto* m : f.medications(c)) {
    any = true;
    if (!since && m->start && (!from || *m->start < *from)) {
      from = m->start;
      field = m->field;
    }
  }
  if (!any) return no("no record of " + c.id);
  if (since && active && !from) return no(c.id + " is still active");
  if (!from)
    return unknown(Unknown::missing_data, c.id + (since ? " has no end date" : " has no onset date"),
                   c.id + (since ? " abatement" : " onset") + " date");
  int amount = static_cast<int>(std::clamp(n.threshold, -1e5, 1e5));
  Date mark = add(*from, amount, n.time_unit);
  bool ge = mark <= f.as_of(), gt = mark < f.as_of();
  bool ok = false;
  switch (n.op) {
    case CmpOp::ge: ok = ge; break;
    case CmpOp::gt: ok = gt; break;
    case CmpOp::lt: ok = !ge; break;
    case CmpOp::le: ok = !gt; break;
    case CmpOp::eq: ok = ge && !gt; break;
    case CmpOp::ne: ok = !(ge && !gt); break;
  }
  Evidence e;
  e.concept_id = c.id;
  e.date = format_iso_date(*from);
  e.field = field;
  int days = f.as_of().days - from->days;
  e.value = std::to_string(days) + " days";
  e.note = std::string(since ? "ended " : "since ") + e.date;
  return truth(ok, c.id + (since ? " ended " : " since ") + e.date + " (" + std::to_string(days) + " days)" +
                       (ok ? " is " : " is not ") + ast::to_string(n.op) + " " + amount_text(n.threshold, n.time_unit),
               {e});
}

Result eval_presence(const PlanNode& n, const PatientFacts& f) {
  if (!n.concept_ref) return unknown(Unknown::unparsed, "unknown concept");
  const Concept& c = *n.concept_ref;
  const bool history = n.kind == Kind::history;
  Date as_of = f.as_of();
  std::optional<Date> from;
  if (n.window) from = add(as_of, -n.window->amount, n.window->unit);
  std::string in = n.window ? " in the " + window_text(*n.window) + " before " + format_iso_date(as_of) : "";
  if (c.id == "healthy_volunteer") {
    bool healthy = !f.any_active_condition();
    return truth(healthy, healthy ? "no active condition on record" : "has an active condition on record", {});
  }
  // "except(type1_diabetes)": a record that is also one of these does not count.
  auto excepted = [&](auto&& records_of, const auto& record, auto&& same) {
    for (const Concept* x : n.except)
      for (const auto& r : records_of(*x))
        if (same(r, record)) return true;
    return false;
  };
  auto same_pointer = [](const auto* a, const auto* b) { return a == b; };
  auto same_occurrence = [](const PatientFacts::Occurrence& a, const PatientFacts::Occurrence& b) {
    return a.field == b.field && a.date == b.date;
  };
  std::string but;
  for (const Concept* x : n.except) but += (but.empty() ? " other than " : " or ") + x->id;
  switch (c.kind) {
    case ConceptKind::event: {
      for (const auto& o : f.events(c))
        if ((!from || o.date > *from) && !excepted([&](const Concept& x) -> const auto& { return f.events(x); }, o, same_occurrence)) {
          Evidence e{c.id, "event", std::nullopt, "", format_iso_date(o.date), "", o.field};
          return yes(c.id + " on " + e.date, {e});
        }
      return no("no record of " + c.id + but + in);
    }
    case ConceptKind::medication: {
      for (auto* m : f.medications(c)) {
        if (excepted([&](const Concept& x) -> const auto& { return f.medications(x); }, m, same_pointer)) continue;
        bool active = medication_active(*m, as_of);
        bool in_window = from ? (!m->end || *m->end >= *from) : (history || active);
        if (in_window) {
          Evidence e{c.id, active ? "active" : to_string(m->status), std::nullopt, "",
                     m->start ? format_iso_date(*m->start) : "", "", m->field};
          return yes(c.id + (active ? " active" : " on record") + (m->start ? " since " + format_iso_date(*m->start) : ""), {e});
        }
      }
      return no("no record of " + c.id + but + in);
    }
    case ConceptKind::autoantibody:
    case ConceptKind::measure:
    case ConceptKind::group:
      return unknown(Unknown::unparsed, c.id + " named without a threshold");
    default: {
      for (auto* r : f.conditions(c)) {
        if (excepted([&](const Concept& x) -> const auto& { return f.conditions(x); }, r, same_pointer)) continue;
        bool active = condition_active(*r, as_of);
        bool counts = history || active;
        if (from) counts = !r->abatement || *r->abatement >= *from;
        if (!counts) continue;
        Evidence e{c.id, active ? "active" : to_string(r->status), std::nullopt, "",
                   r->onset ? format_iso_date(*r->onset) : "", "", r->field};
        return yes(c.id + (active ? " active" : " in history") + (r->onset ? " since " + format_iso_date(*r->onset) : ""), {e});
      }
      // Closed world: no record means no.
      bool resolved_only = !history && !f.conditions(c).empty();
      return no((resolved_only ? "no active " : "no record of ") + c.id + but + in);
    }
  }
}

Result eval_positivity(const PlanNode& n, const PatientFacts& f) {
  if (!n.concept_ref) return unknown(Unknown::unparsed, "unknown concept");
  const Concept& c = *n.concept_ref;
  const auto& rs = f.observations(c);
  if (rs.empty()) return unknown(Unknown::missing_data, "no " + c.id + " result", c.id + " result");
  bool want = n.kind == Kind::positive;
  // positive(x): any positive result on record; negative(x): the newest.
  auto [pos, used] = want ? ever_positive(rs) : std::pair{positivity(*rs.front()), rs.front()};
  Evidence e = evidence_of(*used, c.id);
  if (!pos) return unknown(Unknown::missing_data, c.id + " titre without a cut-off", c.id + " reference_high", {e});
  return truth(*pos == want, c.id + (*pos ? " positive" : " negative") + " (" + e.date + ")", {e});
}

void dedupe(std::vector<Evidence>& ev) {
  std::vector<Evidence> out;
  for (auto& e : ev) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const Evidence& o) {
      return o.concept_id == e.concept_id && o.value == e.value && o.date == e.date && o.note == e.note && o.field == e.field;
    });
    if (!seen) out.push_back(std::move(e));
  }
  ev = std::move(out);
}

// Kleene logic, keeping why: false and unknown = false, true or unknown = true.
// An unknown that needs a person anyway is reported as manual: whoever
// confirms it sees the whole criterion, missing data included.
Result combine(const std::vector<Result>& rs, bool conjunction) {
  Truth decisive = conjunction ? Truth::no : Truth::yes;
  Result out;
  std::vector<const Result*> unknowns;
  for (const auto& r : rs) {
    if (r.truth == decisive) {
      out.truth = decisive;
      out.why += (out.why.empty() ? "" : "; ") + r.why;
      out.evidence.insert(out.evidence.end(), r.evidence.begin(), r.evidence.end());
    } else if (r.truth == Truth::unknown) {
      unknowns.push_back(&r);
    }
  }
  if (out.truth == decisive) {
    dedupe(out.evidence);
    return out;
  }
  if (unknowns.empty()) {
    out.truth = conjunction ? Truth::yes : Truth::no;
    for (const auto& r : rs) {
      out.why += (out.why.empty() ? "" : "; ") + r.why;
      out.evidence.insert(out.evidence.end(), r.evidence.begin(), r.evidence.end());
    }
    dedupe(out.evidence);
    return out;
  }
  out.truth = Truth::unknown;
  out.reason = unknowns.front()->reason;
  for (auto* u : unknowns)
    if (u->reason == Unknown::manual) out.reason = Unknown::manual;
  for (const auto& r : rs) out.evidence.insert(out.evidence.end(), r.evidence.begin(), r.evidence.end());
  for (auto* u : unknowns) {
    out.why += (out.why.empty() ? "" : "; ") + u->why;
    out.needs.insert(out.needs.end(), u->needs.begin(), u->needs.end());
  }
  dedupe(out.evidence);
  return out;
}

// at_least(n, ...): true when n operands are true; false when fewer than n
// are true or unknown; else unknown (a manual unknown's reason wins, as in
// combine()).
Result combine_at_least(const std::vector<Result>& rs, int n) {
  std::vector<Result> yes, rest;
  int unknown = 0;
  for (const auto& r : rs) {
    (r.truth == Truth::yes ? yes : rest).push_back(r);
    unknown += r.truth == Truth::unknown;
  }
  const std::string tally = std::to_string(yes.size()) + " of " + std::to_string(rs.size()) + " hold, " +
                            std::to_string(n) + " needed";
  Result out;
  if (static_cast<int>(yes.size()) >= n) {
    out = combine(yes, true);
  } else if (static_cast<int>(yes.size()) + unknown < n) {
    out = combine(rs, true);
    out.truth = Truth::no;
    out.reason = Unknown::none;
    out.needs.clear();
  } else {
    out = combine(rest, false);
    out.truth = Truth::unknown;
  }
  out.why = tally + ": " + out.why;
  return out;
}

}  // namespace

namespace {
// A cohort(...) term in a cohort's plan: whether this is that cohort's evaluation.
std::string cohort_reason(const PlanNode& cohort_literal) {
  return cohort_literal.value ? "in " + cohort_literal.text : "for " + cohort_literal.text + " only, not this one";
}
}  // namespace

Result evaluate(const PlanNode& n, const PatientFacts& f, const Lexicon& lex) {
  switch (n.kind) {
    case Kind::compare:
      if (!n.concept_ref) return unknown(Unknown::unparsed, n.unit_error);
      return eval_compare(n, f, lex);
    case Kind::sex_is: {
      Sex s = f.profile().sex;
      if (s == Sex::unknown) return unknown(Unknown::missing_data, "sex not recorded", "sex");
      bool ok = n.time_unit == to_string(s);
      if (n.op == CmpOp::ne) ok = !ok;
      Evidence e{"sex", to_string(s), std::nullopt, "", "", "", "/sex"};
      return truth(ok, std::string("sex ") + to_string(s), {e});
    }
    case Kind::count_positive: return eval_count_positive(n, f);
    case Kind::count_events: return eval_count_events(n, f);
    case Kind::duration:
    case Kind::since: return eval_duration(n, f);
    case Kind::present:
    case Kind::history: return eval_presence(n, f);
    case Kind::positive:
    case Kind::negative: return eval_positivity(n, f);
    case Kind::manual:
      return unknown(Unknown::manual, "to confirm: " + n.text, "a person's confirmation (" + n.text + ")");
    case Kind::unparsed:
      return unknown(Unknown::unparsed, "not understood: \"" + n.text + "\"", "a person's reading of \"" + n.text + "\"");
    case Kind::literal:
      if (n.text.starts_with("cohort ")) return truth(n.value, cohort_reason(n), {});
      return n.value ? yes("nothing to check") : no("nothing to check");
    case Kind::any_present:
    case Kind::all_present:
    case Kind::constant: break;  // only in lean plans
    case Kind::not_: {
      if (const PlanNode& c = n.children.front(); c.kind == Kind::literal && c.text.starts_with("cohort "))
        return truth(!c.value, cohort_reason(c), {});
      Result r = evaluate(n.children.front(), f, lex);
      if (r.truth == Truth::yes) r.truth = Truth::no;
      else if (r.truth == Truth::no) r.truth = Truth::yes;
      if (r.truth != Truth::unknown) r.why = "not: " + r.why;
      return r;
    }
    case Kind::and_:
    case Kind::or_:
    case Kind::at_least: {
      std::vector<Result> rs;
      rs.reserve(n.children.size());
      for (const auto& c : n.children) rs.push_back(evaluate(c, f, lex));
      return n.kind == Kind::at_least ? combine_at_least(rs, n.n) : combine(rs, n.kind == Kind::and_);
    }
  }
  return unknown(Unknown::unparsed, "?");
}

namespace {
// Eligible before undetermined before ineligible, then the higher score.
bool better(Verdict va, double sa, Verdict vb, double sb) {
  return va != vb ? static_cast<int>(va) < static_cast<int>(vb) : sa > sb;
}
}  // namespace

TrialResult evaluate_trial(const TrialPlan& plan, const PatientFacts& facts, const Lexicon& lexicon) {
  if (!plan.cohorts.empty()) {
    // Each cohort on its own; the trial's verdict is the best cohort's (the
    // first named, on a tie).
    std::vector<TrialResult::CohortVerdict> verdicts;
    std::optional<TrialResult> best;
    for (const auto& variant : plan.cohorts) {
      TrialResult r = evaluate_trial(variant, facts, lexicon);
      verdicts.push_back({variant.cohort, r.verdict, r.score});
      if (!best || better(r.verdict, r.score, best->verdict, best->score)) {
        r.cohort = variant.cohort;
        best = std::move(r);
      }
    }
    best->cohorts = std::move(verdicts);
    return std::move(*best);
  }
  TrialResult out;
  out.trial = plan.trial;
  out.criteria.reserve(plan.criteria.size());
  int computable = 0, passing = 0;
  bool fails = false, undecided = false;
  for (const auto& cp : plan.criteria) {
    CriterionResult cr;
    cr.criterion = cp.criterion;
    if (cp.root) cr.result = evaluate(*cp.root, facts, lexicon);
    else cr.result = unknown(Unknown::unparsed, "not understood", "a person's reading of the criterion");
    // A manual answer in the profile replaces a manual or unparsed unknown.
    if (cr.result.truth == Truth::unknown && !facts.profile().answers.empty() &&
        (cr.result.reason == Unknown::manual || cr.result.reason == Unknown::unparsed)) {
      auto it = facts.profile().answers.find(plan.trial->id + "/" + cp.criterion->id);
      if (it != facts.profile().answers.end()) {
        cr.answered = true;
        cr.result.truth = it->second ? Truth::yes : Truth::no;
        cr.result.reason = Unknown::none;
        cr.result.why = std::string("answered in the profile: ") + (it->second ? "holds" : "does not hold");
        cr.result.needs.clear();
      }
    }
    cr.outcome = cr.result.truth == Truth::yes ? Outcome::met : cr.result.truth == Truth::no ? Outcome::not_met : Outcome::unknown;
    bool inclusion = cp.criterion->kind == CriterionKind::inclusion;
    bool passes = inclusion ? cr.outcome == Outcome::met : cr.outcome == Outcome::not_met;
    bool blocks = inclusion ? cr.outcome == Outcome::not_met : cr.outcome == Outcome::met;
    fails = fails || blocks;
    if (cr.outcome == Outcome::unknown && cr.result.reason != Unknown::manual) undecided = true;
    auto status = cp.criterion->compiled.status;
    if (status == grammar::Status::computable || status == grammar::Status::partial) {
      ++computable;
      passing += passes;
    }
    out.criteria.push_back(std::move(cr));
  }
  out.verdict = fails ? Verdict::ineligible : undecided ? Verdict::undetermined : Verdict::eligible;
  // Share of computable criteria that pass, rounded so output is stable.
  out.score = computable ? std::round(10000.0 * passing / computable) / 10000.0 : 0.0;
  return out;
}

const CriterionResult* TrialResult::first_blocker() const {
  for (const auto& c : criteria) {
    bool inclusion = c.criterion->kind == CriterionKind::inclusion;
    if (inclusion ? c.outcome == Outcome::not_met : c.outcome == Outcome::met) return &c;
  }
  for (const auto& c : criteria)
    if (c.outcome == Outcome::unknown && c.result.reason != Unknown::manual) return &c;
  return nullptr;
}

void rank(std::vector<TrialResult>& results) {
  std::stable_sort(results.begin(), results.end(), [](const TrialResult& a, const TrialResult& b) {
    if (a.verdict != b.verdict) return static_cast<int>(a.verdict) < static_cast<int>(b.verdict);
    if (a.score != b.score) return a.score > b.score;
    return a.trial->id < b.trial->id;
  });
}

}  // namespace trialmatch
