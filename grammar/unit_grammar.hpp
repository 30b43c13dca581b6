#pragma once
// Units as a small compositional grammar (UCUM-like): prefixes and bases,
// "/" and "per", powers (m2, m^2, meter squared, square meter), a count's
// power of ten, a number in a denominator (per 1.73 m2), and multiples of a
// reference limit however worded (x ULN, times the institutional upper limit
// of normal). Every word comes from the language table (rules/lexicon/
// language.json, tables unit_*); the grammar gives the structure. A unit read
// is spelled as the lexicon spells the same unit (by structure, else by
// dimension and factor: pmol/mL is nmol/L), else in UCUM-like form.
// A non-template facade: X3 stays in unit_grammar.cpp.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/lexicon.hpp"
#include "grammar/unit_ast.hpp"

namespace trialmatch::grammar {

struct UnitMatch {
  std::size_t length = 0;  // bytes of the text read
  std::string spelling;    // canonical spelling ("mg/dL", "xULN", "kg/m2")
  unit_ast::Unit unit;
};

class UnitReader {
 public:
  // Throws std::runtime_error naming the table and entry for a malformed
  // table (a factor that is not a number, a base without a definition).
  explicit UnitReader(const PhraseTables& tables, const std::vector<std::string>& lexicon_spellings);
  ~UnitReader();
  UnitReader(const UnitReader&) = delete;
  UnitReader& operator=(const UnitReader&) = delete;

  // The longest unit at the start of `text` (normalised: lower case, µ as u,
  // single blanks), ending at a word boundary; nullopt when none. A single
  // plain term ("g", "min") counts only when the table unit_standalone lists
  // it: alone, such words are as often something else.
  // Right after a number, the terms of the table unit_after_number count too.
  std::optional<UnitMatch> read(std::string_view text, bool follows_number = false) const;

  // Spelling of a whole string as a unit ("kg per meter squared" -> "kg/m2"),
  // or nullopt when it is not entirely a unit.
  std::optional<std::string> spell(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trialmatch::grammar
