#pragma once
// "Aspartate amino transferase (AST)": words the lexicon does not know,
// defined by the abbreviation in brackets after them, name what the
// abbreviation names. A pass over the lexer's tokens.
#include <optional>
#include <string_view>
#include <vector>

#include "grammar/criteria_lexer.hpp"

namespace trialmatch {
class Lexicon;
}

namespace trialmatch::grammar {

// Written as an abbreviation: no blank, at most 10 characters, two capitals or more.
bool written_as_abbreviation(std::string_view s);

// Where, in `words` (lower case, single blanks), the long form of
// `abbreviation` starts, by Schwartz & Hearst's rule (Pacific Symposium on
// Biocomputing 2003): the abbreviation's letters and digits appear in the
// words in order, from the end, its first at the start of a word.
std::optional<std::size_t> long_form_start(std::string_view abbreviation, std::string_view words);

// Folds "words (ABBR)" into one token naming ABBR's concept when ABBR is
// written as an abbreviation (two capitals or more, no blank), names a
// concept, the plain words right before its bracket are its long form, and
// that long form agrees with the concept's names (at least half its words
// open as a word of a synonym does: "aspartate amino transferase" agrees
// with "aspartate aminotransferase"; "epidermal growth factor receptor"
// (EGFR) does not with "estimated glomerular filtration rate"). The token
// spans the words and the brackets. `text` is the criterion.
void fold_defined_abbreviations(std::vector<Token>& tokens, std::string_view text, const Lexicon& lexicon);

// "informed consent form (ICF)", "women of child bearing potential (WOCBP)":
// an abbreviation the lexicon does not know, in brackets right after its
// long form (same rule), restates those words; its brackets become filler.
void set_aside_restated_abbreviations(std::vector<Token>& tokens, std::string_view text);

}  // namespace trialmatch::grammar
