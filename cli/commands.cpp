#include "cli/commands.hpp"

#include <boost/program_options.hpp>
#include <functional>
#include <map>

#include <algorithm>
#include <filesystem>

#include "engine/diagnostic.hpp"
#include "engine/lexicon.hpp"
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
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    out << desc << '\n';
    return kOk;
  }
  po::notify(vm);
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

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"compile", {"compile trials' criteria into rules and print them (text or JSON)", compile_command}},
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
  }
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return run(args, out, err);
}

}  // namespace trialmatch::cli
