#pragma once
// What the unit grammar (unit_grammar_def.hpp) reads from a unit as written:
// "mg/dL", "kg per meter squared", "x 10^9 cells/L", "mL/min/1.73 m2",
// "times the institutional upper limit of normal". Plain data, no X3.
#include <string>
#include <vector>

namespace trialmatch::grammar::unit_ast {

// One factor: a prefixed base to a power, possibly with a number before it
// ("1.73 m2" of "per 1.73 m2", "100" of "g/100 mL").
struct Term {
  double scale = 1;
  std::string prefix;  // "m", "u", "" (a prefix symbol of the language table unit_prefix_factor)
  std::string base;    // "g", "L", "mol", "m", "min", "[iU]", "mm[Hg]", "%", ...
  int power = 1;
};

struct Unit {
  // "xULN" / "xLLN" when the unit is a multiple of a reference limit; the
  // terms are then empty.
  std::string limit;
  double count_scale = 1;            // 10^9 of "x 10^9/L"
  std::vector<Term> numerator;       // empty in "/mm3"
  std::vector<Term> denominator;     // each after a "/" or "per"
  bool multiplier = false;           // "x", "times", "fold" was written
  bool names_normal = false;         // "normal", "reference", "institutional" was written
  bool abbreviated = false;          // "ULN", "ULRR": names the limit on its own
};

}  // namespace trialmatch::grammar::unit_ast
