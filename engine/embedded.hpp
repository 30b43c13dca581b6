#pragma once
// Files from rules/ compiled into the binary (see cmake/EmbedFiles.cmake).
#include <span>
#include <string_view>

namespace trialmatch {

struct EmbeddedFile {
  std::string_view path;     // relative to rules/, e.g. "trials/NCT06196996.json"
  std::string_view content;
};

std::span<const EmbeddedFile> embedded_files();

}  // namespace trialmatch
