#include "config/selector.h"

#include <cctype>

namespace sluice::config {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : text_(text) {}

  std::expected<Selector, std::string> parse() {
    Selector selector{std::string(text_), {}};
    std::vector<SimpleSelector> chain;
    auto combinator = SimpleSelector::Combinator::descendant;
    bool pending = false;  // a '>' waits for its compound
    while (true) {
      skip_spaces();
      if (at_ >= text_.size() || text_[at_] == ',') {
        if (chain.empty()) return fail("empty selector");
        if (pending) return fail("a selector must follow '>'");
        selector.alternatives.push_back(std::move(chain));
        chain.clear();
        if (at_ >= text_.size()) break;
        ++at_;
        continue;
      }
      if (text_[at_] == '>') {
        if (chain.empty() || pending) return fail("'>' needs a selector on each side");
        combinator = SimpleSelector::Combinator::child;
        pending = true;
        ++at_;
        continue;
      }
      auto compound = simple();
      if (!compound) return std::unexpected(compound.error());
      compound->combinator = combinator;
      combinator = SimpleSelector::Combinator::descendant;
      pending = false;
      chain.push_back(std::move(*compound));
    }
    return selector;
  }

 private:
  std::unexpected<std::string> fail(const std::string& what) const {
    return std::unexpected(what + " at " + std::to_string(at_ + 1));
  }

  void skip_spaces() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }

  std::string name() {
    const std::size_t start = at_;
    while (at_ < text_.size() && is_name_char(text_[at_])) ++at_;
    return std::string(text_.substr(start, at_ - start));
  }

  std::expected<SimpleSelector, std::string> simple() {
    SimpleSelector out;
    if (text_[at_] == '*') {
      out.tag = "*";
      ++at_;
    } else if (is_name_char(text_[at_])) {
      out.tag = lower(name());
    }
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '.' || c == '#') {
        ++at_;
        const std::string value = name();
        if (value.empty()) return fail(std::string("a name must follow '") + c + "'");
        if (c == '.') out.classes.push_back(value);
        else out.id = value;
      } else if (c == '[') {
        ++at_;
        auto test = attribute();
        if (!test) return std::unexpected(test.error());
        out.attributes.push_back(std::move(*test));
      } else if (text_.substr(at_).starts_with(":not(")) {
        if (inside_not_) return fail(":not() cannot hold another :not()");
        at_ += 5;
        inside_not_ = true;
        auto excluded = exclusions();
        inside_not_ = false;
        if (!excluded) return std::unexpected(excluded.error());
        for (SimpleSelector& one : *excluded) out.exclusions.push_back(std::move(one));
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '>' || (inside_not_ && c == ')')) {
        break;
      } else {
        return std::unexpected(std::string("unexpected '") + c + "' at " + std::to_string(at_ + 1) +
                               " (supported: tag, .class, #id, [attr], [attr=v], [attr*=v], [attr^=v], [attr$=v], "
                               ":not(...), descendants, '>', commas)");
      }
    }
    if (out.tag.empty() && out.id.empty() && out.classes.empty() && out.attributes.empty() && out.exclusions.empty())
      return fail("empty selector");
    return out;
  }

  // The compound selectors of a :not(), up to its ')'.
  std::expected<std::vector<SimpleSelector>, std::string> exclusions() {
    std::vector<SimpleSelector> out;
    while (true) {
      skip_spaces();
      if (at_ >= text_.size()) return fail("unclosed :not(");
      auto compound = simple();
      if (!compound) return std::unexpected(compound.error());
      out.push_back(std::move(*compound));
      skip_spaces();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < text_.size() && text_[at_] == ')') {
        ++at_;
        return out;
      }
      return fail(":not() holds compound selectors only (no combinators); expected ',' or ')'");
    }
  }

  std::expected<AttributeTest, std::string> attribute() {
    AttributeTest test;
    skip_spaces();
    test.name = lower(name());
    if (test.name.empty()) return fail("an attribute name must follow '['");
    skip_spaces();
    if (at_ < text_.size() && text_[at_] == ']') {
      ++at_;
      return test;
    }
    if (at_ + 1 < text_.size() && text_[at_ + 1] == '=') {
      switch (text_[at_]) {
        case '*': test.op = AttributeTest::Op::contains; break;
        case '^': test.op = AttributeTest::Op::prefix; break;
        case '$': test.op = AttributeTest::Op::suffix; break;
        default: return fail(std::string("unsupported attribute operator '") + text_[at_] + "='");
      }
      at_ += 2;
    } else if (at_ < text_.size() && text_[at_] == '=') {
      test.op = AttributeTest::Op::equals;
      ++at_;
    } else {
      return fail("expected ']' or an operator (=, *=, ^=, $=)");
    }
    skip_spaces();
    if (at_ < text_.size() && (text_[at_] == '"' || text_[at_] == '\'')) {
      const char quote = text_[at_++];
      const std::size_t end = text_.find(quote, at_);
      if (end == std::string_view::npos) return fail("unclosed quote");
      test.value = std::string(text_.substr(at_, end - at_));
      at_ = end + 1;
    } else {
      const std::size_t start = at_;
      while (at_ < text_.size() && text_[at_] != ']' && !std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
      test.value = std::string(text_.substr(start, at_ - start));
    }
    skip_spaces();
    if (at_ >= text_.size() || text_[at_] != ']') return fail("expected ']'");
    ++at_;
    return test;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  bool inside_not_ = false;
};

}  // namespace

std::expected<Selector, std::string> parse_selector(std::string_view text) { return SelectorParser(text).parse(); }

}  // namespace sluice::config
