#include "engine/diagnostic.hpp"

namespace trialmatch {

std::string Diagnostic::str() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += severity == Severity::error ? ": error: " : ": warning: ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

InputError::InputError(Diagnostic d) : std::runtime_error(d.str()), diag_(std::move(d)) {}

}  // namespace trialmatch
