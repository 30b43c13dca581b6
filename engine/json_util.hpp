#pragma once
// JSON reading with errors that name the file, line and column.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace trialmatch {

// Reads a whole file; throws InputError naming the file when it cannot.
std::string read_file(const std::string& path);

// Parses JSON text; a syntax error becomes an InputError at file:line:col.
nlohmann::json parse_json(std::string_view text, const std::string& file_name);

// Human name of a JSON value's type ("string", "number", "object" ...).
std::string json_type_name(const nlohmann::json& value);

}  // namespace trialmatch

#include <initializer_list>
#include <optional>
#include <vector>

#include "engine/diagnostic.hpp"

namespace trialmatch {

// Reads typed fields of one JSON object. A wrong type throws an InputError
// naming the file and the field's JSON pointer; unknown keys become warnings.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string file, std::string pointer, Diagnostics* warnings);

  const nlohmann::json& object() const { return obj_; }
  std::string pointer(std::string_view key) const;
  bool has(std::string_view key) const;

  std::optional<std::string> string(std::string_view key, bool required = false) const;
  std::optional<double> number(std::string_view key, bool required = false) const;
  std::optional<long> integer(std::string_view key, bool required = false) const;
  std::optional<bool> boolean(std::string_view key, bool required = false) const;
  // Array of strings; a single string is accepted as a one-element array.
  std::vector<std::string> strings(std::string_view key, bool required = false) const;
  // The array at key (empty if absent), each element required to be an object.
  std::vector<FieldReader> objects(std::string_view key) const;
  std::optional<FieldReader> child(std::string_view key, bool required = false) const;

  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  void warn(std::string_view key, const std::string& message) const;
  void warn_unknown_keys(std::initializer_list<std::string_view> known) const;

  const std::string& file() const { return file_; }

 private:
  const nlohmann::json* get(std::string_view key, bool required) const;
  [[noreturn]] void wrong_type(std::string_view key, const char* expected) const;

  const nlohmann::json& obj_;
  std::string file_;
  std::string pointer_;
  Diagnostics* warnings_;
};

// Escapes a key for use in a JSON pointer (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_escape(std::string_view key);

}  // namespace trialmatch
