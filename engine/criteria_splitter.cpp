#include "engine/criteria_splitter.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>
#include <utility>

namespace trialmatch {

namespace {

// ---------------------------------------------------------------- text helpers

// Where `what` next occurs in `s` from `from`, or npos: glibc's memmem scans
// for a phrase far faster than std::string::find, which compares at every
// occurrence of the phrase's first letter.
std::size_t find_phrase(std::string_view s, std::string_view what, std::size_t from) {
  if (from > s.size()) return std::string_view::npos;
  const void* at = memmem(s.data() + from, s.size() - from, what.data(), what.size());
  return at ? static_cast<std::size_t>(static_cast<const char*>(at) - s.data()) : std::string_view::npos;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// No-break space (U+00A0) and the ideographic space count as blanks.
std::string normalise_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\xC2' && s.compare(i, 2, "\xC2\xA0") == 0) {
      out += ' ';
      ++i;
    } else if (c == '\xE3' && s.compare(i, 3, "\xE3\x80\x80") == 0) {
      out += ' ';
      i += 2;
    } else if (s[i] == '\t') {
      out += "    ";
    } else if (s[i] != '\r') {
      out += s[i];
    }
  }
  return out;
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : trim(s)) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::size_t word_count(std::string_view s) {
  std::size_t n = 0;
  bool in_word = false;
  for (char c : s) {
    bool sp = is_space(c);
    if (!sp && !in_word) ++n;
    in_word = !sp;
  }
  return n;
}

// ---------------------------------------------------------------- markers

enum class MarkerFamily { bullet, number, number2, alpha_lower, alpha_upper, roman_lower, roman_upper };

struct Marker {
  MarkerFamily family = MarkerFamily::bullet;
  std::string style;     // family plus punctuation form; equal styles are siblings
  std::string text;      // as written
  int ordinal = 0;       // 1-based value for numbers, letters and romans
  std::size_t length = 0;  // bytes consumed including following blanks
};

// Bullets seen in registry text, including Word's private-use bullet.
constexpr std::array<std::string_view, 16> kBullets = {
    "*", "-", "+", "\xE2\x80\xA2" /*•*/, "\xE2\x97\xA6" /*◦*/, "\xE2\x96\xAA" /*▪*/,
    "\xE2\x97\x8F" /*●*/, "\xC2\xB7" /*·*/, "\xE2\x80\x93" /*–*/, "\xE2\x80\x94" /*—*/,
    "\xEF\x82\xB7" /**/, "\xE2\x97\x8B" /*○*/, "\xE2\x96\xA0" /*■*/, "\xE2\x96\xBA" /*►*/,
    "\xE2\x9E\xA2" /*➢*/, "\xE2\x80\xA3" /*‣*/};

int roman_value(std::string_view s) {
  static constexpr std::array<std::string_view, 20> romans = {
      "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
      "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"};
  std::string l;
  for (char c : s) l += lower(c);
  for (std::size_t i = 0; i < romans.size(); ++i)
    if (romans[i] == l) return static_cast<int>(i) + 1;
  return 0;
}

std::size_t blanks_after(std::string_view s, std::size_t pos) {
  std::size_t n = 0;
  while (pos + n < s.size() && is_space(s[pos + n])) ++n;
  return n;
}

