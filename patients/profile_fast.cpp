#include "patients/profile_fast.hpp"

#include <simdjson.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/lexicon.hpp"

namespace trialmatch {

namespace od = simdjson::ondemand;

namespace {

// Case-insensitive equality with a lower-case ASCII word.
bool iequals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Keys compared as written: a key spelled with escapes matches nothing and
// so declines the line, which the loader then reads.
bool is(od::raw_json_string key, std::string_view name) { return key.unsafe_is_equal(name); }

// Each reader returns false to decline: the validating loader then reads
// the line and says what, if anything, is wrong with it.
// A string read in place, without unescaping into the parser's buffer: from
// just after its opening quote to the first quote, eight bytes at a time
// (the classic "has a zero byte" and "has a byte less than n" bit tricks; the
// lowest flagged byte is always a true one). A string holding an escape (rare
// in profiles) declines the line; one holding a raw control character is
// invalid JSON, which the loader reports. Reading up to seven bytes past the
// closing quote stays inside simdjson's padding.
bool get_string(od::value v, std::string_view& out) {
  od::raw_json_string raw;
  if (v.get_raw_json_string().get(raw)) return false;  // consumes the value; not a string: decline
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  const char* p = raw.raw();
  for (std::size_t i = 0;; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    const std::uint64_t special =
        ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs) | ((w - ones * 0x20) & ~w & highs);
    if (!special) continue;
    const std::size_t end = i + static_cast<std::size_t>(std::countr_zero(special)) / 8;
    if (p[end] != '"') return false;
    out = std::string_view(p, end);
    return true;
  }
}

bool get_number(od::value v, double& out) {
  od::json_type t;
  if (v.type().get(t) || t != od::json_type::number) return false;
  return !v.get_double().get(out);
}
bool get_date(od::value v, std::optional<Date>& out) {
  std::string_view s;
  if (!get_string(v, s)) return false;
  out = parse_iso_date(s);
  return out.has_value();
}

// A key seen twice declines the line (JSON leaves duplicates undefined).
struct Seen {
  unsigned bits = 0;
  bool first(unsigned bit) {
    if (bits & (1u << bit)) return false;
    bits |= 1u << bit;
    return true;
  }
};

struct Coded {
  std::string_view concept_id, code, system;
};

// The "concept" / "code" / "system" / "display" keys every record shares.
// Returns 1 when handled, 0 when not one of them, -1 to decline.
int coded_key(od::raw_json_string key, od::value v, Coded& c, Seen& seen) {
  const char first = *key.raw();
  if (first != 'c' && first != 's' && first != 'd') return 0;
  if (is(key, "concept")) return seen.first(20) && get_string(v, c.concept_id) ? 1 : -1;
  if (is(key, "code")) return seen.first(21) && get_string(v, c.code) ? 1 : -1;
  if (is(key, "system")) return seen.first(22) && get_string(v, c.system) ? 1 : -1;
  if (is(key, "display")) {
    std::string_view ignored;
    return seen.first(23) && get_string(v, ignored) ? 1 : -1;
  }
  return 0;
}

// What the loader requires of every record's coding.
bool coded_ok(const Coded& c) {
  if (c.concept_id.empty() && c.code.empty()) return false;
  if (!c.code.empty() && (c.system.empty() || !is_known_code_system(c.system))) return false;
  return true;
}

bool status_of(std::string_view s, std::initializer_list<RecordStatus> allowed, RecordStatus& out) {
  for (auto a : allowed)
    if (s == to_string(a)) {
      out = a;
      return true;
    }
  return false;
}

}  // namespace

struct FastProfileReader::Impl {
  od::parser parser;
  std::vector<char> buffer;
  std::string id;

  template <class Fn>
  bool each_object(od::value v, Fn&& fn) {
    od::array array;
    if (v.get_array().get(array)) return false;
    for (auto element : array) {
      od::object object;
      if (element.get_object().get(object)) return false;
      if (!fn(object)) return false;
    }
    return true;
  }

  // A record's fields: the coding keys go into `c`, every other key to
  // `other(key, value)`, which returns false to decline.
  template <class Other>
  static bool record_fields(od::object o, Coded& c, Seen& seen, Other&& other) {
    for (auto field : o) {
      od::raw_json_string key;
      if (field.key().get(key)) return false;
      od::value v;
      if (field.value().get(v)) return false;
      int coded = coded_key(key, v, c, seen);
      if (coded < 0 || (coded == 0 && !other(key, v))) return false;
    }
    return coded_ok(c);
  }

  // A condition or a medication: a coding, a period and a status.
  struct Period {
    Coded c;
    std::optional<Date> from, to;
    RecordStatus status = RecordStatus::active;
  };
  static bool period(od::object o, std::string_view from_key, std::string_view to_key,
                     std::initializer_list<RecordStatus> allowed, Period& p) {
    Seen seen;
    bool ok = record_fields(o, p.c, seen, [&](od::raw_json_string key, od::value v) {
      std::string_view s;
      if (is(key, from_key)) return seen.first(0) && get_date(v, p.from);
      if (is(key, to_key)) return seen.first(1) && get_date(v, p.to);
      if (is(key, "status")) return seen.first(2) && get_string(v, s) && status_of(s, allowed, p.status);
      return false;
    });
    return ok && !(p.from && p.to && *p.to < *p.from);
  }

  bool condition(od::object o, LeanFactsBuilder& b) {
    Period p;
    if (!period(o, "onset", "abatement", {RecordStatus::active, RecordStatus::resolved, RecordStatus::history}, p))
      return false;
    b.condition(b.targets(p.c.concept_id, p.c.system, p.c.code), p.status, p.from, p.to);
    return true;
  }

