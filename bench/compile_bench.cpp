// Compiles every criteria text of the real corpus (about 7,400 trials and
// 120,000 criteria): split, lex, parse, build rules. Reports criteria/s.
//   make bench && build/bench/bench_compile
#include <benchmark/benchmark.h>

#include "datasets.hpp"
#include "engine/criteria_splitter.hpp"
#include "engine/lexicon.hpp"
#include "grammar/criteria_compiler.hpp"

using namespace trialmatch;

namespace {
const std::vector<testing::CorpusText>& corpus() {
  static const auto texts = testing::all_criteria_texts();
  return texts;
}

void BM_CompileCorpus(benchmark::State& state) {
  const auto& texts = corpus();
  grammar::CriteriaCompiler compiler(bundled_lexicon());
  std::size_t criteria = 0;
  for (auto _ : state) {
    for (const auto& t : texts) {
      for (const auto& c : split_criteria(t.text).criteria) {
        auto r = compiler.compile(c.text, c.kind == CriterionKind::exclusion);
        benchmark::DoNotOptimize(r);
        ++criteria;
      }
    }
  }
  state.counters["criteria/s"] = benchmark::Counter(static_cast<double>(criteria), benchmark::Counter::kIsRate);
  state.counters["trials"] = static_cast<double>(texts.size());
}
BENCHMARK(BM_CompileCorpus)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_SplitCorpus(benchmark::State& state) {
  const auto& texts = corpus();
  std::size_t criteria = 0;
  for (auto _ : state)
    for (const auto& t : texts) criteria += split_criteria(t.text).criteria.size();
  state.counters["criteria/s"] = benchmark::Counter(static_cast<double>(criteria), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SplitCorpus)->Unit(benchmark::kMillisecond);

void BM_BuildCompiler(benchmark::State& state) {
  for (auto _ : state) {
    grammar::CriteriaCompiler compiler(bundled_lexicon());
    benchmark::DoNotOptimize(&compiler);
  }
}
BENCHMARK(BM_BuildCompiler)->Unit(benchmark::kMillisecond);
}  // namespace

BENCHMARK_MAIN();
