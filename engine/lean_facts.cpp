#include "engine/lean_facts.hpp"

#include <algorithm>

namespace trialmatch {

namespace {

template <class T>
std::span<const T> slice(const std::vector<T>& v, const std::uint32_t (&r)[2]) {
  return {v.data() + r[0], r[1] - r[0]};
}

}  // namespace

std::span<const LeanObservation> LeanFacts::observations(std::uint32_t c) const { return slice(obs_, ranges_of(c).obs); }
std::span<const LeanCondition> LeanFacts::conditions(std::uint32_t c) const { return slice(cond_, ranges_of(c).cond); }
std::span<const LeanMedication> LeanFacts::medications(std::uint32_t c) const { return slice(med_, ranges_of(c).med); }
std::span<const LeanEvent> LeanFacts::events(std::uint32_t c) const { return slice(ev_, ranges_of(c).ev); }

LeanFactsBuilder::LeanFactsBuilder(const Lexicon& lexicon) : lexicon_(lexicon) {
  facts_.ranges_.assign(lexicon.concepts().size(), {});
  facts_.present_.assign((lexicon.concepts().size() + 63) / 64, 0);
  facts_.history_.assign(facts_.present_.size(), 0);
}

void LeanFactsBuilder::begin() {
  for (auto c : touched_) {
    facts_.ranges_[c] = {};
    facts_.present_[c / 64] = facts_.history_[c / 64] = 0;
  }
  touched_.clear();
  facts_.obs_.clear();
  facts_.cond_.clear();
  facts_.med_.clear();
  facts_.ev_.clear();
  raw_conditions_.clear();
  facts_.birth_date.reset();
  facts_.age.reset();
  facts_.sex = Sex::unknown;
  facts_.answers = nullptr;
  facts_.any_active_condition_ = false;
  seq_ = 0;
}

void LeanFactsBuilder::compute_targets(std::vector<std::uint32_t>& out, std::string_view concept_id, std::string_view system,
                                       std::string_view code) {
  // The concepts a record maps to, as the profile loader lists them: the
  // named concept first, then those its code maps to, most specific first.
  std::vector<const Concept*> mapped;
  if (!code.empty()) mapped = lexicon_.by_code(system, code);
  if (!concept_id.empty()) {
    if (const Concept* named = lexicon_.find(concept_id)) {
      if (std::find(mapped.begin(), mapped.end(), named) == mapped.end()) mapped.insert(mapped.begin(), named);
    }
  }
  out.clear();
  for (const Concept* c : mapped) lexicon_.add_counted_as(*c, out);
}

std::span<const std::uint32_t> LeanFactsBuilder::targets(std::string_view concept_id, std::string_view system,
                                                          std::string_view code) {
  return target_cache_.get(key_of(concept_id, system, code), [&] {
    std::vector<std::uint32_t> out;
    compute_targets(out, concept_id, system, code);
    return out;
  });
}

const LeanFactsBuilder::MeasuredTargets& LeanFactsBuilder::measured_targets(std::string_view concept_id,
                                                                             std::string_view system,
                                                                             std::string_view code, std::string_view unit) {
  return measured_cache_.get(key_of(concept_id, system, code, unit), [&] {
    MeasuredTargets m;
    compute_targets(m.targets, concept_id, system, code);
    for (std::uint32_t c : m.targets) m.routes.push_back(lexicon_.unit_route(lexicon_.concepts()[c], unit));
    return m;
  });
}

std::span<const std::uint32_t> LeanFactsBuilder::targets(const CodedRef& ref) {
  // The loader already resolved the record: its concepts, then ancestors.
  scratch_.clear();
  for (const auto& id : ref.concepts)
    if (const Concept* c = lexicon_.find(id)) lexicon_.add_counted_as(*c, scratch_);
  return scratch_;
}

const std::vector<Lexicon::UnitRoute>& LeanFactsBuilder::routes(std::string_view unit) {
  return route_cache_.get(unit, [&] {
    std::vector<Lexicon::UnitRoute> routes;
    routes.reserve(lexicon_.concepts().size());
    for (const auto& c : lexicon_.concepts()) routes.push_back(lexicon_.unit_route(c, unit));
    return routes;
  });
}

void LeanFactsBuilder::observation(std::span<const std::uint32_t> targets, Date date, std::optional<double> value,
                                   std::string_view unit, Qualitative qualitative, std::optional<double> reference_high) {
  route_scratch_.clear();
  if (value)
    for (std::uint32_t c : targets) route_scratch_.push_back(routes(unit)[c]);
  add_observation(targets, route_scratch_.data(), date, value, qualitative, reference_high);
}

void LeanFactsBuilder::observation(const MeasuredTargets& measured, Date date, double value,
                                   std::optional<double> reference_high) {
  add_observation(measured.targets, measured.routes.data(), date, value, Qualitative::none, reference_high);
}

void LeanFactsBuilder::add_observation(std::span<const std::uint32_t> targets, const Lexicon::UnitRoute* routes, Date date,
                                       std::optional<double> value, Qualitative qualitative,
                                       std::optional<double> reference_high) {
  std::uint32_t seq = seq_++;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    LeanObservation o{targets[k], date, seq};
    o.qualitative = qualitative;
    o.has_value = value.has_value();
    o.has_reference_high = reference_high.has_value();
    o.raw_value = value.value_or(0);
    o.raw_reference_high = reference_high.value_or(0);
    if (o.has_value) {
      const auto& r = routes[k];
      o.convertible = r.ok;
      if (r.ok) {
        o.value = r.apply(o.raw_value);
        o.reference_high = r.apply(o.raw_reference_high);
      }
    }
    facts_.obs_.push_back(o);
  }
}

