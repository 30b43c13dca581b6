#include "engine/json_util.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/diagnostic.hpp"

namespace trialmatch {

std::string read_file(const std::string& path) {
  // A directory opens like a file on Linux and reads as empty.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError({Severity::error, path, 0, 0, "", "is a directory, not a file"});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({Severity::error, path, 0, 0, "", "cannot open file"});
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw InputError({Severity::error, path, 0, 0, "", "cannot read file"});
  return std::move(buf).str();
}

namespace {
// nlohmann reports a byte offset; people want line and column.
void line_col_at(std::string_view text, std::size_t offset, int& line, int& col) {
  line = 1;
  col = 1;
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
}
}  // namespace

namespace {
// nlohmann's parser recurses once per level: refuse absurd nesting before it
// can exhaust the stack. Brackets inside strings do not count.
void check_depth(std::string_view text, const std::string& file_name) {
  constexpr int kMaxDepth = 256;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        int line = 0, col = 0;
        line_col_at(text, i, line, col);
        throw InputError({Severity::error, file_name, line, col, "", "JSON nested deeper than 256 levels"});
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}
}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& file_name) {
  check_depth(text, file_name);
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    int line = 0, col = 0;
    // byte is 1-based and points just past the offending character.
    line_col_at(text, e.byte > 0 ? e.byte - 1 : 0, line, col);
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
    if (auto pos = what.find(": "); pos != std::string::npos && what.rfind("[json.exception", 0) == 0)
      what = what.substr(pos + 2);
    throw InputError({Severity::error, file_name, line, col, "", "malformed JSON: " + what});
  } catch (const nlohmann::json::exception& e) {
    // e.g. "number overflow parsing '4E4400'"
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError({Severity::error, file_name, 0, 0, "", "unreadable JSON: " + what});
  }
}

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_number()) return "number";
  return value.type_name();
}

}  // namespace trialmatch

namespace trialmatch {

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

FieldReader::FieldReader(const nlohmann::json& object, std::string file, std::string pointer, Diagnostics* warnings)
    : obj_(object), file_(std::move(file)), pointer_(std::move(pointer)), warnings_(warnings) {
  if (!obj_.is_object())
    throw InputError({Severity::error, file_, 0, 0, pointer_.empty() ? "/" : pointer_,
                      "expected an object, found " + json_type_name(obj_)});
}

std::string FieldReader::pointer(std::string_view key) const { return pointer_ + "/" + pointer_escape(key); }

bool FieldReader::has(std::string_view key) const {
  auto it = obj_.find(key);
  return it != obj_.end() && !it->is_null();
}

void FieldReader::fail(std::string_view key, const std::string& message) const {
  throw InputError({Severity::error, file_, 0, 0, key.empty() ? (pointer_.empty() ? "/" : pointer_) : pointer(key), message});
}

void FieldReader::warn(std::string_view key, const std::string& message) const {
  if (warnings_) warnings_->push_back({Severity::warning, file_, 0, 0, pointer(key), message});
}

void FieldReader::wrong_type(std::string_view key, const char* expected) const {
  fail(key, std::string("expected ") + expected + ", found " + json_type_name(obj_.at(std::string(key))));
}

const nlohmann::json* FieldReader::get(std::string_view key, bool required) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) {
    if (required) fail(key, "required field is missing");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> FieldReader::string(std::string_view key, bool required) const {
  auto v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(key, "a string");
  return v->get<std::string>();
}

std::optional<double> FieldReader::number(std::string_view key, bool required) const {
  auto v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) wrong_type(key, "a number");
  return v->get<double>();
}

std::optional<long> FieldReader::integer(std::string_view key, bool required) const {
  auto v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) wrong_type(key, "an integer");
  return v->get<long>();
}

std::optional<bool> FieldReader::boolean(std::string_view key, bool required) const {
  auto v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) wrong_type(key, "true or false");
  return v->get<bool>();
}

std::vector<std::string> FieldReader::strings(std::string_view key, bool required) const {
  std::vector<std::string> out;
  auto v = get(key, required);
  if (!v) return out;
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array()) wrong_type(key, "an array of strings");
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& e = (*v)[i];
    if (!e.is_string())
      throw InputError({Severity::error, file_, 0, 0, pointer(key) + "/" + std::to_string(i),
                        "expected a string, found " + json_type_name(e)});
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<FieldReader> FieldReader::objects(std::string_view key) const {
  std::vector<FieldReader> out;
  auto v = get(key, false);
  if (!v) return out;
  if (!v->is_array()) wrong_type(key, "an array");
  out.reserve(v->size());
  for (std::size_t i = 0; i < v->size(); ++i)
    out.emplace_back((*v)[i], file_, pointer(key) + "/" + std::to_string(i), warnings_);
  return out;
}

std::optional<FieldReader> FieldReader::child(std::string_view key, bool required) const {
  auto v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_object()) wrong_type(key, "an object");
  return FieldReader(*v, file_, pointer(key), warnings_);
}

void FieldReader::warn_unknown_keys(std::initializer_list<std::string_view> known) const {
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      warn(it.key(), "unknown key ignored");
  }
}

}  // namespace trialmatch
