#include "grammar/ast.hpp"

#include <algorithm>

#include <charconv>
#include <cmath>

namespace trialmatch::ast {

const char* to_string(CmpOp op) {
  switch (op) {
    case CmpOp::lt: return "<";
    case CmpOp::le: return "<=";
    case CmpOp::gt: return ">";
    case CmpOp::ge: return ">=";
    case CmpOp::eq: return "=";
    case CmpOp::ne: return "!=";
  }
  return "?";
}

CmpOp negate(CmpOp op) {
  switch (op) {
    case CmpOp::lt: return CmpOp::ge;
    case CmpOp::le: return CmpOp::gt;
    case CmpOp::gt: return CmpOp::le;
    case CmpOp::ge: return CmpOp::lt;
    case CmpOp::eq: return CmpOp::ne;
    case CmpOp::ne: return CmpOp::eq;
  }
  return op;
}

namespace {
struct Equal {
  template <class A, class B>
  bool operator()(const A&, const B&) const { return false; }
  template <class A>
  bool operator()(const A& a, const A& b) const { return a == b; }
  template <class A>
  bool operator()(const x3::forward_ast<A>& a, const x3::forward_ast<A>& b) const { return a.get() == b.get(); }
};
}  // namespace

bool operator==(const Expr& a, const Expr& b) { return boost::apply_visitor(Equal{}, a.get(), b.get()); }

Expr make_nary(Logic op, std::vector<Expr> operands) {
  std::vector<Expr> flat;
  flat.reserve(operands.size());
  const bool boolean = op == Logic::and_ || op == Logic::or_;
  // "a and a" is "a": an operand repeated adds nothing to and / or.
  auto add = [&](Expr&& e) {
    if (!boolean || std::find(flat.begin(), flat.end(), e) == flat.end()) flat.push_back(std::move(e));
  };
  for (auto& e : operands) {
    if (auto* n = boost::get<x3::forward_ast<NAry>>(&e.get()); n && n->get().op == op && boolean) {
      for (auto& inner : n->get().operands) add(std::move(inner));
    } else {
      add(std::move(e));
    }
  }
  if (flat.size() == 1) return std::move(flat.front());
  // No operand: "and" of nothing holds, "or" of nothing does not (an empty
  // list printed as nothing and could not be read back).
  if (flat.empty() && boolean) return Expr(Literal{op == Logic::and_});
  return Expr(NAry{op, std::move(flat)});
}

Expr make_not(Expr operand) { return Expr(Not{std::move(operand)}); }

Expr make_at_least(int n, std::vector<Expr> operands) {
  if (n <= 1) return make_nary(Logic::or_, std::move(operands));
  if (static_cast<std::size_t>(n) >= operands.size()) {
    // More required than listed: none can be enough.
    if (static_cast<std::size_t>(n) > operands.size()) return Expr(Literal{false});
    return make_nary(Logic::and_, std::move(operands));
  }
  return Expr(NAry{Logic::at_least, std::move(operands), n});
}

std::string format_number(double v) {
  char buf[64];
  // Whole numbers in full ("100000", not the shorter "1e+05"): counts are
  // written so in criteria. Others in the shortest form that reads back.
  const bool whole = std::abs(v) < 1e15 && v == std::trunc(v);
  auto [end, ec] = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// Time units are stored plural; "1 year" reads better than "1 years".
std::string time_unit(double amount, const std::string& unit) {
  return amount == 1 && unit.ends_with('s') ? unit.substr(0, unit.size() - 1) : unit;
}

std::string window_text(const boost::optional<Window>& w) {
  return w ? " within " + std::to_string(w->amount) + " " + time_unit(w->amount, w->unit) : "";
}

struct Printer {
  std::string operator()(const Comparison& c) const {
    std::string rhs = c.word.empty() ? format_number(c.value) + (c.unit.empty() ? "" : " " + c.unit) : c.word;
    return c.concept_id + " " + to_string(c.op) + " " + rhs;
  }
  std::string operator()(const Count& c) const {
    std::string inner;
    if (c.positive) {
      inner = "positive(";
      for (std::size_t i = 0; i < c.concepts.size(); ++i) inner += (i ? ", " : "") + c.concepts[i];
      inner += ")";
    } else {
      inner = (c.concepts.empty() ? std::string() : c.concepts.front()) + window_text(c.window);
    }
    return "count(" + inner + ") " + to_string(c.op) + " " + std::to_string(c.n);
  }
  std::string operator()(const Duration& d) const {
    return d.function + "(" + d.concept_id + ") " + to_string(d.op) + " " + format_number(d.value) + " " + time_unit(d.value, d.unit);
  }
  std::string operator()(const Predicate& p) const {
    std::string core = p.function.empty() ? p.concept_id : p.function + "(" + p.concept_id + ")";
    std::string except;
    for (const auto& id : p.except) except += (except.empty() ? " except(" : ", ") + id;
    return core + window_text(p.window) + (except.empty() ? "" : except + ")");
  }
  std::string operator()(const Manual& m) const { return "manual(" + m.kind + ")"; }
  std::string operator()(const Unparsed& u) const { return "unparsed(" + quote(u.text) + ")"; }
  std::string operator()(const Cohort& c) const { return "cohort(" + quote(c.label) + ")"; }
  std::string operator()(const Literal& l) const { return l.value ? "true" : "false"; }
  std::string operator()(const x3::forward_ast<Not>& n) const {
    const Expr& e = n.get().operand;
    bool compound = boost::get<x3::forward_ast<NAry>>(&e.get()) != nullptr;
    std::string inner = print(e);
    return compound ? "not (" + inner + ")" : "not " + inner;
  }
  std::string operator()(const x3::forward_ast<NAry>& n) const {
    const NAry& a = n.get();
    std::string out;
    if (a.op == Logic::at_least) {
      out = "at_least(" + std::to_string(a.n);
      for (const auto& e : a.operands) out += ", " + print(e);
      return out + ")";
    }
    if (a.op == Logic::any || a.op == Logic::all) {
      out = a.op == Logic::any ? "any(" : "all(";
      for (std::size_t i = 0; i < a.operands.size(); ++i) out += (i ? ", " : "") + print(a.operands[i]);
      return out + ")";
    }
    const char* sep = a.op == Logic::and_ ? " and " : " or ";
    for (std::size_t i = 0; i < a.operands.size(); ++i) {
      const Expr& e = a.operands[i];
      std::string s = print(e);
      // Any nested and/or is bracketed, so the reader never needs precedence.
      if (auto* inner = boost::get<x3::forward_ast<NAry>>(&e.get());
          inner && (inner->get().op == Logic::and_ || inner->get().op == Logic::or_))
        s = "(" + s + ")";
      out += (i ? sep : "") + s;
    }
    return out;
  }
};

}  // namespace

void collect_cohorts(const Expr& e, std::vector<std::string>& out) {
  if (auto* c = boost::get<Cohort>(&e.get())) {
    if (std::find(out.begin(), out.end(), c->label) == out.end()) out.push_back(c->label);
  } else if (auto* n = boost::get<x3::forward_ast<Not>>(&e.get())) {
    collect_cohorts(n->get().operand, out);
  } else if (auto* a = boost::get<x3::forward_ast<NAry>>(&e.get())) {
    for (const auto& x : a->get().operands) collect_cohorts(x, out);
  }
}

std::string print(const Expr& e) { return boost::apply_visitor(Printer{}, e.get()); }

}  // namespace trialmatch::ast
