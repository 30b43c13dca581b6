#pragma once
// Independent pieces of start-up work (compiling trials, planning them) on
// all cores. Results land by index, so they do not depend on the thread
// count; an exception from piece i is rethrown as if the pieces had run in
// order (the one of the lowest index), so error messages do not either.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace trialmatch {

// Calls fn(i) for every i < n. `min_per_thread` pieces at least per extra
// thread: below that a thread costs more than it saves.
template <class Fn>
void parallel_for(std::size_t n, Fn&& fn, std::size_t min_per_thread = 4) {
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min(cores, std::max<std::size_t>(1, n / std::max<std::size_t>(1, min_per_thread)));
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace trialmatch
