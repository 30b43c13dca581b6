#pragma once
// The command line: `trialmatch <command> [options]`. main() only calls run(),
// so tests drive the same code with their own streams.
#include <ostream>
#include <string>
#include <vector>

namespace trialmatch::cli {

// Exit codes: 0 success, 1 bad input (a message names file and field),
// 2 bad usage.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace trialmatch::cli
