#include "cli/commands.hpp"

#include <boost/program_options.hpp>
#include <functional>
#include <map>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <unistd.h>

#include "engine/diagnostic.hpp"
#include "engine/evaluate.hpp"
#include "engine/report.hpp"
#include "engine/screen.hpp"
#include "patients/synthetic.hpp"
#include "patients/patient_loader.hpp"
#include "engine/lexicon.hpp"
#include "engine/parallel.hpp"
#include "engine/trial_compiler.hpp"
#include "engine/trial_loader.hpp"
#include "engine/trial_output.hpp"

#ifndef TRIALMATCH_VERSION
#define TRIALMATCH_VERSION "0.0.0"
#endif

namespace trialmatch::cli {

namespace po = boost::program_options;

namespace {

constexpr int kOk = 0;
constexpr int kInputError = 1;
constexpr int kUsageError = 2;

struct Command {
  const char* summary;
  std::function<int(const std::vector<std::string>&, std::ostream&, std::ostream&)> run;
};

const char* kUsage =
    "Usage: trialmatch <command> [options]\n"
    "\n"
    "Compiles clinical-trial eligibility criteria and matches patients against them.\n"
    "Without --trials, commands use the bundled trial set.\n";

// Options every command that reads trials shares.
void add_trial_options(po::options_description& desc, std::vector<std::string>& trials) {
  desc.add_options()("trials", po::value(&trials)->composing(),
                     "trial file or directory (ClinicalTrials.gov API v2 JSON or native trial file); repeatable; "
                     "default: the bundled trials");
}

void add_lexicon_option(po::options_description& desc, std::vector<std::string>& lexicon) {
  desc.add_options()("lexicon", po::value(&lexicon)->composing(),
                     "lexicon file or directory (*.json) to use instead of the bundled one; repeatable");
}

// The bundled lexicon, or the files given (read at run time: a synonym added
// there needs no rebuild).
const Lexicon& lexicon_from(const std::vector<std::string>& paths) {
  if (paths.empty()) return bundled_lexicon();
  static Lexicon loaded;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      std::vector<std::string> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.path().extension() == ".json") in_dir.push_back(e.path().string());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(p);
    }
  }
  loaded = load_lexicon_files(files);
  return loaded;
}

std::vector<Trial> trials_from(const std::vector<std::string>& paths, const Lexicon& lexicon) {
  auto trials = paths.empty() ? bundled_trials() : load_trials(paths);
  compile_trials(trials, lexicon);
  return trials;
}

// Parses a sub-command's arguments; nullopt when --help was asked for (and
// the help printed).
std::optional<po::variables_map> parse_args(const std::vector<std::string>& args, const po::options_description& desc,
                                            std::ostream& out, const po::positional_options_description& pos = {}) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
  if (vm.count("help")) {
    out << desc << '\n';
    return std::nullopt;
  }
  po::notify(vm);
  return vm;
}

int compile_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> trial_paths, lexicon_paths;
  std::string format = "text";
  po::options_description desc(
      "Usage: trialmatch compile [--trials PATH...] [--format text|json] [--coverage]\n\n"
      "Reads trials, splits their criteria into inclusion and exclusion items (ids\n"
      "I1, I2, ... E1, ...; sub-items I4.1) and compiles each into a rule: its status\n"
      "(computable, partial, manual, unparsed), the rule, its numeric atoms and any\n"
      "text left unparsed (marked \u00ABlike this\u00BB).\n\nOptions");
  desc.add_options()("help,h", "show this help");
  add_trial_options(desc, trial_paths);
  add_lexicon_option(desc, lexicon_paths);
  desc.add_options()("format", po::value(&format)->default_value("text"), "text | json");
  desc.add_options()("coverage", "print only the coverage table: per trial and in total");
  auto parsed = parse_args(args, desc, out);
  if (!parsed) return kOk;
  const po::variables_map& vm = *parsed;
  if (format != "text" && format != "json") {
    err << "trialmatch compile: --format must be text or json, not \"" << format << "\"\n";
    return kUsageError;
  }
  auto trials = trials_from(trial_paths, lexicon_from(lexicon_paths));
  if (vm.count("coverage")) {
    if (format == "json") out << coverage_json(trials).dump(2) << '\n';
    else print_coverage_text(out, trials);
    return kOk;
  }
  if (format == "json")
    out << compile_json(trials).dump(2) << '\n';
  else
    print_compile_text(out, trials);
  return kOk;
}

