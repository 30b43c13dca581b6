#include "patients/profile_fast.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/lexicon.hpp"

namespace trialmatch {

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

// The keys a plain profile may hold. A key is recognised where it stands,
// without looking for its end: the sixteen bytes after its opening quote,
// masked, against each known key of the same first letter followed by its
// closing quote. Any other key (or one spelled with an escape) declines.
enum class Key : unsigned char {
  other, id, birth_date, as_of, age, sex, conditions, observations, events, medications,
  concept_id, code, system, display, date, unit, value, reference_high, reference_low,
  onset, abatement, status, start, end
};

struct KeyName {
  std::string_view name;
  Key key;
};
// Per first letter, the commoner keys first: those of every record (code,
// system, date, unit, value) before those of one record kind, and those
// before the profile's own, which come once a line.
constexpr KeyName kKeys[] = {
    {"code", Key::code},
    {"concept", Key::concept_id},
    {"conditions", Key::conditions},
    {"system", Key::system},
    {"status", Key::status},
    {"start", Key::start},
    {"sex", Key::sex},
    {"date", Key::date},
    {"display", Key::display},
    {"unit", Key::unit},
    {"value", Key::value},
    {"reference_high", Key::reference_high},
    {"reference_low", Key::reference_low},
    {"onset", Key::onset},
    {"observations", Key::observations},
    {"end", Key::end},
    {"events", Key::events},
    {"abatement", Key::abatement},
    {"as_of", Key::as_of},
    {"age", Key::age},
    {"id", Key::id},
    {"birth_date", Key::birth_date},
    {"medications", Key::medications},
};

// Up to eight bytes of `s` from `at`, little-endian, as a load gives them.
constexpr std::uint64_t word_of(std::string_view s, std::size_t at) {
  std::uint64_t w = 0;
  for (std::size_t i = 0; i < 8 && at + i < s.size(); ++i) w |= std::uint64_t{static_cast<unsigned char>(s[at + i])} << (8 * i);
  return w;
}
constexpr std::uint64_t low_bytes(std::size_t n) { return n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1; }

struct KeyTable {
  // A key's bytes with its closing quote and colon (`date":`), as two
  // masked words; without the colon when whitespace stands before it.
  struct Pattern {
    std::uint64_t w0 = 0, w1 = 0, m0 = 0, m1 = 0;
    unsigned char length = 0;
  };
  struct Entry {
    Pattern compact, spaced;
    Key key = Key::other;
  };
  Entry entries[std::size(kKeys)]{};
  unsigned char first[257]{};  // keys starting with byte c: entries [first[c], first[c + 1])
  static constexpr Pattern pattern(std::string_view name, std::string_view end) {
    char text[18]{};
    std::size_t n = 0;
    for (char c : name) text[n++] = c;
    for (char c : end) text[n++] = c;
    const std::string_view t(text, n);
    return {word_of(t, 0), word_of(t, 8), low_bytes(n), n > 8 ? low_bytes(n - 8) : 0, static_cast<unsigned char>(n)};
  }
  constexpr KeyTable() {
    std::size_t at = 0;
    for (std::size_t c = 0; c < 256; ++c) {
      first[c] = static_cast<unsigned char>(at);
      for (const auto& k : kKeys)
        if (static_cast<unsigned char>(k.name[0]) == c) entries[at++] = {pattern(k.name, "\":"), pattern(k.name, "\""), k.key};
    }
    first[256] = static_cast<unsigned char>(at);
  }
};
constexpr KeyTable kKeyTable;
constexpr std::size_t kKeyBytes = 16;
static_assert(std::ranges::all_of(kKeys, [](const KeyName& k) { return k.name.size() + 2 <= kKeyBytes; }));

// A strict, single-pass reader of the JSON a plain profile is written in.
// Every method returns false to decline: the validating loader then reads
// the line and says what, if anything, is wrong with it. So the scanner
// takes a narrower JSON than the standard and never a wider one: strings of
// printable ASCII without escapes (a key spelled with an escape matches no
// known key), numbers without exponents and of at most 15 significant
// digits (those convert exactly in one division), and no true/false/null.
// It reads up to kKeyBytes past the end of its line, which the caller keeps
// allocated (kPadding).
class Scanner {
 public:
  Scanner(const char* begin, const char* end) : p_(begin), end_(end) {}

