#pragma once
// Reading the real third-party criteria texts of ../shared/datasets (never
// copied into the repo) for corpus-wide tests.
#include <filesystem>
#include <string>
#include <vector>

namespace trialmatch::testing {

struct CorpusText {
  std::string source;  // "top_hint:NCT..."
  std::string text;
};

std::string datasets_dir();
bool datasets_available();

// Minimal RFC 4180 reader: quoted fields may hold commas, quotes and newlines.
std::vector<std::vector<std::string>> read_csv(const std::string& path);

// Every trial's criteria text: TOP/HINT CSVs, LCT raw texts, Chia inclusion +
// exclusion files, one entry per unique trial id (first seen wins).
std::vector<CorpusText> all_criteria_texts();

}  // namespace trialmatch::testing