  bool medication(od::object o, LeanFactsBuilder& b) {
    Period p;
    if (!period(o, "start", "end",
                {RecordStatus::active, RecordStatus::stopped, RecordStatus::completed, RecordStatus::history}, p))
      return false;
    b.medication(b.targets(p.c.concept_id, p.c.system, p.c.code), p.status, p.from, p.to);
    return true;
  }

  bool event(od::object o, LeanFactsBuilder& b) {
    Coded c;
    Seen seen;
    std::optional<Date> date;
    bool ok = record_fields(o, c, seen, [&](od::raw_json_string key, od::value v) {
      return is(key, "date") && seen.first(0) && get_date(v, date);
    });
    if (!ok || !date) return false;
    b.event(b.targets(c.concept_id, c.system, c.code), *date);
    return true;
  }

  bool observation(od::object o, LeanFactsBuilder& b) {
    Coded c;
    Seen seen;
    std::optional<Date> date;
    std::optional<double> value, high, low;
    std::string_view unit;
    Qualitative qualitative = Qualitative::none;
    bool ok = record_fields(o, c, seen, [&](od::raw_json_string key, od::value v) {
      double d;
      if (is(key, "date")) return seen.first(0) && get_date(v, date);
      if (is(key, "unit")) return seen.first(2) && get_string(v, unit);
      if (is(key, "reference_high")) return seen.first(3) && get_number(v, d) && (high = d, true);
      if (is(key, "reference_low")) return seen.first(4) && get_number(v, d) && (low = d, true);
      if (!is(key, "value") || !seen.first(1)) return false;  // "interpretation" and the rest: the loader decides
      od::json_type t;
      if (v.type().get(t)) return false;
      if (t == od::json_type::number) return !v.get_double().get(d) && (value = d, true);
      std::string_view s;
      if (!get_string(v, s)) return false;
      if (iequals(s, "positive") || iequals(s, "detected")) qualitative = Qualitative::positive;
      else if (iequals(s, "negative") || iequals(s, "not detected")) qualitative = Qualitative::negative;
      else return false;
      return true;
    });
    if (!ok || !date || (!value && qualitative == Qualitative::none)) return false;
    if (high && low && *low > *high) return false;
    // The loader keeps the unit of numeric values only.
    b.observation(b.targets(c.concept_id, c.system, c.code), *date, value, value ? unit : std::string_view(), qualitative, high);
    return true;
  }

  std::optional<Read> read(std::string_view line, LeanFactsBuilder& b, bool padded) {
    const char* json = line.data();
    if (!padded) {
      buffer.resize(line.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(buffer.data(), line.data(), line.size());
      json = buffer.data();
    }
    auto doc = parser.iterate(json, line.size(), line.size() + simdjson::SIMDJSON_PADDING);
    od::object top;
    if (doc.get_object().get(top)) return std::nullopt;
    b.begin();
    LeanFacts& f = b.facts();
    Read out;
    Seen seen;
    bool has_id = false;
    for (auto field : top) {
      od::raw_json_string key;
      if (field.key().get(key)) return std::nullopt;
      od::value v;
      if (field.value().get(v)) return std::nullopt;
      std::string_view s;
      bool ok;
      if (is(key, "id")) {
        ok = seen.first(0) && get_string(v, s) && !s.empty();
        if (ok) id.assign(s);
        has_id = true;
      } else if (is(key, "birth_date")) {
        ok = seen.first(1) && get_date(v, f.birth_date);
      } else if (is(key, "as_of")) {
        ok = seen.first(2) && get_date(v, out.as_of);
      } else if (is(key, "age")) {
        double d;
        ok = seen.first(3) && get_number(v, d) && d >= 0 && d <= 130;
        if (ok) f.age = d;
      } else if (is(key, "sex")) {
        ok = seen.first(4) && get_string(v, s);
        if (ok) {
          if (iequals(s, "female")) f.sex = Sex::female;
          else if (iequals(s, "male")) f.sex = Sex::male;
          else if (iequals(s, "other")) f.sex = Sex::other;
          else if (iequals(s, "unknown")) f.sex = Sex::unknown;
          else ok = false;
        }
      } else if (is(key, "conditions")) {
        ok = seen.first(5) && each_object(v, [&](od::object o) { return condition(o, b); });
      } else if (is(key, "observations")) {
        ok = seen.first(6) && each_object(v, [&](od::object o) { return observation(o, b); });
      } else if (is(key, "events")) {
        ok = seen.first(7) && each_object(v, [&](od::object o) { return event(o, b); });
      } else if (is(key, "medications")) {
        ok = seen.first(8) && each_object(v, [&](od::object o) { return medication(o, b); });
      } else {
        ok = false;  // answers, resourceType, unknown keys: the loader's business
      }
      if (!ok) return std::nullopt;
    }
    // Nothing may follow the object; a location inside the buffer means something does.
    const char* rest;
    if (!doc.current_location().get(rest)) return std::nullopt;
    if (!has_id) return std::nullopt;
    if (f.birth_date && out.as_of && *f.birth_date > *out.as_of) return std::nullopt;
    out.id = id;
    return out;
  }
};

FastProfileReader::FastProfileReader() : impl_(std::make_unique<Impl>()) {}
FastProfileReader::~FastProfileReader() = default;

const std::size_t FastProfileReader::kPadding = simdjson::SIMDJSON_PADDING;

std::optional<FastProfileReader::Read> FastProfileReader::read(std::string_view line, LeanFactsBuilder& builder) {
  return impl_->read(line, builder, false);
}

std::optional<FastProfileReader::Read> FastProfileReader::read_padded(std::string_view line, LeanFactsBuilder& builder) {
  return impl_->read(line, builder, true);
}

}  // namespace trialmatch
