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
// Whether a dataset test can run: in CI (CI set) missing data is a failure
// (the caller then sees false and the test fails); elsewhere the test is
// skipped with a message naming where the data were looked for.
#define TRIALMATCH_REQUIRE_DATASETS(path)                                                              \
  do {                                                                                                 \
    if (!std::filesystem::exists(path)) {                                                              \
      if (std::getenv("CI")) FAIL("shared datasets missing in CI: " << (path));                       \
      WARN("shared datasets not found at " << (path) << "; test skipped (it fails in CI)");            \
      return;                                                                                          \
    }                                                                                                  \
  } while (0)

// Minimal RFC 4180 reader: quoted fields may hold commas, quotes and newlines.
std::vector<std::vector<std::string>> read_csv(const std::string& path);

// Every trial's criteria text: TOP/HINT CSVs, LCT raw texts, Chia inclusion +
// exclusion files, one entry per unique trial id (first seen wins).
std::vector<CorpusText> all_criteria_texts();

}  // namespace trialmatch::testing
