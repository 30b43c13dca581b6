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
    // Breadth first: a node's children are made together, so they sit side
    // by side in nodes_, in byte order. Each pending node covers the
    // entries sharing its prefix.
    struct Pending {
      std::uint32_t node, lo, hi, depth;
    };
    std::vector<Pending> queue{{0, 0, static_cast<std::uint32_t>(entries_.size()), 0}};
    for (std::size_t q = 0; q < queue.size(); ++q) {
      auto [node, lo, hi, depth] = queue[q];
      if (lo < hi && entries_[lo].first.size() == depth) nodes_[node].entry = lo++;
      nodes_[node].first = static_cast<std::uint32_t>(nodes_.size());
      while (lo < hi) {
        const char c = entries_[lo].first[depth];
        std::uint32_t end = lo;
        while (end < hi && entries_[end].first[depth] == c) ++end;
        queue.push_back({static_cast<std::uint32_t>(nodes_.size()), lo, end, depth + 1});
        Node kid;
        kid.byte = static_cast<unsigned char>(c);
        nodes_.push_back(kid);
        ++nodes_[node].count;
        lo = end;
      }
    }
    // The root's children by byte: every lookup starts there.
    std::fill(std::begin(root_), std::end(root_), kNone);
    for (std::uint32_t k = nodes_[0].first; k < nodes_[0].first + nodes_[0].count; ++k) root_[nodes_[k].byte] = k;
  }

  // Calls f(entry) for every phrase that [p, limit) starts with, shortest first.
  template <class F>
  void prefixes(const char* p, const char* limit, F&& f) const {
    if (p >= limit || nodes_.empty()) return;
    std::uint32_t node = root_[static_cast<unsigned char>(*p)];
    for (const char* q = p;;) {
      if (node == kNone) return;
      if (nodes_[node].entry != kNone) f(entries_[nodes_[node].entry]);
      if (++q >= limit) return;
      node = child(node, static_cast<unsigned char>(*q));
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
    std::uint32_t first = 0;     // children: nodes_[first, first + count), by byte
    std::uint32_t entry = kNone;  // the phrase ending here, if any
    std::uint16_t count = 0;
    unsigned char byte = 0;      // the byte that leads here from the parent
  };

  std::uint32_t child(std::uint32_t node, unsigned char c) const {
    const Node& n = nodes_[node];
    const Node* b = nodes_.data() + n.first;
    const Node* e = b + n.count;
    const Node* it = n.count > 8 ? std::lower_bound(b, e, c, [](const Node& k, unsigned char v) { return k.byte < v; })
                                 : std::find_if(b, e, [c](const Node& k) { return k.byte == c; });
    return it != e && it->byte == c ? static_cast<std::uint32_t>(it - nodes_.data()) : kNone;
  }

  std::vector<Entry> entries_;
  std::vector<Node> nodes_;
  std::uint32_t root_[256] = {};
};

}  // namespace trialmatch::grammar
