#pragma once
// A byte trie over a phrase list, laid out flat in three arrays so it costs
// little to build and to free (an X3 symbol table allocates a node per byte)
// and a lookup walks a few contiguous bytes per character instead of
// binary-searching rows of strings.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trialmatch::grammar {

template <class V>
class PhraseTrie {
 public:
  using Entry = std::pair<std::string, V>;

  // The first entry of a phrase wins; empty phrases are dropped.
  void build(std::vector<Entry> entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.first < b.first; });
    entries_.clear();
    for (auto& e : entries)
      if (!e.first.empty() && (entries_.empty() || entries_.back().first != e.first)) entries_.push_back(std::move(e));
    nodes_.assign(1, Node{});
    bytes_.clear();
    kids_.clear();
    // Breadth first: a node's children are made together, so they sit side
    // by side. Each pending node covers the entries sharing its prefix.
    struct Pending {
      std::uint32_t node, lo, hi, depth;
    };
    std::vector<Pending> queue{{0, 0, static_cast<std::uint32_t>(entries_.size()), 0}};
    for (std::size_t q = 0; q < queue.size(); ++q) {
      auto [node, lo, hi, depth] = queue[q];
      if (lo < hi && entries_[lo].first.size() == depth) nodes_[node].entry = static_cast<std::int32_t>(lo++);
      nodes_[node].first = static_cast<std::uint32_t>(bytes_.size());
      while (lo < hi) {
        const char c = entries_[lo].first[depth];
        std::uint32_t end = lo;
        while (end < hi && entries_[end].first[depth] == c) ++end;
        bytes_.push_back(static_cast<unsigned char>(c));
        kids_.push_back(static_cast<std::uint32_t>(nodes_.size()));
        queue.push_back({static_cast<std::uint32_t>(nodes_.size()), lo, end, depth + 1});
        nodes_.push_back(Node{});
        lo = end;
      }
      nodes_[node].count = static_cast<std::uint32_t>(bytes_.size()) - nodes_[node].first;
    }
  }

  // Calls f(entry) for every phrase that [p, limit) starts with, shortest first.
  template <class F>
  void prefixes(const char* p, const char* limit, F&& f) const {
    std::uint32_t node = 0;
    for (const char* q = p; q < limit; ++q) {
      node = child(node, static_cast<unsigned char>(*q));
      if (node == kNone) return;
      if (nodes_[node].entry >= 0) f(entries_[static_cast<std::size_t>(nodes_[node].entry)]);
    }
  }

  // The longest phrase that [p, limit) starts with.
  const Entry* longest(const char* p, const char* limit) const {
    const Entry* best = nullptr;
    prefixes(p, limit, [&](const Entry& e) { best = &e; });
    return best;
  }

  const Entry* find(std::string_view key) const {
    const Entry* found = nullptr;
    prefixes(key.data(), key.data() + key.size(), [&](const Entry& e) {
      if (e.first.size() == key.size()) found = &e;
    });
    return found;
  }

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  struct Node {
    std::uint32_t first = 0;  // children: bytes_[first, first + count), kids_ alike
    std::uint32_t count = 0;
    std::int32_t entry = -1;  // the phrase ending here, if any
  };

  std::uint32_t child(std::uint32_t node, unsigned char c) const {
    const Node& n = nodes_[node];
    const unsigned char* b = bytes_.data() + n.first;
    const unsigned char* e = b + n.count;
    const unsigned char* it = n.count > 8 ? std::lower_bound(b, e, c) : std::find(b, e, c);
    return it != e && *it == c ? kids_[n.first + static_cast<std::uint32_t>(it - b)] : kNone;
  }

  std::vector<Entry> entries_;
  std::vector<Node> nodes_;
  std::vector<unsigned char> bytes_;  // sorted within each node
  std::vector<std::uint32_t> kids_;
};

}  // namespace trialmatch::grammar
