#pragma once
// Reads a criterion's text into tokens: numbers, concept mentions, units,
// comparators, connectives and cue phrases, matched longest-first against X3
// symbol tables filled at run time from the lexicon (so a synonym is added
// without recompiling). Every token keeps its span in the original text.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace trialmatch {
class Lexicon;
}

namespace trialmatch::grammar {

enum class Tok {
  word, number, concept_ref, comparator, post_comparator, unit, time_unit, number_word, connective, cue, manual,
  filler, pathology, organ, person, void_, open, close, comma, semicolon, colon, period, punct
};
const char* to_string(Tok kind);

struct Token {
  Tok kind = Tok::word;
  std::string value;  // concept id, comparator op, canonical unit, cue name, ...
  double number = 0;  // numbers and number words
  int begin = 0;      // span in the original text
  int end = 0;
  std::string text;   // normalised (lower-case) text of the token
};

class CriteriaLexer {
 public:
  explicit CriteriaLexer(const Lexicon& lexicon);
  ~CriteriaLexer();
  CriteriaLexer(const CriteriaLexer&) = delete;
  CriteriaLexer& operator=(const CriteriaLexer&) = delete;

  std::vector<Token> lex(std::string_view text) const;

  // The concept a whole phrase names ("alcohol abuse"), if any: for lists
  // that share a head noun ("alcohol or drug abuse").
  std::string concept_named(std::string_view phrase) const;
  // The cue a whole phrase is ("women": female_noun), if any: for a word
  // read inside a longer phrase of filler ("women who are").
  std::string cue_named(std::string_view phrase) const;
  bool is_pathology_word(std::string_view word) const;

 private:
  void comparator_before_multiple(std::vector<Token>& out) const;
  void drop_stray_words(std::vector<Token>& out) const;
  void thousands_point_in_counts(std::vector<Token>& out) const;
  struct Tables;
  std::unique_ptr<Tables> tables_;
};

// Lower case, ≥ ≤ × µ ² and dashes spelled in ASCII, blanks collapsed;
// offsets[i] is the original byte offset of normalised byte i (one extra
// entry for the end) and ends[i], if given, where that original character ends.
std::string normalise_criterion(std::string_view text, std::vector<int>& offsets, std::vector<int>* ends = nullptr);

}  // namespace trialmatch::grammar
