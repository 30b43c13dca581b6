#pragma once
// Facts for batch screening: what evaluation needs of one patient and no
// more (no text, no JSON pointers), in flat arrays indexed by concept, built
// by a per-thread builder that keeps its memory from one patient to the next.
// The explaining evaluator uses PatientFacts instead; both make the same
// decisions (tests/test_screen.cpp holds them to it).
#include <climits>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/lexicon.hpp"
#include "patients/profile.hpp"

namespace trialmatch {

struct LeanObservation {
  std::uint32_t concept_index;
  Date date;
  std::uint32_t seq;        // record order: among equal dates the later record wins
  bool has_value = false;
  bool convertible = false;  // the unit converts to the concept's canonical unit
  bool has_reference_high = false;
  Qualitative qualitative = Qualitative::none;
  double raw_value = 0, raw_reference_high = 0;  // as written: positivity reads these
  double value = 0, reference_high = 0;          // canonical unit, when convertible
};

struct LeanCondition {
  std::uint32_t concept_index;
  std::uint32_t seq;
  RecordStatus status = RecordStatus::active;
  std::optional<Date> onset, abatement;
};

struct LeanMedication {
  std::uint32_t concept_index;
  std::uint32_t seq;
  RecordStatus status = RecordStatus::active;
  std::optional<Date> start, end;
};

struct LeanEvent {
  std::uint32_t concept_index;
  Date date;
  std::uint32_t seq = 0;  // the record's, shared by its copies for each concept it counts for
};

class LeanFacts {
 public:
  Date as_of{};
  std::optional<Date> birth_date;
  std::optional<double> age;
  Sex sex = Sex::unknown;
  const std::map<std::string, bool>* answers = nullptr;  // "TRIAL/CRITERION" -> holds

  std::span<const LeanObservation> observations(std::uint32_t concept_index) const;  // newest first
  std::span<const LeanCondition> conditions(std::uint32_t concept_index) const;
  std::span<const LeanMedication> medications(std::uint32_t concept_index) const;
  std::span<const LeanEvent> events(std::uint32_t concept_index) const;  // oldest first
  bool any_active_condition() const { return any_active_condition_; }
  // Per concept, one bit: what present(concept) and history(concept) would
  // answer with no window (a condition active / on record, an event on
  // record, a medication active / on record). Words of 64 concepts.
  const std::vector<std::uint64_t>& present_bits() const { return present_; }
  const std::vector<std::uint64_t>& history_bits() const { return history_; }
  // Age in completed years, months, weeks and days (TimeUnit order reversed:
  // index by static_cast<int>(TimeUnit)), when the birth date is known.
  int age_in[4] = {0, 0, 0, 0};
  // as_of minus `amount` units: a look-back's start. Remembered across
  // patients (most share their as-of date), as calendar arithmetic is not
  // free and trials share a handful of look-backs.
  Date before_as_of(int amount, TimeUnit unit) const {
    Window& w = windows_[(static_cast<unsigned>(amount) * 4 + static_cast<unsigned>(unit)) % 16];
    if (w.as_of != as_of || w.amount != amount || w.unit != unit) w = {as_of, amount, unit, add(as_of, -amount, unit)};
    return w.start;
  }

 private:
  friend class LeanFactsBuilder;
  struct Ranges {
    std::uint32_t obs[2], cond[2], med[2], ev[2];
  };
  std::vector<LeanObservation> obs_;
  std::vector<LeanCondition> cond_;
  std::vector<LeanMedication> med_;
  std::vector<LeanEvent> ev_;
  std::vector<Ranges> ranges_;  // by concept index (a lexicon holds a few hundred concepts at most)
  std::vector<std::uint64_t> present_, history_;
  bool any_active_condition_ = false;
  struct Window {
    Date as_of{INT_MIN};
    int amount = 0;
    TimeUnit unit = TimeUnit::days;
    Date start;
  };
  mutable Window windows_[16];
  const Ranges& ranges_of(std::uint32_t concept_index) const { return ranges_[concept_index]; }
};

// A string-keyed cache with open addressing: a lookup hashes the key once
// and usually touches one slot. Cleared when full, so it stays bounded.
template <class V>
class StringCache {
 public:
  explicit StringCache(std::size_t max_entries) : max_(max_entries) { slots_.resize(64); }
  // The value for `key`, made by `make()` the first time.
  template <class Make>
  V& get(std::string_view key, Make&& make) {
    std::uint64_t h = hash(key) | 1;  // 0 marks an empty slot
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.hash == h && s.key == key) return s.value;
      if (s.hash == 0) {
        if (2 * (used_ + 1) > slots_.size()) {
          grow();
          return get(key, make);
        }
        s.hash = h;
        s.key.assign(key);
        s.value = make();
        ++used_;
        return s.value;
      }
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::string key;
    V value{};
  };
  std::vector<Slot> slots_;
  std::size_t used_ = 0, max_;
  // Eight bytes at a time, multiply and fold: keys are short and many.
  static std::uint64_t hash(std::string_view key) {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ key.size();
    std::size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, key.data() + i, 8);
      h = (h ^ chunk) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    std::uint64_t tail = 0;
    if (i < key.size()) std::memcpy(&tail, key.data() + i, key.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    return h ^ (h >> 29);
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    used_ = 0;
    // Past the bound the cache starts over rather than grow.
    slots_.resize(2 * old.size() > 2 * max_ ? old.size() : 2 * old.size());
    if (slots_.size() == old.size()) return;
    std::size_t mask = slots_.size() - 1;
    for (auto& s : old) {
      if (!s.hash) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].hash) i = (i + 1) & mask;
      slots_[i] = std::move(s);
      ++used_;
    }
  }
};