struct PatientOptions {
  std::vector<std::string> trial_paths, lexicon_paths, statuses;
  std::string patient, trial_id, as_of, format = "text", colour = "auto";
  int top = 0;
};

void add_patient_options(po::options_description& desc, PatientOptions& o) {
  add_trial_options(desc, o.trial_paths);
  add_lexicon_option(desc, o.lexicon_paths);
  desc.add_options()("as-of", po::value(&o.as_of), "the date to evaluate on (YYYY-MM-DD); default: the profile's as_of, then today")(
      "format", po::value(&o.format)->default_value("text"), "text | json")(
      "color", po::value(&o.colour)->default_value("auto"), "auto | always | never: colour the text output");
}

std::optional<Date> parse_as_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = parse_iso_date(text);
  if (!d) throw po::error("--as-of must be a date YYYY-MM-DD, not \"" + text + "\"");
  return d;
}

TextStyle text_style(const std::string& colour) {
  TextStyle s;
  if (colour == "always") s.colour = true;
  else if (colour == "auto") s.colour = ::isatty(STDOUT_FILENO) == 1;
  else if (colour != "never") throw po::error("--color must be auto, always or never");
  return s;
}

void print_warnings(const Diagnostics& ds, std::ostream& err) {
  for (const auto& d : ds) err << d.str() << '\n';
}

// What `match` and `explain` both start from: the lexicon, the patient (its
// warnings printed), the trials and the as-of date.
struct PatientRun {
  const Lexicon* lex = nullptr;
  Profile patient;
  std::vector<Trial> trials;
  Date as_of;
  TextStyle style;
};

PatientRun load_patient_run(const PatientOptions& o, std::ostream& err) {
  if (o.format != "text" && o.format != "json") throw po::error("--format must be text or json");
  PatientRun run;
  run.style = text_style(o.colour);
  auto as_of_flag = parse_as_of(o.as_of);
  run.lex = &lexicon_from(o.lexicon_paths);
  Diagnostics warnings;
  run.patient = load_patient_file(o.patient, *run.lex, warnings);
  print_warnings(warnings, err);
  run.trials = trials_from(o.trial_paths, *run.lex);
  run.as_of = resolve_as_of(as_of_flag, run.patient);
  return run;
}

int match_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  PatientOptions o;
  po::options_description desc(
      "Usage: trialmatch match PATIENT [--trials PATH...] [--as-of DATE] [--top N] [--status S...] [--format text|json]\n\n"
      "Ranks trials for one patient (a profile JSON or a FHIR R4 Bundle): eligible before\n"
      "undetermined before ineligible, then by score (share of computable criteria that\n"
      "pass), then by trial id. Each line gives the first reason a trial fails or is\n"
      "undecided.\n\nOptions");
  desc.add_options()("help,h", "show this help")("patient", po::value(&o.patient), "patient file");
  add_patient_options(desc, o);
  desc.add_options()("top", po::value(&o.top)->default_value(0), "show only the N best trials (0: all)")(
      "status", po::value(&o.statuses)->composing(),
      "keep only trials whose registry status is this (e.g. recruiting); repeatable");
  po::positional_options_description pos;
  pos.add("patient", 1);
  if (!parse_args(args, desc, out, pos)) return kOk;
  if (o.patient.empty()) throw po::error("a patient file is required");
  if (o.top < 0) throw po::error("--top must be 0 or more");
  PatientRun run = load_patient_run(o, err);
  const Lexicon& lex = *run.lex;
  PatientFacts facts(run.patient, lex, run.as_of);
  std::vector<TrialResult> results;
  for (const auto& t : run.trials) {
    if (!o.statuses.empty()) {
      bool keep = false;
      for (auto s : o.statuses) {
        for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        keep = keep || s == t.status;
      }
      if (!keep) continue;
    }
    results.push_back(evaluate_trial(plan_trial(t, lex), facts, lex));
  }
  rank(results);
  if (o.top > 0 && results.size() > static_cast<std::size_t>(o.top)) results.resize(static_cast<std::size_t>(o.top));
  if (o.format == "json") out << match_json(run.patient, run.as_of, results).dump(2) << '\n';
  else print_match_text(out, run.patient, run.as_of, results, run.style);
  return kOk;
}

