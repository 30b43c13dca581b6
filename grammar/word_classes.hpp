#pragma once
// Classes of plain words the clause grammar reads ("if", "for", modal verbs
// ...). The language table word_class (rules/lexicon/language.json) gives
// each word its classes; criteria_compiler.cpp loads it and checks that
// every class here has a word.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/phrase_trie.hpp"

namespace trialmatch::grammar {

enum class Word : unsigned {
  condition, place_preposition, relative, relative_person, modal, modal_possible, obligation, modal_negated,
  permission, only, age_word, copula, article, not_, partitive, list_follows, people, presence,
  range_opener, onset, age_comparison, indefinite, complication, antibody_noun, islet_qualifier,
  requirement, also, undergone, contrast, and_typo, quantity, outside, no, past, verdict, population_with, score_word, range_to, elapsed, subset, at_time, can, clock_unit, kin, abnormality, admits, forbids, lapse, count_
};
inline constexpr std::string_view kWordClassNames[] = {
    "condition", "place_preposition", "relative", "relative_person", "modal", "modal_possible", "obligation",
    "modal_negated", "permission", "only", "age_word", "copula", "article", "not", "partitive", "list_follows",
    "people", "presence", "range_opener", "onset", "age_comparison", "indefinite", "complication", "antibody_noun",
    "islet_qualifier", "requirement", "also", "undergone", "contrast", "and_typo", "quantity", "outside", "no", "past", "verdict",
    "population_with", "score_word", "range_to", "elapsed", "subset", "at_time", "can", "clock_unit", "kin", "abnormality", "admits", "forbids", "lapse"};
static_assert(std::size(kWordClassNames) == static_cast<std::size_t>(Word::count_));

// Each word's classes as bits: up to 64 classes.
using ClassBits = std::uint64_t;
static_assert(static_cast<std::size_t>(Word::count_) <= 64);

inline bool has_class(ClassBits classes, Word w) { return (classes >> static_cast<unsigned>(w)) & 1u; }

// Word -> its classes, as loaded from the table, in a flat byte trie: each
// token's words are looked up once per criterion, by string_view.
class WordClasses {
 public:
  void add(const std::string& word, ClassBits classes) { pending_[word] |= classes; }
  void seal() {
    std::vector<std::pair<std::string, ClassBits>> all(pending_.begin(), pending_.end());
    trie_.build(std::move(all));
    pending_.clear();
  }
  // The word's classes, none (0) for a word the table does not list.
  ClassBits of(std::string_view word) const {
    const auto* e = trie_.find(word);
    return e ? e->second : ClassBits{0};
  }

 private:
  std::map<std::string, ClassBits> pending_;
  PhraseTrie<ClassBits> trie_;
};

}  // namespace trialmatch::grammar

namespace trialmatch {
class Lexicon;
}

namespace trialmatch::grammar {

// The lexicon's table word_class. Throws std::runtime_error naming the
// table for a class the grammar does not know or a class without a word.
WordClasses load_word_classes(const Lexicon& lexicon);

}  // namespace trialmatch::grammar