// Fills LeanFacts one patient at a time. Records go in as read (the as-of
// date may come last in a profile); finish() drops what is after the as-of
// date, sorts and indexes. Code and unit lookups are cached across patients.
class LeanFactsBuilder {
 public:
  explicit LeanFactsBuilder(const Lexicon& lexicon);

  void begin();
  // The concepts a record counts for (its own and every concept including
  // them), from its concept id and/or code; empty when the lexicon knows
  // neither. The span is valid until the next call.
  std::span<const std::uint32_t> targets(std::string_view concept_id, std::string_view system, std::string_view code);
  std::span<const std::uint32_t> targets(const CodedRef& ref);
  // An observation's targets together with how `unit` converts for each
  // (one lookup for both: the pair repeats from patient to patient).
  struct MeasuredTargets {
    std::vector<std::uint32_t> targets;
    std::vector<Lexicon::UnitRoute> routes;  // per target
  };
  const MeasuredTargets& measured_targets(std::string_view concept_id, std::string_view system, std::string_view code,
                                          std::string_view unit);

  void observation(std::span<const std::uint32_t> targets, Date date, std::optional<double> value, std::string_view unit,
                   Qualitative qualitative, std::optional<double> reference_high);
  // The same for a numeric value whose unit `measured` was looked up with.
  void observation(const MeasuredTargets& measured, Date date, double value, std::optional<double> reference_high);
  void condition(std::span<const std::uint32_t> targets, RecordStatus status, std::optional<Date> onset,
                 std::optional<Date> abatement);
  void medication(std::span<const std::uint32_t> targets, RecordStatus status, std::optional<Date> start,
                  std::optional<Date> end);
  void event(std::span<const std::uint32_t> targets, Date date);
  LeanFacts& facts() { return facts_; }
  // Sorts and indexes for `as_of`; the facts are then ready to evaluate.
  const LeanFacts& finish(Date as_of);

  // A whole profile loaded the long way (FHIR, or a record the fast reader
  // leaves to the validating loader). `profile` must outlive the facts.
  const LeanFacts& from_profile(const Profile& profile, Date as_of);

 private:
  const Lexicon& lexicon_;
  LeanFacts facts_;
  std::uint32_t seq_ = 0;
  std::vector<std::uint32_t> touched_;
  struct RawCondition {
    RecordStatus status;
    std::optional<Date> onset, abatement;
  };
  std::vector<RawCondition> raw_conditions_;  // one per record, mapped or not
  std::string key_;  // scratch for key_of, for keys too long for key_bytes_
  char key_bytes_[256];
  // Up to 16 bytes as at most two overlapping copies of a power of two:
  // reads only `s`, and a part's length repeats from record to record, so
  // the branches are predicted (appending each part to a string cost a
  // call and a capacity check apiece, a sixth of reading a profile).
  static void put_short(char*& w, std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    if (n >= 8) {
      std::memcpy(w, p, 8);
      std::memcpy(w + n - 8, p + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(w, p, 4);
      std::memcpy(w + n - 4, p + n - 4, 4);
    } else if (n > 0) {
      w[0] = p[0];
      w[n / 2] = p[n / 2];
      w[n - 1] = p[n - 1];
    }
    w += n;
  }
  // The cache key for several strings, each ended by a separator byte.
  template <class... Parts>
  std::string_view key_of(const Parts&... parts) {
    if (((parts.size() <= 16) && ...)) {
      char* w = key_bytes_;
      ((put_short(w, parts), *w++ = '\x1f'), ...);
      return {key_bytes_, static_cast<std::size_t>(w - key_bytes_)};
    }
    key_.clear();
    ((key_.append(parts).push_back('\x1f')), ...);
    return key_;
  }
  StringCache<std::vector<std::uint32_t>> target_cache_{4096};
  StringCache<MeasuredTargets> measured_cache_{4096};
  std::vector<Lexicon::UnitRoute> route_scratch_;
  void add_observation(std::span<const std::uint32_t> targets, const Lexicon::UnitRoute* routes, Date date,
                       std::optional<double> value, Qualitative qualitative, std::optional<double> reference_high);
  std::vector<std::uint32_t> scratch_;
  StringCache<std::vector<Lexicon::UnitRoute>> route_cache_{256};  // unit -> per concept
  // How `unit` converts for every concept (by concept index).
  const std::vector<Lexicon::UnitRoute>& routes(std::string_view unit);
  void compute_targets(std::vector<std::uint32_t>& out, std::string_view concept_id, std::string_view system,
                       std::string_view code);
};

}  // namespace trialmatch
