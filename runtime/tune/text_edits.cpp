#include "runtime/tune/text_edits.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace flow::tune {

std::string apply_edits(const std::string& text, std::vector<Edit> edits) {
  // From the end back, so that each edit's offsets still point into the original.
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  std::string out = text;
  for (const auto& edit : edits) out.replace(edit.begin, edit.end - edit.begin, edit.text);
  return out;
}

namespace {

std::size_t end_of(const syntax::Attribute& attribute) {
  return attribute.value.location.offset + attribute.value.width;
}

}  // namespace

Edit set_attribute(const std::vector<syntax::Attribute>& attributes, const std::optional<syntax::Span>& list,
                   std::size_t body_end, const std::string& key, const std::string& value) {
  // The last one written is the one that counts.
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
    if (it->key.text == key) return {it->value.location.offset, end_of(*it), value};
  }
  auto attribute = fmt::format("{}={}", key, value);
  // After the last attribute, not before `]`: a trailing comma or a comment may sit there.
  if (!attributes.empty()) return {end_of(attributes.back()), end_of(attributes.back()), ", " + attribute};
  if (list) return {list->begin + 1, list->begin + 1, attribute};
  return {body_end, body_end, fmt::format(" [{}]", attribute)};
}

std::string attribute_text(const std::string& text, const syntax::Attribute& attribute) {
  auto begin = attribute.key.location.offset;
  return text.substr(begin, end_of(attribute) - begin);
}

}  // namespace flow::tune
