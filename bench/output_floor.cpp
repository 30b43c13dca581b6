// A floor for writing screen's output: given the output `screen` wrote
// (JSON Lines), compose every line again from its parts, with every
// decision already made, and write it to /dev/null on N threads. Trial
// entries repeat across patients, so each distinct one is kept once, as
// screen keeps each outcome pattern once; a line is its head and its
// entries copied in order. No screen that writes this output can take less
// time than this on the same threads (docs/performance.md).
//   build-bench/bench/output_floor screened.jsonl [THREADS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

struct Line {
  std::string head;             // up to and including `"results":[`
  std::vector<unsigned> parts;  // indices of its trial entries
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: output_floor SCREENED.jsonl [THREADS]\n");
    return 2;
  }
  const unsigned threads = argc == 3 ? static_cast<unsigned>(std::atoi(argv[2])) : 1;
  std::ifstream in(argv[1], std::ios::binary);
  if (!in || threads == 0) {
    std::fprintf(stderr, "%s: cannot open file (or no threads)\n", argv[1]);
    return 1;
  }
  std::vector<std::string> entries;
  std::unordered_map<std::string, unsigned> ids;
  std::vector<Line> lines;
  std::uint64_t bytes = 0;
  std::string text;
  while (std::getline(in, text)) {
    bytes += text.size() + 1;
    Line line;
    const auto at = text.find("\"results\":[");
    if (at == std::string::npos) {  // an error record: copied whole
      line.head = text;
      lines.push_back(std::move(line));
      continue;
    }
    line.head = text.substr(0, at + 11);
    // Trial entries are the objects at depth one inside the array; ids and
    // verdicts hold no braces.
    int depth = 0;
    std::size_t begin = 0;
    for (std::size_t k = at + 11; k < text.size(); ++k) {
      if (text[k] == '{' && depth++ == 0) begin = k;
      if (text[k] == '}' && --depth == 0) {
        auto [it, added] = ids.emplace(text.substr(begin, k + 1 - begin), static_cast<unsigned>(entries.size()));
        if (added) entries.push_back(it->first);
        line.parts.push_back(it->second);
      }
    }
    lines.push_back(std::move(line));
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  std::vector<std::uint64_t> written(threads);
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::FILE* sink = std::fopen("/dev/null", "wb");
      std::vector<char> buffer(4 << 20);
      std::size_t n = 0;
      auto put = [&](const std::string& s) {
        if (n + s.size() + 4 > buffer.size()) {
          std::fwrite(buffer.data(), 1, n, sink);
          written[t] += n;
          n = 0;
        }
        std::memcpy(buffer.data() + n, s.data(), s.size());
        n += s.size();
      };
      // Lines dealt in blocks of 128, as screen's workers take them.
      for (std::size_t first = t * 128; first < lines.size(); first += threads * 128)
        for (std::size_t i = first; i < std::min(lines.size(), first + 128); ++i) {
          put(lines[i].head);
          for (std::size_t p = 0; p < lines[i].parts.size(); ++p) {
            if (p) buffer[n++] = ',';
            put(entries[lines[i].parts[p]]);
          }
          if (!lines[i].parts.empty() || lines[i].head.back() == '[') {
            buffer[n++] = ']';
            buffer[n++] = '}';
          }
          buffer[n++] = '\n';
        }
      std::fwrite(buffer.data(), 1, n, sink);
      written[t] += n;
      std::fclose(sink);
    });
  for (auto& th : pool) th.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::uint64_t total = 0;
  for (auto w : written) total += w;
  std::printf("%zu lines, %zu distinct trial entries, %llu bytes read, %llu written, %u threads, %.3f s, %.1f MB/s\n",
              lines.size(), entries.size(), static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(total), threads, seconds, static_cast<double>(total) / 1e6 / seconds);
  return total == bytes ? 0 : 1;  // composed again byte for byte, or the tool is wrong
}
