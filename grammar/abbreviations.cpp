#include "grammar/abbreviations.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "engine/lexicon.hpp"

namespace trialmatch::grammar {

namespace {
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// The first letters of a word that must match a synonym's word's.
constexpr std::size_t kOpening = 4;

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  while (from < s.size()) {
    while (from < s.size() && !alnum(s[from])) ++from;
    std::size_t to = from;
    while (to < s.size() && alnum(s[to])) ++to;
    if (to > from) out.push_back(s.substr(from, to - from));
    from = to;
  }
  return out;
}

bool same_opening(std::string_view a, std::string_view b) {
  const std::size_t n = std::min({kOpening, a.size(), b.size()});
  if (n < std::min(kOpening, a.size())) return false;  // b is shorter than a's opening
  for (std::size_t i = 0; i < n; ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool agrees(std::string_view long_form, const Concept& c) {
  const auto words = words_of(long_form);
  std::size_t agreeing = 0;
  for (auto w : words) {
    bool found = false;
    for (const auto& synonym : c.synonyms) {
      for (auto s : words_of(synonym))
        if (same_opening(w, s)) {
          found = true;
          break;
        }
      if (found) break;
    }
    agreeing += found;
  }
  return !words.empty() && 2 * agreeing >= words.size();
}
}  // namespace

bool written_as_abbreviation(std::string_view s) {
  if (s.empty() || s.size() > 10 || !alnum(s.front())) return false;
  if (std::any_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) return false;
  return std::count_if(s.begin(), s.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); }) >= 2;
}

std::optional<std::size_t> long_form_start(std::string_view abbreviation, std::string_view words) {
  long s = static_cast<long>(abbreviation.size()) - 1;
  long l = static_cast<long>(words.size()) - 1;
  while (s >= 0) {
    const char c = lower(abbreviation[static_cast<std::size_t>(s)]);
    if (!alnum(c)) {
      --s;
      continue;
    }
    // The first character must open a word; the others may sit anywhere.
    while (l >= 0 && (lower(words[static_cast<std::size_t>(l)]) != c ||
                      (s == 0 && l > 0 && alnum(words[static_cast<std::size_t>(l - 1)]))))
      --l;
    if (l < 0) return std::nullopt;
    --l;
    --s;
  }
  const std::size_t start = static_cast<std::size_t>(l + 1);
  const std::size_t blank = words.rfind(' ', start);
  return blank == std::string_view::npos ? 0 : blank + 1;
}

void fold_defined_abbreviations(std::vector<Token>& tokens, std::string_view text, const Lexicon& lexicon) {
  for (std::size_t open = 1; open + 2 < tokens.size(); ++open) {
    const Token& abbr = tokens[open + 1];
    if (tokens[open].kind != Tok::open || abbr.kind != Tok::concept_ref || tokens[open + 2].kind != Tok::close) continue;
    if (abbr.end > static_cast<int>(text.size()) || !written_as_abbreviation(text.substr(abbr.begin, abbr.end - abbr.begin)))
      continue;
    // The plain words right before the bracket, at most as many as a long
    // form of it may have (Schwartz & Hearst: min(|A| + 5, 2|A|)).
    const std::size_t letters = abbr.text.size();
    const std::size_t most = std::min(letters + 5, 2 * letters);
    std::size_t first = open;
    while (first > 0 && open - first < most && tokens[first - 1].kind == Tok::word) --first;
    if (first == open) continue;
    std::string words;
    std::vector<std::size_t> starts;  // where each token's word starts in `words`
    for (std::size_t k = first; k < open; ++k) {
      if (!words.empty()) words += ' ';
      starts.push_back(words.size());
      words += tokens[k].text;
    }
    const auto at = long_form_start(abbr.text, words);
    if (!at) continue;
    const auto it = std::find(starts.begin(), starts.end(), *at);
    if (it == starts.end()) continue;
    const std::size_t from = first + static_cast<std::size_t>(it - starts.begin());
    const Concept* named = lexicon.find(abbr.value);
    if (!named || !agrees(std::string_view(words).substr(*at), *named)) continue;
    Token folded = abbr;
    folded.begin = tokens[from].begin;
    folded.end = tokens[open + 2].end;
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(from), tokens.begin() + static_cast<std::ptrdiff_t>(open + 3));
    tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(from), std::move(folded));
    open = from;
  }
}

void set_aside_restated_abbreviations(std::vector<Token>& tokens, std::string_view text) {
  for (std::size_t open = 1; open + 2 < tokens.size(); ++open) {
    const Token& abbr = tokens[open + 1];
    if (tokens[open].kind != Tok::open || abbr.kind != Tok::word || tokens[open + 2].kind != Tok::close) continue;
    if (abbr.end > static_cast<int>(text.size())) continue;
    const std::string_view written = text.substr(abbr.begin, abbr.end - abbr.begin);
    if (!written_as_abbreviation(written)) continue;
    // The words of the tokens before the bracket, back to a punctuation mark.
    std::size_t first = open;
    while (first > 0 && tokens[first - 1].kind != Tok::comma && tokens[first - 1].kind != Tok::semicolon &&
           tokens[first - 1].kind != Tok::period && tokens[first - 1].kind != Tok::colon &&
           tokens[first - 1].kind != Tok::open && tokens[first - 1].kind != Tok::close)
      --first;
    if (first == open || tokens[first].begin >= tokens[open].begin) continue;
    auto before = words_of(text.substr(tokens[first].begin, tokens[open].begin - tokens[first].begin));
    const std::size_t most = std::min(written.size() + 5, 2 * written.size());
    if (before.size() > most) before.erase(before.begin(), before.end() - static_cast<std::ptrdiff_t>(most));
    std::string words;
    for (auto w : before) {
      if (!words.empty()) words += ' ';
      for (char c : w) words += lower(c);
    }
    if (!long_form_start(written, words)) continue;
    for (std::size_t k = open; k <= open + 2; ++k) {
      tokens[k].kind = Tok::filler;
      tokens[k].value.clear();
    }
  }
}

}  // namespace trialmatch::grammar