int explain_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  PatientOptions o;
  po::options_description desc(
      "Usage: trialmatch explain PATIENT TRIAL_ID [--trials PATH...] [--as-of DATE] [--format text|json]\n\n"
      "Every criterion of one trial for one patient: its outcome, the rule, the evidence\n"
      "(value, unit, date, any conversion made), why it is unknown and which data would\n"
      "decide it. Manual criteria are listed to confirm.\n\nOptions");
  desc.add_options()("help,h", "show this help")("patient", po::value(&o.patient), "patient file")(
      "trial", po::value(&o.trial_id), "trial id");
  add_patient_options(desc, o);
  po::positional_options_description pos;
  pos.add("patient", 1).add("trial", 1);
  if (!parse_args(args, desc, out, pos)) return kOk;
  if (o.patient.empty() || o.trial_id.empty()) throw po::error("a patient file and a trial id are required");
  PatientRun run = load_patient_run(o, err);
  const Lexicon& lex = *run.lex;
  auto it = std::find_if(run.trials.begin(), run.trials.end(), [&](const Trial& t) { return t.id == o.trial_id; });
  if (it == run.trials.end()) {
    err << "trialmatch explain: no trial " << o.trial_id << " in the trial set (see `trialmatch compile`)\n";
    return kInputError;
  }
  PatientFacts facts(run.patient, lex, run.as_of);
  TrialResult r = evaluate_trial(plan_trial(*it, lex), facts, lex);
  if (o.format == "json") out << explain_json(run.patient, run.as_of, r).dump(2) << '\n';
  else print_explain_text(out, run.patient, run.as_of, r, run.style);
  return kOk;
}

int screen_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  PatientOptions o;
  std::string input, output = "-", summary_path;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po::options_description desc(
      "Usage: trialmatch screen PATIENTS.jsonl|- [--trials PATH...] [--as-of DATE] [--threads N]\n"
      "                        [--out FILE|-] [--format jsonl|csv] [--summary FILE]\n\n"
      "Screens a population: one patient per line (a profile or a FHIR Bundle), one output\n"
      "record per input line in input order, a line that cannot be read becoming\n"
      "{\"line\": N, \"error\": ...}. The same bytes whatever --threads. Streams: memory does\n"
      "not grow with the number of patients. A summary (verdicts per trial, and per\n"
      "criterion how many it failed or left unknown) goes to stderr at the end.\n\nOptions");
  desc.add_options()("help,h", "show this help")("input", po::value(&input), "patients file, or - for stdin");
  add_trial_options(desc, o.trial_paths);
  add_lexicon_option(desc, o.lexicon_paths);
  desc.add_options()("as-of", po::value(&o.as_of), "the date to evaluate on; default: each profile's as_of, then today")(
      "threads", po::value(&threads), "worker threads (default: all cores)")(
      "out", po::value(&output)->default_value("-"), "output file, or - for stdout")(
      "format", po::value(&o.format)->default_value("jsonl"), "jsonl | csv")(
      "summary", po::value(&summary_path), "write the summary as JSON to this file")(
      "quiet", "no summary table or progress on stderr");
  po::positional_options_description pos;
  pos.add("input", 1);
  auto parsed = parse_args(args, desc, out, pos);
  if (!parsed) return kOk;
  const po::variables_map& vm = *parsed;
  if (input.empty()) throw po::error("a patients file (or - for stdin) is required");
  if (o.format != "jsonl" && o.format != "csv") throw po::error("--format must be jsonl or csv");
  if (threads < 1) throw po::error("--threads must be 1 or more");
  ScreenOptions so;
  so.threads = threads;
  so.as_of = parse_as_of(o.as_of);
  so.format = o.format == "csv" ? ScreenFormat::csv : ScreenFormat::jsonl;
  const Lexicon& lex = lexicon_from(o.lexicon_paths);
  auto trials = trials_from(o.trial_paths, lex);
  std::vector<TrialPlan> plans(trials.size());
  parallel_for(trials.size(), [&](std::size_t i) { plans[i] = plan_trial(trials[i], lex); });
  if (input != "-") {
    so.input_name = input;
    std::error_code ec;
    so.input_size = std::filesystem::file_size(input, ec);
    if (ec) so.input_size = 0;
  }
  std::ofstream out_file;
  std::ostream* dest = &out;
  if (output != "-") {
    out_file.open(output, std::ios::binary);
    if (!out_file) throw InputError({Severity::error, output, 0, 0, "", "cannot write file"});
    dest = &out_file;
  }
  bool quiet = vm.count("quiet") > 0;
  if (!quiet && ::isatty(STDERR_FILENO) == 1 && &err == &std::cerr) so.progress = &err;
  ScreenSummary summary = input == "-" ? screen(std::cin, *dest, plans, lex, so) : screen(input, *dest, plans, lex, so);
  if (!summary_path.empty()) {
    std::ofstream s(summary_path);
    if (!s) throw InputError({Severity::error, summary_path, 0, 0, "", "cannot write file"});
    s << summary.to_json().dump(2) << '\n';
  }
  if (!quiet) summary.print(err);
  return kOk;
}

