#pragma once
// Synthetic patients for tests and benchmarks: a deterministic function of
// (index, seed), so any slice of a population can be regenerated alone.
// Mix: 40 % type 1, 25 % type 2, 35 % no diabetes; ages; labs in varied units
// and dates (some stale, some missing); autoantibodies as results or titres;
// severe hypoglycaemia; pregnancies; comorbidities coded in ICD-10.
#include <cstdint>
#include <string>

namespace trialmatch {

// One profile as a single JSON line (no newline).
std::string synthetic_patient(std::uint64_t index, std::uint64_t seed, const std::string& as_of = "2026-11-01");

}  // namespace trialmatch
