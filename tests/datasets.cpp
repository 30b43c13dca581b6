#include "datasets.hpp"

#include <algorithm>
#include <set>

#include "engine/json_util.hpp"

namespace fs = std::filesystem;

namespace trialmatch::testing {

std::string datasets_dir() { return TRIALMATCH_DATASETS_DIR; }
bool datasets_available() { return fs::exists(datasets_dir() + "/top_hint_trial_outcome"); }

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::string data = read_file(path);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (quoted) {
      if (c == '"' && i + 1 < data.size() && data[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {
std::vector<std::string> sorted_files(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string p = e.path().string();
    if (p.ends_with(suffix)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

std::vector<CorpusText> all_criteria_texts() {
  std::vector<CorpusText> out;
  std::set<std::string> seen;
  std::string root = datasets_dir();
  for (const auto& f : sorted_files(root + "/top_hint_trial_outcome", ".csv")) {
    auto rows = read_csv(f);
    if (rows.empty()) continue;
    auto& header = rows[0];
    auto id_col = std::find(header.begin(), header.end(), "nctid") - header.begin();
    auto text_col = std::find(header.begin(), header.end(), "criteria") - header.begin();
    for (std::size_t r = 1; r < rows.size(); ++r) {
      if (rows[r].size() <= static_cast<std::size_t>(std::max(id_col, text_col))) continue;
      if (seen.insert(rows[r][id_col]).second) out.push_back({"top_hint:" + rows[r][id_col], rows[r][text_col]});
    }
  }
  for (const auto& f : sorted_files(root + "/lct_leaf_clinical_trials/raw_criteria", ".txt")) {
    std::string id = fs::path(f).stem().string();
    if (seen.insert(id).second) out.push_back({"lct:" + id, read_file(f)});
  }
  for (const auto& f : sorted_files(root + "/chia/chia_with_scope", "_inc.txt")) {
    std::string id = fs::path(f).stem().string();
    id = id.substr(0, id.size() - 4);
    std::string exc = f.substr(0, f.size() - 8) + "_exc.txt";
    std::string text = "Inclusion Criteria:\n" + read_file(f) + "\nExclusion Criteria:\n" +
                       (fs::exists(exc) ? read_file(exc) : std::string());
    if (seen.insert(id).second) out.push_back({"chia:" + id, text});
  }
  return out;
}

}  // namespace trialmatch::testing