void LeanFactsBuilder::condition(std::span<const std::uint32_t> targets, RecordStatus status, std::optional<Date> onset,
                                 std::optional<Date> abatement) {
  std::uint32_t seq = seq_++;
  raw_conditions_.push_back({status, onset, abatement});
  for (std::uint32_t c : targets) facts_.cond_.push_back({c, seq, status, onset, abatement});
}

void LeanFactsBuilder::medication(std::span<const std::uint32_t> targets, RecordStatus status, std::optional<Date> start,
                                  std::optional<Date> end) {
  std::uint32_t seq = seq_++;
  for (std::uint32_t c : targets) facts_.med_.push_back({c, seq, status, start, end});
}

void LeanFactsBuilder::event(std::span<const std::uint32_t> targets, Date date) {
  std::uint32_t seq = seq_++;
  for (std::uint32_t c : targets) facts_.ev_.push_back({c, date, seq});
}

const LeanFacts& LeanFactsBuilder::finish(Date as_of) {
  LeanFacts& f = facts_;
  f.as_of = as_of;
  // Records dated after the as-of date do not exist yet (PatientFacts).
  std::erase_if(f.obs_, [&](const LeanObservation& o) { return o.date > as_of; });
  std::erase_if(f.med_, [&](const LeanMedication& m) { return m.start && *m.start > as_of; });
  std::erase_if(f.ev_, [&](const LeanEvent& e) { return e.date > as_of; });
  std::erase_if(f.cond_, [&](const LeanCondition& c) { return c.onset && *c.onset > as_of; });
  // A condition coded as an event (E16.0 severe hypoglycaemia) is one.
  const auto& concepts = lexicon_.concepts();
  for (const auto& c : f.cond_)
    if (c.onset && concepts[c.concept_index].kind == ConceptKind::event) f.ev_.push_back({c.concept_index, *c.onset, c.seq});
  for (const auto& c : raw_conditions_)
    if (c.status == RecordStatus::active && (!c.onset || *c.onset <= as_of) && (!c.abatement || *c.abatement > as_of))
      f.any_active_condition_ = true;

  // Newest first; among equal dates the later record wins (a correction).
  std::sort(f.obs_.begin(), f.obs_.end(), [](const LeanObservation& a, const LeanObservation& b) {
    if (a.concept_index != b.concept_index) return a.concept_index < b.concept_index;
    if (a.date != b.date) return a.date > b.date;
    return a.seq > b.seq;
  });
  auto by_concept_then_seq = [](const auto& a, const auto& b) {
    return a.concept_index != b.concept_index ? a.concept_index < b.concept_index : a.seq < b.seq;
  };
  std::sort(f.cond_.begin(), f.cond_.end(), by_concept_then_seq);
  std::sort(f.med_.begin(), f.med_.end(), by_concept_then_seq);
  std::sort(f.ev_.begin(), f.ev_.end(), [](const LeanEvent& a, const LeanEvent& b) {
    return a.concept_index != b.concept_index ? a.concept_index < b.concept_index : a.date < b.date;
  });

  // Each concept's run in each list, and the bits present() and history()
  // read: from events for an event, from medications for a medication,
  // from conditions for the condition kinds; never for measured kinds.
  auto reads_conditions = [&](std::uint32_t c) {
    switch (concepts[c].kind) {
      case ConceptKind::event:
      case ConceptKind::medication:
      case ConceptKind::autoantibody:
      case ConceptKind::measure:
      case ConceptKind::group: return false;
      default: return true;
    }
  };
  auto set_bits = [&](std::uint32_t c, bool present, bool history) {
    const std::uint64_t bit = std::uint64_t{1} << (c % 64);
    if (present) f.present_[c / 64] |= bit;
    if (history) f.history_[c / 64] |= bit;
  };
  auto runs = [&](const auto& v, auto member, auto&& per_run) {
    for (std::uint32_t i = 0; i < v.size();) {
      const std::uint32_t c = v[i].concept_index;
      std::uint32_t j = i + 1;
      while (j < v.size() && v[j].concept_index == c) ++j;
      (f.ranges_[c].*member)[0] = i;
      (f.ranges_[c].*member)[1] = j;
      touched_.push_back(c);  // may repeat: begin() only clears
      per_run(c, i, j);
      i = j;
    }
  };
  runs(f.obs_, &LeanFacts::Ranges::obs, [](std::uint32_t, std::uint32_t, std::uint32_t) {});
  runs(f.cond_, &LeanFacts::Ranges::cond, [&](std::uint32_t c, std::uint32_t i, std::uint32_t j) {
    if (!reads_conditions(c)) return;
    bool present = false;
    for (; i < j; ++i) {
      const auto& r = f.cond_[i];
      present = present || (r.status == RecordStatus::active && (!r.abatement || *r.abatement > as_of));
    }
    set_bits(c, present, true);
  });
  runs(f.med_, &LeanFacts::Ranges::med, [&](std::uint32_t c, std::uint32_t i, std::uint32_t j) {
    if (concepts[c].kind != ConceptKind::medication) return;
    bool present = false;
    for (; i < j; ++i) {
      const auto& m = f.med_[i];
      present = present || (m.status == RecordStatus::active && (!m.end || *m.end >= as_of));
    }
    set_bits(c, present, true);
  });
  runs(f.ev_, &LeanFacts::Ranges::ev, [&](std::uint32_t c, std::uint32_t, std::uint32_t) {
    if (concepts[c].kind == ConceptKind::event) set_bits(c, true, true);
  });
  if (f.birth_date) {
    const Date b = *f.birth_date;
    f.age_in[static_cast<int>(TimeUnit::years)] = completed_years(b, as_of);
    f.age_in[static_cast<int>(TimeUnit::months)] = completed_months(b, as_of);
    f.age_in[static_cast<int>(TimeUnit::weeks)] = (as_of.days - b.days) / 7;
    f.age_in[static_cast<int>(TimeUnit::days)] = as_of.days - b.days;
  }
  return f;
}

const LeanFacts& LeanFactsBuilder::from_profile(const Profile& p, Date as_of) {
  begin();
  facts_.birth_date = p.birth_date;
  facts_.age = p.age;
  facts_.sex = p.sex;
  if (!p.answers.empty()) facts_.answers = &p.answers;
  for (const auto& c : p.conditions) condition(targets(c.what), c.status, c.onset, c.abatement);
  for (const auto& o : p.observations) {
    observation(targets(o.what), o.date, o.value, o.unit, o.qualitative, o.reference_high);
  }
  for (const auto& m : p.medications) medication(targets(m.what), m.status, m.start, m.end);
  for (const auto& e : p.events) event(targets(e.what), e.date);
  return finish(as_of);
}

}  // namespace trialmatch
