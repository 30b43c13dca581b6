#pragma once
// The lexicon: every concept trialmatch knows, with synonyms, codes, units,
// conversions, look-back windows and interpretations of vague words. It is
// data (rules/lexicon/*.json, format in docs/lexicon-format.md), loaded at run
// time; the bundled copy is compiled in.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/diagnostic.hpp"

namespace trialmatch {

enum class ConceptKind : unsigned char { measure, autoantibody, group, condition, state, event, medication, demographic };
const char* to_string(ConceptKind kind);

// canonical = value * factor + offset (a divisor d is stored as factor 1/d
// but kept for display so "÷ 18.016" reads as the source wrote it).
struct UnitConversion {
  std::string unit;
  double factor = 1.0;
  double offset = 0.0;
  std::optional<double> divisor;
  std::string source;  // key into Lexicon::sources
  double to_canonical(double v) const { return (divisor ? v / *divisor : v * factor) + offset; }
};

// A look-back window; `any` when every past value counts.
struct Window {
  bool any = true;
  int amount = 0;
  std::string unit;  // days, weeks, months, years
  std::string str() const { return any ? "any" : std::to_string(amount) + " " + unit; }
};

struct Concept {
  std::string id;
  ConceptKind kind = ConceptKind::condition;
  std::string label;
  std::vector<std::string> synonyms;
  std::map<std::string, std::vector<std::string>> codes;  // system -> codes, prefixes or ranges "E08-E13"
  std::string unit;                                       // canonical unit (measures)
  std::vector<UnitConversion> conversions;
  std::optional<Window> lookback;
  std::optional<std::pair<double, double>> plausible;
  std::vector<std::string> members;                       // groups
  std::vector<std::string> includes;  // narrower concepts that count as this one (c_peptide_fasting is a c_peptide)
  std::optional<double> uln_default;  // upper limit of normal in the canonical unit, when no reference range is given
  std::string uln_source;
  std::string caused_concept;        // "diabetes caused by X" means this concept
  std::string complication_concept;  // "complications of diabetes" means this concept
  std::string sex;                   // "female" / "male": only that sex can be in this state (pregnancy)
  std::string sex_source;
  std::string codes_source;  // where codes beyond those of `source` come from ("" = `source`)
  // Names of a part of the concept ("sitagliptin" of DPP-4 inhibitors): read
  // as the concept, but an exception naming one excepts less than all of it.
  std::vector<std::string> narrower;
  // An active record is itself uncontrolled (diabetic ketoacidosis, an
  // uncontrolled infection): "uncontrolled X" reads as X.
  bool active_means_uncontrolled = false;
  // Measures a bound on this one is read as when no value of this one could
  // meet it and theirs could ("performance status > 80%" is a Karnofsky
  // score, not an ECOG one).
  std::vector<std::string> implausible_means;
  std::string source;
};

struct Interpretation {
  std::string phrase;
  std::vector<std::string> synonyms;
  std::string meaning;
  std::string rule;             // rule language; {concept} stands for the condition it qualifies
  std::string default_concept;  // used for {concept} when the text names none
  std::string source;
};

// Phrase tables of the criteria language (comparators, units, cues, ...):
// table name -> lower-case phrase -> value.
using PhraseTables = std::map<std::string, std::map<std::string, std::string>>;

class Lexicon {
 public:
  // Merges one lexicon document; throws InputError naming file and field.
  void add_document(const nlohmann::json& doc, const std::string& file);
  // Cross-checks after all documents are in (group members, sources).
  void validate(const std::string& file) const;

  const Concept* find(std::string_view id) const;
  // The concept and every concept that includes it, transitively:
  // type1_diabetes -> type1_diabetes, diabetes.
  std::vector<std::string> with_ancestors(const std::string& id) const;
  // The same, as indices into concepts(), computed once.
  const std::vector<std::size_t>& ancestor_indices(std::size_t concept_index) const;
  // Whether `id` is `ancestor` or a concept it includes, transitively.
  bool within(std::string_view id, std::string_view ancestor) const;
  // Appends to `out` the indices a record of `c` counts for (c and every
  // concept that includes it), skipping those already there.
  void add_counted_as(const Concept& c, std::vector<std::uint32_t>& out) const;
  // Converts a value in `unit` to the concept's canonical unit; nullopt when
  // the lexicon knows no conversion (a unit mismatch). `how` describes it.
  std::optional<double> to_canonical(const Concept& c, double value, std::string_view unit, std::string* how = nullptr) const;
  // The same decision without converting: the unit is the canonical one
  // (ok, no conversion), has a conversion, or has none (not ok).
  struct UnitRoute {
    bool ok = false;
    const UnitConversion* conversion = nullptr;
    double apply(double v) const { return conversion ? conversion->to_canonical(v) : v; }
  };
  UnitRoute unit_route(const Concept& c, std::string_view unit) const;
  // Concepts whose codes cover `code` in `system` (icd10 by prefix or range;
  // other systems exactly), most specific first: E10.9 -> type1_diabetes, diabetes.
  std::vector<const Concept*> by_code(std::string_view system, std::string_view code) const;
  // Canonical spelling of a unit ("umol/L" -> "µmol/L").
  std::string canonical_unit_spelling(std::string_view unit) const;

  const std::vector<Concept>& concepts() const { return concepts_; }
  const std::vector<Interpretation>& interpretations() const { return interpretations_; }
  const std::map<std::string, std::string>& sources() const { return sources_; }
  const PhraseTables& phrases() const { return phrases_; }

 private:
  std::vector<Concept> concepts_;
  // Looked up by every concept mention the grammar reads: hashed, by string_view.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::size_t, IdHash, std::equal_to<>> index_;
  std::vector<Interpretation> interpretations_;
  std::map<std::string, std::string> sources_;
  std::map<std::string, std::string, std::less<>> unit_aliases_;
  PhraseTables phrases_;
  // Filled by validate(), before any concurrent use.
  mutable std::vector<std::vector<std::size_t>> ancestors_;
  // Per code system, every (pattern, concept index) in concept order.
  mutable std::map<std::string, std::vector<std::pair<std::string, std::size_t>>, std::less<>> patterns_;
  void compute_ancestors() const;
};

// Up to six significant digits, no trailing zeros: 0.025, 8.9, 100.
std::string format_double(double v);

// Parses "6 months", "12 months", "1 year", "any".
std::optional<Window> parse_window(std::string_view text);

// The lexicon compiled into the binary.
const Lexicon& bundled_lexicon();
Lexicon load_lexicon_files(const std::vector<std::string>& paths);

// Systems a profile or code may use.
bool is_known_code_system(std::string_view system);

}  // namespace trialmatch
