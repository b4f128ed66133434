#pragma once
// Replacing bytes of a text in several places at once, for rewriting a .flow
// file without touching what lies between the places.
#include <cstddef>
#include <string>
#include <vector>

#include "grammar/syntax_tree.hpp"

namespace flow::tune {

/// Bytes [begin, end) of the original text become `text` (begin == end inserts).
struct Edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

/// Applies edits that do not overlap, each at its place in the original text.
std::string apply_edits(const std::string& text, std::vector<Edit> edits);

/// The edit that makes a statement say `key=value`: the value of its `key`
/// attribute replaced where it stands, else the attribute added at the end of
/// its `[...]`, else ` [key=value]` inserted at `body_end` (where the
/// statement's last token before any attributes ends).
Edit set_attribute(const std::vector<syntax::Attribute>& attributes, const std::optional<syntax::Span>& list,
                   std::size_t body_end, const std::string& key, const std::string& value);

/// The text of one attribute as written, `key = value`.
std::string attribute_text(const std::string& text, const syntax::Attribute& attribute);

}  // namespace flow::tune
