#pragma once
// Compiles every criterion of a set of trials: curated overrides first, the
// criteria grammar otherwise.
#include <vector>

#include "engine/trial.hpp"

namespace trialmatch {

class Lexicon;

struct Coverage {
  int computable = 0, partial = 0, manual = 0, unparsed = 0;
  int total() const { return computable + partial + manual + unparsed; }
  void add(grammar::Status s);
  Coverage& operator+=(const Coverage& o);
};

// Throws InputError (file:line:col, the line and a caret) for an override
// that does not parse, names an unknown concept, or names no criterion.
void compile_trials(std::vector<Trial>& trials, const Lexicon& lexicon);

Coverage coverage_of(const Trial& trial);

}  // namespace trialmatch
