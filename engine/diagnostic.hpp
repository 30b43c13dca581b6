#pragma once
// Problems found in input, kept as data so callers decide whether to print,
// count or stop. Every diagnostic names the file and, where known, the line
// (and column) or the JSON field (as a JSON pointer).
#include <stdexcept>
#include <string>
#include <vector>

namespace trialmatch {

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;     // file name or "<stdin>", "<bundled>/trials/x.json"
  int line = 0;         // 1-based; 0 when not known
  int column = 0;       // 1-based; 0 when not known
  std::string field;    // JSON pointer such as "/observations/2/date"; may be empty
  std::string message;

  // "file:line:col: error: field: message", omitting the parts not known.
  std::string str() const;
};

using Diagnostics = std::vector<Diagnostic>;

// Thrown when an input cannot be used at all; carries the diagnostic.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostic d);
  const Diagnostic& diagnostic() const { return diag_; }

 private:
  Diagnostic diag_;
};

}  // namespace trialmatch