// All readings of the marker at the start of `s` ("i." may be a letter or a
// roman numeral); the caller picks one from context. Empty if none.
std::vector<Marker> read_markers(std::string_view s) {
  std::vector<Marker> out;
  for (auto b : kBullets) {
    if (s.substr(0, b.size()) != b) continue;
    std::size_t gap = blanks_after(s, b.size());
    bool ascii = b.size() == 1;
    // "-5 °C" or "*Note" are not bullets: ASCII bullets need a blank after.
    if (ascii && gap == 0 && b.size() < s.size()) return out;
    Marker m{MarkerFamily::bullet, "bullet" + std::string(b), std::string(b), 0, b.size() + gap};
    out.push_back(m);
    return out;
  }

  // Enumerations: "12." "12)" "(12)" "a." "a)" "(a)" "iv." "IV)" "1.2" "1.2."
  std::size_t pos = 0;
  bool paren_open = false;
  if (!s.empty() && s[0] == '(') {
    paren_open = true;
    pos = 1;
  }
  std::size_t start = pos;
  while (pos < s.size() && std::isalnum(static_cast<unsigned char>(s[pos])) && pos - start < 6) ++pos;
  std::string_view token = s.substr(start, pos - start);
  if (token.empty() || pos >= s.size()) return out;

  bool digits = std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
  // Two-level outline numbers "2.1" / "2.1.": only before a capital letter, so
  // a wrapped "1.5 mg/dL" is not read as one.
  if (digits && !paren_open && s[pos] == '.' && pos + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[pos + 1]))) {
    std::size_t p2 = pos + 1;
    while (p2 < s.size() && std::isdigit(static_cast<unsigned char>(s[p2])) && p2 - pos < 4) ++p2;
    std::size_t end = p2;
    if (end < s.size() && s[end] == '.') ++end;
    std::size_t gap = blanks_after(s, end);
    if (gap > 0 && end + gap < s.size() && std::isupper(static_cast<unsigned char>(s[end + gap])) && token.size() <= 2) {
      Marker m{MarkerFamily::number2, "number2", std::string(s.substr(0, end)), 0, end + gap};
      out.push_back(m);
    }
    return out;
  }

  char punct = s[pos];
  std::string form;
  if (paren_open) {
    if (punct != ')') return out;
    form = "()";
  } else if (punct == '.' || punct == ')') {
    form = std::string(1, punct);
  } else {
    return out;
  }
  std::size_t end = pos + 1;
  std::size_t gap = blanks_after(s, end);
  // A marker is followed by a blank (or ends the line), never by more text:
  // "e.g." and "i.v." stay words.
  if (gap == 0 && end < s.size()) return out;
  std::string text(s.substr(0, end));

  if (digits) {
    if (token.size() > 3) return out;  // years ("2019.") are not item numbers
    out.push_back({MarkerFamily::number, "number" + form, text, std::stoi(std::string(token)), end + gap});
    return out;
  }
  bool all_lower = std::all_of(token.begin(), token.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
  bool all_upper = std::all_of(token.begin(), token.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  if (!all_lower && !all_upper) return out;
  if (int r = roman_value(token)) {
    auto fam = all_lower ? MarkerFamily::roman_lower : MarkerFamily::roman_upper;
    out.push_back({fam, (all_lower ? "roman" : "ROMAN") + form, text, r, end + gap});
  }
  if (token.size() == 1) {
    auto fam = all_lower ? MarkerFamily::alpha_lower : MarkerFamily::alpha_upper;
    out.push_back({fam, (all_lower ? "alpha" : "ALPHA") + form, text, lower(token[0]) - 'a' + 1, end + gap});
  }
  return out;
}

// ---------------------------------------------------------------- headings

struct Heading {
  CriterionKind kind;
  std::string group;   // "control group" from "Inclusion Criteria (control group)"
  std::string inline_rest;  // text after the colon on the same line
};

// Words that may stand before "inclusion"/"exclusion" in a heading.
bool is_heading_prefix(std::string_view w) {
  static constexpr std::array<std::string_view, 14> words = {
      "key", "main", "major", "primary", "general", "additional", "specific",
      "principal", "basic", "minimum", "selected", "study", "secondary", "other"};
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::optional<Heading> read_heading_ascii(std::string_view content);

// Headings in CJK-style text end in a full-width colon ("Exclusion
// criteria："); read it as the ASCII colon it stands for.
std::optional<Heading> read_heading(std::string_view content) {
  static constexpr std::string_view kFullWidthColon = "\xEF\xBC\x9A";
  if (content.find(kFullWidthColon) == std::string_view::npos) return read_heading_ascii(content);
  std::string ascii;
  for (std::size_t from = 0;;) {
    const std::size_t at = content.find(kFullWidthColon, from);
    ascii.append(content.substr(from, at - from));
    if (at == std::string_view::npos) break;
    ascii += ':';
    from = at + kFullWidthColon.size();
  }
  return read_heading_ascii(ascii);
}

std::optional<Heading> read_heading_ascii(std::string_view content) {
  if (content.size() > 160) return std::nullopt;
  // A heading may itself be bulleted ("- Inclusion criteria:") or emphasised
  // ("**Inclusion Criteria:**", "### Exclusion criteria").
  if (auto ms = read_markers(content); !ms.empty()) content = content.substr(ms.front().length);
  auto strip_emphasis = [](std::string_view s) {
    while (!s.empty() && (s.front() == '#' || s.front() == '*' || s.front() == '_' || is_space(s.front()))) s.remove_prefix(1);
    while (!s.empty() && (s.back() == '*' || s.back() == '_' || is_space(s.back()))) s.remove_suffix(1);
    return s;
  };
  content = strip_emphasis(content);
  std::string low = lower_copy(content);
  std::string_view rest = low;

  // Up to three prefix words ("Key", "Main", "General").
  for (int i = 0; i < 3; ++i) {
    auto sp = rest.find(' ');
    if (sp == std::string_view::npos || !is_heading_prefix(rest.substr(0, sp))) break;
    rest.remove_prefix(sp + 1);
    rest = trim(rest);
  }
  CriterionKind kind;
  if (rest.starts_with("non-inclusion") || rest.starts_with("non inclusion")) {
    kind = CriterionKind::exclusion;
    rest.remove_prefix(13);
  } else if (rest.starts_with("inclusion")) {
    kind = CriterionKind::inclusion;
    rest.remove_prefix(9);
  } else if (rest.starts_with("exclusion")) {
    kind = CriterionKind::exclusion;
    rest.remove_prefix(9);
  } else {
    return std::nullopt;
  }
  if (rest.starts_with("s")) rest.remove_prefix(1);  // "Exclusions:"
  bool has_word = false;
  for (std::string_view w : {"criterias", "criteria", "criterion"}) {
    std::string_view t = trim(rest);
    if (t.starts_with(w)) {
      rest = t.substr(w.size());
      has_word = true;
      break;
    }
  }
  // Offset of `rest` in the original-case content.
  std::size_t offset = low.size() - rest.size();
  std::string_view original_rest = content.substr(offset);
  std::string_view t = trim(rest);
  Heading h{kind, "", ""};

  if (t.empty() || t == "." ) return h;  // "Inclusion Criteria"
  if (t.front() == ':') {                // "Inclusion Criteria: age 18 or more"
    std::size_t colon = original_rest.find(':');
    h.inline_rest = std::string(trim(original_rest.substr(colon + 1)));
    return h;
  }
  if (!t.empty() && std::isalnum(static_cast<unsigned char>(t.front())) && rest.front() != ' ' ) return std::nullopt;  // "inclusionary"
  // Qualified headings end in a colon, or are a bare parenthetical:
  // "Inclusion Criteria (control group)", "Exclusion criteria for patients:".
  std::string_view ot = trim(original_rest);
  bool ends_colon = ot.ends_with(':');
  if (ends_colon) ot = trim(ot.substr(0, ot.size() - 1));
  bool parenthetical = ot.starts_with("(") && ot.ends_with(")");
  if (parenthetical) {
    h.group = std::string(trim(ot.substr(1, ot.size() - 2)));
    return h;
  }
  if (!ends_colon || !has_word) return std::nullopt;
  if (t.starts_with("-") || t.starts_with("–")) ot = trim(ot.substr(t.starts_with("-") ? 1 : 3));
  if (word_count(ot) > 8) return std::nullopt;
  // "Exclusion criteria include:" carries no group.
  std::string g = lower_copy(ot);
  if (g == "include" || g == "includes" || g == "are" || g == "are as follows" || g == "as follows")
    return h;
  h.group = std::string(ot);
  return h;
}

// ---------------------------------------------------------- run-in labels

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of an all-capitals heading and its colon at the start of `p`
// ("PATIENT CHARACTERISTICS:", "PRIOR CONCURRENT THERAPY:"), or 0.
std::size_t caps_heading(std::string_view p) {
  std::size_t i = 0, letters = 0;
  while (i < p.size() && (is_upper(p[i]) || p[i] == ' ' || p[i] == '/' || p[i] == '&' || p[i] == '-')) {
    letters += is_upper(p[i]) ? 1 : 0;
    ++i;
  }
  return letters >= 6 && i < p.size() && p[i] == ':' && i + 1 < p.size() && p[i + 1] == ' ' ? i + 1 : 0;
}

// A run-in label at `at` ("Age:", "Performance status:", "Groups 1 and
// 5:"): a capitalised word, at most two more in lower case and numbers, and
// a colon before a blank. Its length with the colon, or 0.
std::size_t run_in_label(std::string_view p, std::size_t at) {
  if (at > 0 && p[at - 1] != ' ') return 0;
  std::size_t i = at;
  if (i >= p.size() || !is_upper(p[i])) return 0;
  ++i;
  while (i < p.size() && (is_lower(p[i]) || p[i] == '\'' || p[i] == '-')) ++i;
  for (int words = 0, lower_words = 0; words < 4 && i + 1 < p.size() && p[i] == ' '; ++words) {
    std::size_t j = i + 1;
    if (!is_lower(p[j]) && !is_digit(p[j])) break;
    if (is_lower(p[j]) && ++lower_words > 2) return 0;
    while (j < p.size() && (is_lower(p[j]) || is_digit(p[j]) || p[j] == '-' || p[j] == ',')) ++j;
    i = j;
  }
  const bool ends = i < p.size() && p[i] == ':' && (i + 1 == p.size() || p[i + 1] == ' ');
  return ends ? i + 1 - at : 0;
}

// Old NCI (PDQ) records flattened into paragraphs: "PATIENT
// CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-2 Hepatic:
// ...". Each run-in label started a line of its own, its words the items
// under it; those lines are restored, so the labels head their items as in
// the records that kept them ("Hepatic:" then "- Bilirubin no greater than
// ..."). Other paragraphs are left as they are.
std::string expand_run_in_labels(std::string_view text) {
  if (find_phrase(text, "CHARACTERISTICS: ", 0) == std::string_view::npos &&
      find_phrase(text, "THERAPY: ", 0) == std::string_view::npos)
    return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::size_t pos = 0;
  while (pos < text.size()) {
    // A paragraph: up to a blank line.
    std::size_t end = pos;
    while (end < text.size()) {
      std::size_t nl = text.find('\n', end);
      if (nl == std::string_view::npos) {
        end = text.size();
        break;
      }
      std::size_t k = nl + 1;
      while (k < text.size() && is_space(text[k])) ++k;
      if (k >= text.size() || text[k] == '\n') {
        end = nl + 1;
        break;
      }
      end = nl + 1;
    }
    const std::string_view para = text.substr(pos, end - pos);
    pos = end;
    std::string flat(para);
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    const std::string joined = collapse_spaces(flat);
    const std::size_t head = caps_heading(joined);
    std::vector<std::pair<std::size_t, std::size_t>> labels;  // start, length
    for (std::size_t i = head; head > 0 && i < joined.size(); ++i)
      if (std::size_t n = run_in_label(joined, i)) {
        labels.push_back({i, n});
        i += n - 1;
      }
    // An inclusion or exclusion heading is the splitter's own.
    if (head == 0 || find_phrase(joined.substr(0, head), "CLUSION", 0) != std::string_view::npos) {
      out += para;
      continue;
    }
    std::size_t indent = 0;
    while (indent < para.size() && (para[indent] == ' ' || para[indent] == '\n')) ++indent;
    const std::string margin(std::min<std::size_t>(indent, 8), ' ');
    out += '\n' + margin + joined.substr(0, head) + "\n\n";
    auto item = [&](std::string_view words) {
      words = trim(words);
      if (!words.empty()) out += margin + "  -  " + std::string(words) + "\n\n";
    };
    item(std::string_view(joined).substr(head, (labels.empty() ? joined.size() : labels.front().first) - head));
    for (std::size_t k = 0; k < labels.size(); ++k) {
      const auto [at, n] = labels[k];
      const std::size_t next = k + 1 < labels.size() ? labels[k + 1].first : joined.size();
      out += margin + joined.substr(at, n) + "\n\n";
      item(std::string_view(joined).substr(at + n, next - at - n));
    }
  }
  return out;
}

// ---------------------------------------------------------------- structure

struct OpenItem {
  std::string style;
  int indent;
  int ordinal;
  std::size_t index;  // into criteria
  MarkerFamily family;
};

class Splitter {
 public:
  explicit Splitter(const SplitOptions& options) : options_(options) {}

  SplitResult run(std::string_view raw) {
    std::string text =
        expand_run_in_labels(normalise_spaces(options_.unescape_markdown ? unescape_markdown(raw) : std::string(raw)));
    paragraph_mode_ = blank_separated_paragraphs(text);
    std::string_view rest = text;
    int number = 0;
    while (!rest.empty() || number == 0) {
      auto nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      ++number;
      handle_line(line, number);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    if (!held_heading_.empty()) handle_piece(std::exchange(held_heading_, {}), 0, number);
    return finish();
  }

 private:
  void warn(int line, std::string message) {
    result_.diagnostics.push_back({Severity::warning, "", line, 0, "", std::move(message)});
  }

  CriterionKind kind() const { return section_ ? *section_ : CriterionKind::inclusion; }

  void handle_line(std::string_view line, int number) {
    int indent = 0;
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') {
      ++indent;
      ++i;
    }
    std::string_view content = trim(line.substr(i));
    if (content.empty()) {
      blank_before_ = true;
      return;
    }
    if (inline_dashes_) {
      handle_inline_dashes(content, indent, number);
      blank_before_ = false;
      return;
    }
    handle_piece(content, indent, number);
    blank_before_ = false;
  }

  void handle_piece(std::string_view content, int indent, int number) {
    // Headings name inclusion or exclusion; skip the full test for other lines.
    bool may_be_heading = content.size() <= 160 && (find_phrase(content, "clusion", 0) != std::string_view::npos ||
                                                    find_phrase(content, "CLUSION", 0) != std::string_view::npos ||
                                                    find_phrase(content, "Clusion", 0) != std::string_view::npos);
    if (auto h = may_be_heading ? read_heading(content) : std::nullopt) {
      start_section(*h, number);
      // "Inclusion Criteria: - Male or female ... consent - Type 1 diabetes
      // ...": the list runs on in wrapped lines, items after " - ".
      if (h->inline_rest.starts_with("- ") && !inline_dashes_) {
        inline_dashes_ = true;
        handle_inline_dashes(h->inline_rest, indent, number);
        return;
      }
      if (!h->inline_rest.empty()) handle_content(h->inline_rest, indent, number);
      return;
    }
    handle_content(content, indent, number);
  }

  // A line of a list run into wrapped lines is cut where an item starts
  // (" - " before a capital letter; " -" ending the line) and where a
  // heading starts ("... kg/m^2 Exclusion Criteria: - Within ..."). Its
  // first piece continues the item before, unless the line before ended in
  // a dash.
  void handle_inline_dashes(std::string_view line, int indent, int number) {
    // A heading wrapped after its first word ("... consent Exclusion" /
    // "Criteria: - Diagnosis of ...") is read with the next line.
    std::string joined = held_heading_.empty() ? std::string(line) : held_heading_ + " " + std::string(line);
    held_heading_.clear();
    std::string_view content = joined;
    {
      const std::string low = lower_copy(content);
      for (std::string_view w : {"inclusion", "exclusion"}) {
        if (!std::string_view(low).ends_with(w)) continue;
        std::size_t start = low.size() - w.size();
        if (start > 0 && low[start - 1] != ' ') continue;
        while (start > 1 && low[start - 1] == ' ') {  // and its prefix words ("Key")
          std::size_t b = low.rfind(' ', start - 2);
          b = b == std::string::npos ? 0 : b + 1;
          if (!is_heading_prefix(std::string_view(low).substr(b, start - 1 - b))) break;
          start = b;
        }
        held_heading_ = std::string(content.substr(start));
        content = trim(content.substr(0, start));
        break;
      }
    }
    if (content.empty()) return;
    std::vector<std::size_t> cuts;
    for (std::size_t k = 0; k + 2 < content.size(); ++k)
      if (content[k] == ' ' && content[k + 1] == '-' && content[k + 2] == ' ') {
        std::size_t j = k + 2;
        while (j < content.size() && content[j] == ' ') ++j;
        if (j < content.size() && std::isupper(static_cast<unsigned char>(content[j]))) cuts.push_back(k + 1);
      }
    const std::string low = lower_copy(content);
    for (std::string_view w : {"inclusion criteria", "exclusion criteria"})
      for (std::size_t p = find_phrase(low, w, 0); p != std::string::npos; p = find_phrase(low, w, p + 1)) {
        std::size_t start = p;
        // Back over the heading's prefix words ("Key Exclusion Criteria").
        while (start > 1 && low[start - 1] == ' ') {
          std::size_t b = low.rfind(' ', start - 2);
          b = b == std::string::npos ? 0 : b + 1;
          if (!is_heading_prefix(std::string_view(low).substr(b, start - 1 - b))) break;
          start = b;
        }
        if (start > 0) cuts.push_back(start);
      }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::size_t from = 0;
    for (std::size_t c = 0; c <= cuts.size(); ++c) {
      std::string_view piece = trim(content.substr(from, c < cuts.size() ? cuts[c] - from : std::string_view::npos));
      if (c < cuts.size()) from = cuts[c];
      bool dash_after = false;
      if (piece == "-" || piece.ends_with(" -")) {
        piece = trim(piece.substr(0, piece.size() - 1));
        dash_after = c == cuts.size();
      }
      if (!piece.empty()) {
        if (dash_pending_) handle_piece("- " + std::string(piece), indent, number);
        else handle_piece(piece, indent, number);
        dash_pending_ = false;
      }
      if (dash_after) dash_pending_ = true;
    }
  }

  void start_section(const Heading& h, int number) {
    if (!section_ && !result_.criteria.empty())
      warn(number, std::to_string(result_.criteria.size()) +
                       " item(s) before the first heading were read as inclusion criteria");
    section_ = h.kind;
    ++headings_;
    stack_.clear();
    current_ = -1;
    group_ = h.group;
  }

  void handle_content(std::string_view content, int indent, int number) {
    auto markers = read_markers(content);
    // "serum creatinine levels <=1.5" then "* ULN or ...": a times sign
    // wrapped to the line start, not a bullet.
    if (!markers.empty() && content.starts_with("* ") && current_ >= 0 && !blank_before_) {
      const std::string& prev = result_.criteria[current_].text;
      if (!prev.empty() && std::isdigit(static_cast<unsigned char>(prev.back()))) {
        append(content);
        return;
      }
    }
    if (!markers.empty()) {
      std::string_view body = content.substr(markers.front().length);
      handle_marked(markers, body, indent, number);
      return;
    }
    handle_plain(content, indent, number);
  }

  bool current_is_marked() const { return current_ >= 0 && !result_.criteria[current_].marker.empty(); }
  int current_marker_indent() const { return current_ >= 0 ? item_indent_[current_] : 0; }

  void handle_plain(std::string_view content, int indent, int number) {
    bool deeper = current_is_marked() && indent > current_marker_indent() + 1;
    // A short line ending in a colon labels the items that follow
    // ("Age:", "PATIENT CHARACTERISTICS:", "Patients must have:").
    if (!deeper && content.ends_with(':') && word_count(content) <= 10) {
      group_ = std::string(trim(content.substr(0, content.size() - 1)));
      stack_.clear();
      current_ = -1;
      return;
    }
    if (current_ >= 0) {
      const std::string& prev = result_.criteria[current_].text;
      bool continues;
      if (current_is_marked()) {
        // Hard-wrapped continuation, or a paragraph indented under the item.
        continues = !blank_before_ || deeper;
      } else {
        // Where blank lines separate paragraphs, a paragraph is one item and
        // its lines are wraps. Otherwise unmarked lists hold one criterion per
        // line, and only a lower-case start after an unfinished line is a wrap.
        bool ended = !prev.empty() && (prev.back() == '.' || prev.back() == ';' || prev.back() == ':');
        continues = !blank_before_ &&
                    (paragraph_mode_ || (std::islower(static_cast<unsigned char>(content.front())) && !ended));
      }
      if (continues) {
        append(content);
        return;
      }
    }
    stack_.clear();
    add_item(content, "", indent, number, /*depth_parent=*/-1);
  }

  void append(std::string_view content) {
    std::string& t = result_.criteria[current_].text;
    if (!t.empty()) {
      // "3-\nmonth" was one word wrapped at its hyphen.
      bool hyphen_wrap = t.size() >= 2 && t.back() == '-' && std::isalnum(static_cast<unsigned char>(t[t.size() - 2]));
      if (!hyphen_wrap) t += ' ';
    }
    t += content;
  }

  // Picks the reading of an ambiguous marker ("i." letter or roman) that
  // continues an open list; otherwise the first reading.
  const Marker& choose(const std::vector<Marker>& ms) const {
    for (const auto& m : ms)
      for (auto it = stack_.rbegin(); it != stack_.rend(); ++it)
        if (it->style == m.style && it->ordinal + 1 == m.ordinal) return m;
    if (ms.size() > 1 && ms.front().ordinal != 1) {
      for (const auto& m : ms)
        if (m.ordinal == 1) return m;  // "i." opens a roman list, not the 9th letter
    }
    return ms.front();
  }

  void handle_marked(const std::vector<Marker>& ms, std::string_view body, int indent, int number) {
    const Marker& m = choose(ms);
    // Items indented deeper than this one are closed.
    while (!stack_.empty() && stack_.back().indent > indent + 1) stack_.pop_back();

    // A sibling continues an open list of the same style at about this indent.
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].style == m.style && std::abs(stack_[i].indent - indent) <= 1) {
        stack_.resize(i);
        push_item(m, body, indent, number);
        return;
      }
    }
    if (stack_.empty() && plain_label_before(indent)) {
      // "Age" / "Performance status" / "Part A" alone on a line, then items
      // indented under it: it labels them, as "Age:" does; it is no criterion.
      group_ = result_.criteria.back().text;
      --top_count_[result_.criteria.back().kind == CriterionKind::inclusion ? 0 : 1];
      result_.criteria.pop_back();
      child_count_.pop_back();
      item_indent_.pop_back();
      current_ = -1;
    }
    bool child = false;
    if (!stack_.empty()) {
      const auto& top = stack_.back();
      const std::string& top_text = result_.criteria[top.index].text;
      // A new style is a sub-list when it is indented deeper, is a two-level
      // number, or follows an item that announces a list ("... as follows:").
      child = indent > top.indent + 1 || m.family == MarkerFamily::number2 ||
              (!top_text.empty() && top_text.back() == ':');
    } else if (current_ >= 0 && !current_is_marked() && !result_.criteria[current_].text.empty() &&
               result_.criteria[current_].text.back() == ':' && result_.criteria[current_].parent.empty()) {
      // "Patients must meet one of:" (unmarked, long) followed by a list.
      stack_.push_back({"plain", item_indent_[current_], 0, static_cast<std::size_t>(current_), MarkerFamily::bullet});
      child = true;
    }
    if (!child) stack_.clear();
    if (child && static_cast<int>(stack_.size()) >= options_.max_depth) stack_.pop_back();
    push_item(m, body, indent, number);
  }

  // The item just read is a plain line of one to three words (no digit, no
  // closing punctuation), at the top level, and the marked item at `indent`
  // is indented under it.
  bool plain_label_before(int indent) const {
    if (current_ < 0 || current_ + 1 != static_cast<int>(result_.criteria.size()) || current_is_marked()) return false;
    const Criterion& c = result_.criteria[current_];
    if (!c.parent.empty() || child_count_[current_] != 0 || indent <= item_indent_[current_] + 1) return false;
    const std::string_view t = trim(c.text);
    if (t.empty() || word_count(t) > 3 || std::strchr(".;,:", t.back())) return false;
    // "OR" between items joins them; it labels nothing.
    const std::string low = lower_copy(t);
    if (low == "or" || low == "and" || low == "and/or" || low == "either") return false;
    return std::none_of(t.begin(), t.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) &&
           std::any_of(t.begin(), t.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
  }

  void push_item(const Marker& m, std::string_view body, int indent, int number) {
    int parent = stack_.empty() ? -1 : static_cast<int>(stack_.back().index);
    add_item(body, m.text, indent, number, parent);
    stack_.push_back({m.style, indent, m.ordinal, static_cast<std::size_t>(current_), m.family});
  }

  void add_item(std::string_view body, const std::string& marker, int indent, int number, int parent) {
    Criterion c;
    c.kind = kind();
    c.marker = marker;
    c.line = number;
    c.group = group_;
    c.text = std::string(body);
    if (parent < 0) {
      c.id = std::string(c.kind == CriterionKind::inclusion ? "I" : "E") +
             std::to_string(++top_count_[c.kind == CriterionKind::inclusion ? 0 : 1]);
    } else {
      c.parent = result_.criteria[parent].id;
      c.id = c.parent + "." + std::to_string(++child_count_[parent]);
    }
    result_.criteria.push_back(std::move(c));
    child_count_.push_back(0);
    item_indent_.push_back(indent);
    current_ = static_cast<int>(result_.criteria.size()) - 1;
  }

  SplitResult finish() {
    // Empty items ("1." alone, nothing after) carry nothing to evaluate.
    std::vector<Criterion> kept;
    for (auto& c : result_.criteria) {
      c.text = collapse_spaces(c.text);
      if (c.text.empty()) {
        warn(c.line, "item " + c.id + " has no text and was dropped");
        continue;
      }
      kept.push_back(std::move(c));
    }
    result_.criteria = std::move(kept);
    if (headings_ == 0 && !result_.criteria.empty())
      warn(1, "no inclusion/exclusion headings found; all items were read as inclusion criteria");
    if (result_.criteria.empty())
      result_.diagnostics.push_back({Severity::error, "", 0, 0, "", "no criteria found in the eligibility text"});
    return std::move(result_);
  }

  // True when a blank line stands between two unmarked, non-heading lines:
  // the text is laid out in paragraphs (registry textblocks), not one
  // criterion per line (Chia, hand lists).
  static bool blank_separated_paragraphs(std::string_view text) {
    bool prev_plain = false, blank_since = false;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = trim(text.substr(pos, nl - pos));
      pos = nl + 1;
      if (line.empty()) {
        blank_since = true;
        continue;
      }
      bool plain = read_markers(line).empty() &&
                   !(line.find("clusion") != std::string_view::npos || line.find("CLUSION") != std::string_view::npos
                         ? read_heading(line).has_value()
                         : false);
      if (plain && prev_plain && blank_since) return true;
      prev_plain = plain;
      blank_since = false;
    }
    return false;
  }

  SplitOptions options_;
  bool paragraph_mode_ = false;
  SplitResult result_;
  std::optional<CriterionKind> section_;
  int headings_ = 0;
  std::array<int, 2> top_count_{0, 0};
  std::vector<int> child_count_;   // per criterion
  std::vector<int> item_indent_;   // per criterion
  std::vector<OpenItem> stack_;
  int current_ = -1;
  bool blank_before_ = false;
  bool inline_dashes_ = false;  // a list run into wrapped lines (handle_inline_dashes)
  bool dash_pending_ = false;   // the line before ended in an item's dash
  std::string held_heading_;    // a heading's first words, wrapped to the next line
  std::string group_;
};

}  // namespace

std::string unescape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && std::ispunct(static_cast<unsigned char>(text[i + 1]))) {
      out += text[++i];
      continue;
    }
    out += text[i];
  }
  return out;
}

SplitResult split_criteria(std::string_view text, const SplitOptions& options) {
  return Splitter(options).run(text);
}

}  // namespace trialmatch