  void skip_whitespace() {
    // One test in the common case: profiles are mostly written compact.
    while (p_ < end_ && static_cast<unsigned char>(*p_) <= ' ' &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }
  // Consumes the next token if it is `c`.
  bool eat(char c) {
    if (p_ < end_ && *p_ == c) [[likely]] {  // no whitespace before it: the common case
      ++p_;
      return true;
    }
    skip_whitespace();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool at_end() {
    skip_whitespace();
    return p_ == end_;
  }

  // A string, in place: from just after its opening quote to the first
  // quote, eight bytes at a time (the classic "has a zero byte" and "has a
  // byte less than n" bit tricks; the lowest flagged byte is always a true
  // one). A backslash, a control character or a byte above 0x7F declines.
  bool string(std::string_view& out) {
    if (!eat('"')) return false;
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (const char* s = p_; s < end_; s += 8) {
      std::uint64_t w;
      std::memcpy(&w, s, 8);
      const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
      const std::uint64_t special = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs;
      if (!special) continue;
      const char* e = s + std::countr_zero(special) / 8;
      if (e >= end_ || *e != '"') return false;
      out = std::string_view(p_, static_cast<std::size_t>(e - p_));
      p_ = e + 1;
      return true;
    }
    return false;
  }

  // A number, converted as strtod would (correctly rounded): the digits
  // as an integer below 2^53 divided by an exact power of ten is the one
  // case where a single IEEE division is exact to the last bit (Clinger).
  bool number(double& out) {
    skip_whitespace();
    const char* s = p_;
    const bool negative = s < end_ && *s == '-';
    s += negative;
    if (s >= end_) return false;
    std::uint64_t mantissa = 0;
    int digits = 0;
    auto digit = [&] { return s < end_ && static_cast<unsigned>(*s - '0') <= 9; };
    if (*s == '0') {
      ++s;
    } else if (digit()) {
      for (; digit(); ++s, ++digits) mantissa = mantissa * 10 + static_cast<unsigned>(*s - '0');
    } else {
      return false;
    }
    int fraction = 0;
    if (s < end_ && *s == '.') {
      ++s;
      for (; digit(); ++s, ++digits, ++fraction) mantissa = mantissa * 10 + static_cast<unsigned>(*s - '0');
      if (fraction == 0) return false;
    }
    if (s < end_ && (*s == 'e' || *s == 'E')) return false;
    // -0 reads as integer zero in the loader but as -0.0 here: leave it to it.
    if (digits > 15 || fraction > 22 || (negative && mantissa == 0)) return false;
    static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const double v = static_cast<double>(mantissa) / powers[fraction];
    out = negative ? -v : v;
    p_ = s;
    return true;
  }

  [[gnu::always_inline]] bool date(std::optional<Date>& out) {
    std::string_view s;
    if (!string(s)) return false;
    out = parse_iso_date(s);
    return out.has_value();
  }

  // An array of objects: `element()` is called after each '{' and reads
  // the object through its '}'.
  template <class Element>
  bool each_object(Element&& element) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      if (!eat('{') || !element()) return false;
    } while (eat(','));
    return eat(']');
  }

  // A known key and its colon (reads kKeyBytes past the opening quote).
  // A known key after its opening quote, through its colon (reads
  // kKeyBytes from there).
  Key key() {
    std::uint64_t w0, w1;
    std::memcpy(&w0, p_, 8);
    std::memcpy(&w1, p_ + 8, 8);
    const auto c = static_cast<unsigned char>(*p_);
    auto matches = [&](const KeyTable::Pattern& t) {
      return (w0 & t.m0) == t.w0 && (w1 & t.m1) == t.w1 && t.length <= end_ - p_;
    };
    const unsigned from = kKeyTable.first[c], to = kKeyTable.first[c + 1];
    for (unsigned i = from; i < to; ++i)
      if (matches(kKeyTable.entries[i].compact)) {
        p_ += kKeyTable.entries[i].compact.length;
        return kKeyTable.entries[i].key;
      }
    // Whitespace before the colon: rare.
    for (unsigned i = from; i < to; ++i)
      if (matches(kKeyTable.entries[i].spaced)) {
        p_ += kKeyTable.entries[i].spaced.length;
        return eat(':') ? kKeyTable.entries[i].key : Key::other;
      }
    return Key::other;
  }

