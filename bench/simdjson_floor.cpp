// The floor for screening: read a JSON Lines file the way `screen` does and
// parse every record with simdjson alone, touching the fields a profile has.
// Nothing is evaluated; no faster screen of the same file is possible.
//   build-bench/bench/simdjson_floor patients.jsonl
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: simdjson_floor FILE.jsonl\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open file\n", argv[1]);
    return 1;
  }
  std::vector<char> buffer(1 << 20);
  in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  simdjson::ondemand::parser parser;
  std::string line;
  std::uint64_t records = 0, bytes = 0, fields = 0, errors = 0;
  auto start = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    bytes += line.size() + 1;
    ++records;
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj)) {
      ++errors;
      continue;
    }
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      auto value = field.value();
      if (key == "observations" || key == "conditions" || key == "events" || key == "medications") {
        for (auto item : value.get_array()) {
          for (auto f : item.get_object()) {
            std::string_view k;
            if (f.unescaped_key().get(k)) break;
            auto v = f.value();
            if (v.type() == simdjson::ondemand::json_type::number) {
              double d;
              if (!v.get_double().get(d)) ++fields;
            } else if (v.type() == simdjson::ondemand::json_type::string) {
              std::string_view s;
              if (!v.get_string().get(s)) ++fields;
            }
          }
        }
      } else {
        std::string_view s;
        if (!value.get_string().get(s)) ++fields;
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%llu records, %llu fields, %llu errors, %.3f s, %.0f records/s, %.1f MB/s\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(fields),
              static_cast<unsigned long long>(errors), secs, records / secs, bytes / secs / 1e6);
  return 0;
}
