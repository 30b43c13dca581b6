#include "engine/trial_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "engine/criteria_splitter.hpp"
#include "engine/embedded.hpp"
#include "engine/json_util.hpp"
#include "engine/parallel.hpp"

namespace trialmatch {

namespace fs = std::filesystem;
using nlohmann::json;

const char* to_string(CriterionKind kind) { return kind == CriterionKind::inclusion ? "inclusion" : "exclusion"; }
const char* to_string(CriterionOrigin origin) { return origin == CriterionOrigin::text ? "text" : "structured"; }

namespace {

constexpr int kNativeFormatVersion = 1;

std::string upper_snake(std::string s) {
  for (char& c : s) {
    if (c == ' ' || c == '-') c = '_';
    else c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string lower_copy(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "18 Years" -> "18 years"; "N/A" or empty -> empty (no bound).
std::string age_bound(const FieldReader& r, std::string_view key) {
  auto v = r.string(key);
  if (!v || v->empty() || *v == "N/A") return "";
  double years = 0;
  try {
    years = registry_age_in_years(*v);
  } catch (const std::invalid_argument& e) {
    r.fail(key, e.what());
  }
  // A minimum of zero bounds nothing.
  if (years == 0 && key.find("minimum") != std::string_view::npos) return "";
  return *v;
}

// The registry's structured eligibility fields become criteria too, ahead of
// the text's, with ids that say what they are.
void add_structured_criteria(Trial& t) {
  std::vector<Criterion> out;
  auto lowered = [](const std::string& s) { return lower_copy(s); };
  if (!t.minimum_age.empty() || !t.maximum_age.empty()) {
    Criterion c;
    c.id = "age";
    c.origin = CriterionOrigin::structured;
    if (!t.minimum_age.empty() && !t.maximum_age.empty())
      c.text = "Age " + lowered(t.minimum_age) + " to " + lowered(t.maximum_age);
    else if (!t.minimum_age.empty())
      c.text = "Age >= " + lowered(t.minimum_age);
    else
      c.text = "Age <= " + lowered(t.maximum_age);
    out.push_back(c);
  }
  if (t.sex == "FEMALE" || t.sex == "MALE") {
    Criterion c;
    c.id = "sex";
    c.origin = CriterionOrigin::structured;
    c.text = "Sex: " + lower_copy(t.sex);
    out.push_back(c);
  }
  if (t.healthy_volunteers && !*t.healthy_volunteers) {
    Criterion c;
    c.id = "healthy_volunteers";
    c.kind = CriterionKind::exclusion;
    c.origin = CriterionOrigin::structured;
    c.text = "Healthy volunteers";
    out.push_back(c);
  }
  t.criteria.insert(t.criteria.begin(), out.begin(), out.end());
}

void split_into(Trial& t, bool markdown) {
  auto split = split_criteria(t.criteria_text, {.unescape_markdown = markdown});
  for (auto& d : split.diagnostics) {
    d.file = t.source;
    // The splitter's line is within the criteria text, not the file.
    d.message = t.id + ": criteria text" + (d.line > 0 ? " line " + std::to_string(d.line) : std::string()) + ": " + d.message;
    d.line = 0;
    // An empty text is only fatal when the structured fields give nothing either.
    d.severity = Severity::warning;
    t.diagnostics.push_back(std::move(d));
  }
  t.criteria = std::move(split.criteria);
}

void check_sex(const FieldReader& r, std::string_view key, std::string& sex) {
  if (sex.empty()) return;
  sex = upper_snake(sex);
  if (sex != "ALL" && sex != "FEMALE" && sex != "MALE") r.fail(key, "sex must be ALL, FEMALE or MALE, found \"" + sex + "\"");
}

void finish(Trial& t, const FieldReader& r) {
  add_structured_criteria(t);
  if (t.criteria.empty())
    r.fail("", "trial " + t.id + " has no criteria: neither eligibility text nor structured age/sex fields");
}

bool is_native(const json& doc) { return doc.is_object() && doc.contains("trialmatch_trial"); }
bool is_overrides(const json& doc) { return doc.is_object() && doc.contains("trialmatch_overrides"); }

// Where the string value of "key" starts in the file (just after its quote),
// so an override's errors can point into the file.
void locate(std::string_view source, const std::string& key, RuleOverride& o) {
  if (source.empty()) return;
  std::string quoted = "\"" + key + "\"";
  std::size_t pos = 0;
  while ((pos = source.find(quoted, pos)) != std::string_view::npos) {
    std::size_t p = pos + quoted.size();
    while (p < source.size() && (source[p] == ' ' || source[p] == '\t' || source[p] == '\n' || source[p] == '\r')) ++p;
    if (p < source.size() && source[p] == ':') {
      ++p;
      while (p < source.size() && (source[p] == ' ' || source[p] == '\t' || source[p] == '\n' || source[p] == '\r')) ++p;
      if (p < source.size() && source[p] == '"') {
        std::size_t start = p + 1;
        int line = 1;
        std::size_t line_start = 0;
        for (std::size_t i = 0; i < start; ++i)
          if (source[i] == '\n') {
            ++line;
            line_start = i + 1;
          }
        std::size_t line_end = source.find('\n', line_start);
        o.line = line;
        o.column = static_cast<int>(start - line_start) + 1;
        o.source_line = std::string(source.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start));
        return;
      }
    }
    pos += quoted.size();
  }
}

void read_overrides(const FieldReader& r, Trial& t, std::string_view source) {
  auto ov = r.child("overrides");
  if (!ov) return;
  for (auto it = ov->object().begin(); it != ov->object().end(); ++it) {
    RuleOverride o;
    o.criterion_id = it.key();
    o.text = *ov->string(it.key(), true);
    o.file = r.file();
    locate(source, it.key(), o);
    t.overrides.push_back(std::move(o));
  }
}


// ---- ClinicalTrials.gov API v2 ---------------------------------------------

Trial read_ctgov_study(const json& study, const std::string& file, const std::string& pointer) {
  FieldReader top(study, file, pointer, nullptr);
  auto protocol = top.child("protocolSection", true);
  auto ident = protocol->child("identificationModule", true);
  Trial t;
  t.registry = "ClinicalTrials.gov";
  t.source = file;
  t.id = *ident->string("nctId", true);
  t.title = ident->string("briefTitle").value_or(ident->string("officialTitle").value_or(""));
  if (auto status = protocol->child("statusModule")) t.status = status->string("overallStatus").value_or("");
  if (auto design = protocol->child("designModule")) {
    t.phases = design->strings("phases");
    if (auto enrol = design->child("enrollmentInfo")) t.enrollment = enrol->integer("count");
  }
  if (auto cond = protocol->child("conditionsModule")) t.conditions = cond->strings("conditions");
  if (auto arms = protocol->child("armsInterventionsModule")) {
    for (const auto& iv : arms->objects("interventions")) {
      std::string type = iv.string("type").value_or("");
      std::string name = iv.string("name").value_or("");
      if (!type.empty()) {
        type = lower_copy(type);
        type[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
      }
      t.interventions.push_back(type.empty() ? name : type + ": " + name);
    }
  }
  if (auto elig = protocol->child("eligibilityModule")) {
    t.criteria_text = elig->string("eligibilityCriteria").value_or("");
    t.minimum_age = age_bound(*elig, "minimumAge");
    t.maximum_age = age_bound(*elig, "maximumAge");
    t.sex = elig->string("sex").value_or("");
    check_sex(*elig, "sex", t.sex);
    t.healthy_volunteers = elig->boolean("healthyVolunteers");
  }
  split_into(t, /*markdown=*/true);
  finish(t, top);
  return t;
}

// ---- native trial file -----------------------------------------------------

Trial read_native(const json& doc, const std::string& file, std::string_view source) {
  Trial t;
  t.source = file;
  FieldReader r(doc, file, "", &t.diagnostics);
  r.warn_unknown_keys({"trialmatch_trial", "id", "title", "registry", "status", "phases", "enrollment",
                       "conditions", "interventions", "source", "derived", "sex", "minimum_age",
                       "maximum_age", "healthy_volunteers", "criteria", "overrides"});
  auto version = r.integer("trialmatch_trial", true);
  if (*version != kNativeFormatVersion)
    r.fail("trialmatch_trial", "unsupported native trial format version " + std::to_string(*version) +
                                   " (this trialmatch reads version " + std::to_string(kNativeFormatVersion) + ")");
  t.id = *r.string("id", true);
  if (t.id.empty()) r.fail("id", "trial id is empty");
  t.title = r.string("title").value_or("");
  t.registry = r.string("registry").value_or("");
  t.status = upper_snake(r.string("status").value_or(""));
  t.phases = r.strings("phases");
  t.enrollment = r.integer("enrollment");
  t.conditions = r.strings("conditions");
  t.interventions = r.strings("interventions");
  t.citation = r.string("source").value_or("");
  t.derived_note = r.string("derived").value_or("");
  t.minimum_age = age_bound(r, "minimum_age");
  t.maximum_age = age_bound(r, "maximum_age");
  t.sex = r.string("sex").value_or("");
  check_sex(r, "sex", t.sex);
  t.healthy_volunteers = r.boolean("healthy_volunteers");
  // Criteria as one text, or as its lines (easier to read and review by hand).
  std::string text;
  for (const auto& line : r.strings("criteria")) text += line + "\n";
  t.criteria_text = text;
  split_into(t, /*markdown=*/false);
  finish(t, r);
  read_overrides(r, t, source);
  return t;
}

}  // namespace

double registry_age_in_years(const std::string& text) {
  std::istringstream in(text);
  double n = 0;
  std::string unit, extra;
  if (!(in >> n) || !(in >> unit) || (in >> extra) || n < 0)
    throw std::invalid_argument("age must be \"<number> <unit>\" such as \"18 Years\", found \"" + text + "\"");
  unit = lower_copy(unit);
  if (unit.ends_with('s')) unit.pop_back();
  if (unit == "year") return n;
  if (unit == "month") return n / 12.0;
  if (unit == "week") return n * 7.0 / 365.25;
  if (unit == "day") return n / 365.25;
  if (unit == "hour") return n / (24 * 365.25);
  if (unit == "minute") return n / (60 * 24 * 365.25);
  throw std::invalid_argument("unknown age unit \"" + unit + "\" in \"" + text + "\" (Years, Months, Weeks, Days, Hours, Minutes)");
}

std::vector<Trial> load_trial_document(const json& doc, const std::string& file, std::string_view source) {
  std::vector<Trial> out;
  if (is_native(doc)) {
    out.push_back(read_native(doc, file, source));
    return out;
  }
  if (is_overrides(doc)) {
    // {"trialmatch_overrides": 1, "trial": "NCT...", "overrides": {"I3": "rule"}}:
    // curated rules stored beside a trial whose file is not ours to edit.
    Trial t;
    t.source = file;
    FieldReader r(doc, file, "", &t.diagnostics);
    r.warn_unknown_keys({"trialmatch_overrides", "trial", "overrides"});
    if (*r.integer("trialmatch_overrides", true) != 1) r.fail("trialmatch_overrides", "unsupported overrides format version");
    t.id = *r.string("trial", true);
    t.overrides_only = true;
    read_overrides(r, t, source);
    out.push_back(std::move(t));
    return out;
  }
  const json* studies = &doc;
  std::string base;
  if (doc.is_object() && doc.contains("studies")) {
    studies = &doc["studies"];
    base = "/studies";
    if (!studies->is_array())
      throw InputError({Severity::error, file, 0, 0, base, "expected an array of studies, found " + json_type_name(*studies)});
  }
  if (studies->is_array()) {
    for (std::size_t i = 0; i < studies->size(); ++i)
      out.push_back(read_ctgov_study((*studies)[i], file, base + "/" + std::to_string(i)));
    return out;
  }
  if (doc.is_object() && doc.contains("protocolSection")) {
    out.push_back(read_ctgov_study(doc, file, ""));
    return out;
  }
  throw InputError({Severity::error, file, 0, 0, "",
                    "not a trial file: expected a ClinicalTrials.gov API v2 study (protocolSection), an array or "
                    "{\"studies\": [...]} of them, or a native trial file (\"trialmatch_trial\": 1)"});
}

std::vector<Trial> load_trial_file(const std::string& path) {
  std::string text = read_file(path);
  return load_trial_document(parse_json(text, path), path, text);
}

namespace {
// Attaches overrides files to their trials, then checks ids are unique.
void check_unique(std::vector<Trial>& trials) {
  std::vector<Trial> overrides;
  auto split = std::stable_partition(trials.begin(), trials.end(), [](const Trial& t) { return !t.overrides_only; });
  overrides.assign(std::make_move_iterator(split), std::make_move_iterator(trials.end()));
  trials.erase(split, trials.end());
  for (auto& o : overrides) {
    auto it = std::find_if(trials.begin(), trials.end(), [&](const Trial& t) { return t.id == o.id; });
    if (it == trials.end())
      throw InputError({Severity::error, o.source, 0, 0, "/trial", "overrides name trial " + o.id + ", which is not loaded"});
    it->overrides.insert(it->overrides.end(), o.overrides.begin(), o.overrides.end());
    it->diagnostics.insert(it->diagnostics.end(), o.diagnostics.begin(), o.diagnostics.end());
  }
  std::map<std::string, std::string> seen;
  for (const auto& t : trials) {
    auto [it, fresh] = seen.emplace(t.id, t.source);
    if (!fresh)
      throw InputError({Severity::error, t.source, 0, 0, "",
                        "duplicate trial id " + t.id + " (also in " + it->second + ")"});
  }
}
}  // namespace

std::vector<Trial> load_trials(const std::vector<std::string>& paths) {
  std::vector<Trial> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(p, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path().string());
      if (ec) throw InputError({Severity::error, p, 0, 0, "", "cannot list directory: " + ec.message()});
      std::sort(files.begin(), files.end());
      if (files.empty()) throw InputError({Severity::error, p, 0, 0, "", "directory holds no trial files (*.json)"});
      // Files are read and split independently, then kept in name order.
      std::vector<std::vector<Trial>> loaded(files.size());
      parallel_for(files.size(), [&](std::size_t i) { loaded[i] = load_trial_file(files[i]); });
      for (auto& trials : loaded)
        out.insert(out.end(), std::make_move_iterator(trials.begin()), std::make_move_iterator(trials.end()));
    } else if (fs::exists(p, ec)) {
      auto trials = load_trial_file(p);
      out.insert(out.end(), std::make_move_iterator(trials.begin()), std::make_move_iterator(trials.end()));
    } else {
      throw InputError({Severity::error, p, 0, 0, "", "no such file or directory"});
    }
  }
  check_unique(out);
  return out;
}

std::vector<Trial> bundled_trials() {
  std::vector<Trial> out;
  for (const auto& f : embedded_files()) {
    if (!f.path.starts_with("trials/") || !f.path.ends_with(".json")) continue;
    std::string name = "<bundled>/" + std::string(f.path);
    auto trials = load_trial_document(parse_json(f.content, name), name, f.content);
    out.insert(out.end(), std::make_move_iterator(trials.begin()), std::make_move_iterator(trials.end()));
  }
  check_unique(out);
  return out;
}

}  // namespace trialmatch