  // An object's members after its '{', through its '}': `member(key)` reads
  // the value of a known key or returns false.
  template <class Member>
  bool members(Member&& member) {
    if (eat('}')) return true;
    if (!eat('"')) return false;
    for (;;) {
      const Key k = key();
      if (k == Key::other || !member(k)) return false;
      if (end_ - p_ >= 2 && p_[0] == ',' && p_[1] == '"') {  // the next key, written compact
        p_ += 2;
        continue;
      }
      if (!eat(',')) return eat('}');
      if (!eat('"')) return false;
    }
  }

 private:
  const char* p_;
  const char* end_;
};

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
[[gnu::always_inline]] inline int coded_key(Key key, Scanner& s, Coded& c, Seen& seen) {
  std::string_view ignored;
  switch (key) {
    case Key::concept_id: return seen.first(20) && s.string(c.concept_id) ? 1 : -1;
    case Key::code: return seen.first(21) && s.string(c.code) ? 1 : -1;
    case Key::system: return seen.first(22) && s.string(c.system) ? 1 : -1;
    case Key::display: return seen.first(23) && s.string(ignored) ? 1 : -1;
    default: return 0;
  }
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

// A record's members after its '{': the coding keys go into `c`, every
// other key to `other(key)`, which reads the value or returns false.
template <class Other>
bool record_members(Scanner& s, Coded& c, Seen& seen, Other&& other) {
  return s.members([&](Key key) {
    int coded = coded_key(key, s, c, seen);
    return coded > 0 || (coded == 0 && other(key));
  }) && coded_ok(c);
}

// A condition or a medication: a coding, a period and a status.
struct Period {
  Coded c;
  std::optional<Date> from, to;
  RecordStatus status = RecordStatus::active;
};
bool period(Scanner& s, Key from_key, Key to_key, std::initializer_list<RecordStatus> allowed, Period& p) {
  Seen seen;
  bool ok = record_members(s, p.c, seen, [&](Key key) {
    std::string_view text;
    if (key == from_key) return seen.first(0) && s.date(p.from);
    if (key == to_key) return seen.first(1) && s.date(p.to);
    if (key == Key::status) return seen.first(2) && s.string(text) && status_of(text, allowed, p.status);
    return false;
  });
  return ok && !(p.from && p.to && *p.to < *p.from);
}

bool condition(Scanner& s, LeanFactsBuilder& b) {
  Period p;
  if (!period(s, Key::onset, Key::abatement, {RecordStatus::active, RecordStatus::resolved, RecordStatus::history}, p))
    return false;
  b.condition(b.targets(p.c.concept_id, p.c.system, p.c.code), p.status, p.from, p.to);
  return true;
}

bool medication(Scanner& s, LeanFactsBuilder& b) {
  Period p;
  if (!period(s, Key::start, Key::end, {RecordStatus::active, RecordStatus::stopped, RecordStatus::completed, RecordStatus::history},
              p))
    return false;
  b.medication(b.targets(p.c.concept_id, p.c.system, p.c.code), p.status, p.from, p.to);
  return true;
}

bool event(Scanner& s, LeanFactsBuilder& b) {
  Coded c;
  Seen seen;
  std::optional<Date> date;
  bool ok = record_members(s, c, seen, [&](Key key) { return key == Key::date && seen.first(0) && s.date(date); });
  if (!ok || !date) return false;
  b.event(b.targets(c.concept_id, c.system, c.code), *date);
  return true;
}

bool observation(Scanner& s, LeanFactsBuilder& b) {
  Coded c;
  Seen seen;
  std::optional<Date> date;
  std::optional<double> value, high, low;
  std::string_view unit;
  Qualitative qualitative = Qualitative::none;
  bool ok = record_members(s, c, seen, [&](Key key) {
    double d;
    std::string_view text;
    switch (key) {
      case Key::date: return seen.first(0) && s.date(date);
      case Key::unit: return seen.first(2) && s.string(unit);
      case Key::reference_high: return seen.first(3) && s.number(d) && (high = d, true);
      case Key::reference_low: return seen.first(4) && s.number(d) && (low = d, true);
      case Key::value:
        if (!seen.first(1)) return false;
        if (s.number(d)) {
          value = d;
          return true;
        }
        if (!s.string(text)) return false;
        if (iequals(text, "positive") || iequals(text, "detected")) qualitative = Qualitative::positive;
        else if (iequals(text, "negative") || iequals(text, "not detected")) qualitative = Qualitative::negative;
        else return false;
        return true;
      default: return false;  // "interpretation" and the rest: the loader decides
    }
  });
  if (!ok || !date || (!value && qualitative == Qualitative::none)) return false;
  if (high && low && *low > *high) return false;
  // The loader keeps the unit of numeric values only.
  if (value) b.observation(b.measured_targets(c.concept_id, c.system, c.code, unit), *date, *value, high);
  else b.observation(b.targets(c.concept_id, c.system, c.code), *date, std::nullopt, {}, qualitative, high);
  return true;
}

}  // namespace

struct FastProfileReader::Impl {
  std::vector<char> buffer;

