#pragma once
// A fast reader for the common case of batch screening: a plain trialmatch
// profile on one line, read in one pass by a strict scanner written for the
// profile's shape straight into LeanFacts, with no JSON tree and no Profile
// in between. It accepts only
// what the validating loader (profile.cpp) would accept without complaint
// and declines everything else (FHIR Bundles, answers, unknown keys, nulls,
// duplicate keys, anything invalid), which then takes the validating path,
// so its error messages stay the loader's.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/date.hpp"
#include "engine/lean_facts.hpp"

namespace trialmatch {

class FastProfileReader {
 public:
  FastProfileReader();
  ~FastProfileReader();
  FastProfileReader(const FastProfileReader&) = delete;
  FastProfileReader& operator=(const FastProfileReader&) = delete;

  struct Read {
    std::string_view id;        // valid until the next read
    std::optional<Date> as_of;  // the profile's own
  };
  // On success the builder holds the records (call its finish()); nullopt
  // declines the line.
  std::optional<Read> read(std::string_view line, LeanFactsBuilder& builder);
  // The same, without copying the line: the caller promises that kPadding
  // bytes after it are allocated memory (their content does not matter).
  std::optional<Read> read_padded(std::string_view line, LeanFactsBuilder& builder);
  static const std::size_t kPadding;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trialmatch