int generate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream&) {
  std::uint64_t count = 1000, seed = 1, first = 0;
  std::string as_of = "2026-11-01";
  po::options_description desc(
      "Usage: trialmatch generate [--count N] [--seed S] [--first I] [--as-of DATE]\n\n"
      "Writes synthetic patient profiles, one JSON line each, for tests and benchmarks.\n"
      "Patient I depends only on (I, seed): any slice regenerates alone.\n\nOptions");
  desc.add_options()("help,h", "show this help")("count", po::value(&count), "how many patients (default 1000)")(
      "seed", po::value(&seed), "random seed (default 1)")("first", po::value(&first), "index of the first patient (default 0)")(
      "as-of", po::value(&as_of), "the date profiles describe (default 2026-11-01)");
  if (!parse_args(args, desc, out)) return kOk;
  if (!parse_iso_date(as_of)) throw po::error("--as-of must be a date YYYY-MM-DD");
  std::string buf;
  for (std::uint64_t i = first; i < first + count; ++i) {
    buf += synthetic_patient(i, seed, as_of);
    buf += '\n';
    if (buf.size() > (1 << 20)) {
      out << buf;
      buf.clear();
    }
  }
  out << buf;
  return kOk;
}

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"compile", {"compile trials' criteria into rules and print them (text or JSON)", compile_command}},
      {"match", {"rank the trials one patient could enter, with the first reason each fails", match_command}},
      {"explain", {"every criterion of one trial for one patient, with its evidence", explain_command}},
      {"screen", {"screen a population (JSON Lines) against the trials, with an attrition summary", screen_command}},
      {"generate", {"synthetic patients (JSON Lines) for tests and benchmarks", generate_command}},
  };
  return table;
}

void print_help(std::ostream& out) {
  out << kUsage << "\nCommands:\n";
  for (const auto& [name, cmd] : commands()) out << "  " << name << std::string(10 - name.size(), ' ') << cmd.summary << '\n';
  out << "\nOptions:\n  -h, --help     show this help (or `trialmatch <command> --help`)\n"
         "  --version      print the version\n";
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    print_help(err);
    return kUsageError;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    print_help(out);
    return kOk;
  }
  if (first == "--version") {
    out << "trialmatch " << TRIALMATCH_VERSION << '\n';
    return kOk;
  }
  auto it = commands().find(first);
  if (it == commands().end()) {
    err << "trialmatch: unknown command \"" << first << "\"\n\n";
    print_help(err);
    return kUsageError;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    return it->second.run(rest, out, err);
  } catch (const po::error& e) {
    err << "trialmatch " << first << ": " << e.what() << "\n(see `trialmatch " << first << " --help`)\n";
    return kUsageError;
  } catch (const InputError& e) {
    err << e.diagnostic().str() << '\n';
    return kInputError;
  } catch (const std::exception& e) {
    // Never a crash: anything unforeseen is reported as bad input.
    err << "trialmatch " << first << ": error: " << e.what() << '\n';
    return kInputError;
  }
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return run(args, out, err);
}

}  // namespace trialmatch::cli