  std::optional<Read> read(std::string_view line, LeanFactsBuilder& b, bool padded) {
    const char* json = line.data();
    if (!padded) {
      buffer.resize(line.size() + kPadding);
      std::memcpy(buffer.data(), line.data(), line.size());
      json = buffer.data();
    }
    Scanner s(json, json + line.size());
    if (!s.eat('{')) return std::nullopt;
    b.begin();
    LeanFacts& f = b.facts();
    Read out;
    Seen seen;
    bool has_id = false;
    bool ok = s.members([&](Key key) {
      std::string_view text;
      double d;
      switch (key) {
        case Key::id:
          has_id = true;
          return seen.first(0) && s.string(out.id) && !out.id.empty();
        case Key::birth_date: return seen.first(1) && s.date(f.birth_date);
        case Key::as_of: return seen.first(2) && s.date(out.as_of);
        case Key::age:
          if (!seen.first(3) || !s.number(d) || d < 0 || d > 130) return false;
          f.age = d;
          return true;
        case Key::sex:
          if (!seen.first(4) || !s.string(text)) return false;
          if (iequals(text, "female")) f.sex = Sex::female;
          else if (iequals(text, "male")) f.sex = Sex::male;
          else if (iequals(text, "other")) f.sex = Sex::other;
          else if (iequals(text, "unknown")) f.sex = Sex::unknown;
          else return false;
          return true;
        case Key::conditions: return seen.first(5) && s.each_object([&] { return condition(s, b); });
        case Key::observations: return seen.first(6) && s.each_object([&] { return observation(s, b); });
        case Key::events: return seen.first(7) && s.each_object([&] { return event(s, b); });
        case Key::medications: return seen.first(8) && s.each_object([&] { return medication(s, b); });
        default: return false;  // answers, resourceType, unknown keys: the loader's business
      }
    });
    // Nothing may follow the object.
    if (!ok || !s.at_end() || !has_id) return std::nullopt;
    if (f.birth_date && out.as_of && *f.birth_date > *out.as_of) return std::nullopt;
    return out;
  }
};

FastProfileReader::FastProfileReader() : impl_(std::make_unique<Impl>()) {}
FastProfileReader::~FastProfileReader() = default;

const std::size_t FastProfileReader::kPadding = kKeyBytes;

std::optional<FastProfileReader::Read> FastProfileReader::read(std::string_view line, LeanFactsBuilder& builder) {
  return impl_->read(line, builder, false);
}

std::optional<FastProfileReader::Read> FastProfileReader::read_padded(std::string_view line, LeanFactsBuilder& builder) {
  return impl_->read(line, builder, true);
}

}  // namespace trialmatch
