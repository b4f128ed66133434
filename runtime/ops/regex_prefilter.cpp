// Why the prefilter is sound, checked against RE2 20220601 (the Debian
// libre2 this project links), re2/prefilter.cc, prefilter_tree.cc and
// filtered_re2.cc:
//
// 1. Prefilter::FromRE2 walks the simplified regex and builds an AND/OR
//    formula over literal atoms, or ALL (match anything) / NONE (match
//    nothing). Every literal rune goes through ToLowerRune, so atoms are
//    lower-cased; the formula claims: if the regex matches, the Unicode
//    lower-cased text contains the atoms the formula asks for.
// 2. PrefilterTree::KeepNode prunes it for min_atom_len: an atom shorter than
//    the minimum is dropped; an AND drops its dropped children (a weaker
//    condition, still necessary) and is dropped only when none is left; an OR
//    with any dropped child is dropped whole (it would have to become "match
//    anything"); ALL and NONE are dropped. A dropped top node makes the regex
//    "unfiltered" and contributes no atom, so with our single regex an empty
//    atom list means: no prefilter. The later edge pruning touches AND nodes
//    of the tree only, and we do not evaluate the tree at all.
// 3. So a kept formula has atoms at every leaf, ANDs with at least one child
//    and ORs whose children are all kept: it is monotone and false when no atom
//    occurs. Hence "no atom occurs in the lower-cased text" implies "the regex
//    does not match". We check only that weaker, cheaper disjunction: any atom
//    found means "may match".
// 4. Lower-casing: for ASCII, ToLowerRune is plain A-Z -> a-z, so on a pure
//    ASCII text an ASCII-case-insensitive search is exactly the search in the
//    lower-cased text. But Unicode lower-casing maps some non-ASCII runes to
//    ASCII (U+212A KELVIN SIGN -> 'k', U+017F LONG S -> 's'): `(?i)kelvin`
//    yields the atom "kelvin" yet matches "\u212AELVIN", whose bytes do not
//    contain it. So a text with any byte >= 0x80 always "may match". Atoms
//    with non-ASCII bytes make the prefilter inactive, as a further guard.
#include "runtime/ops/regex_prefilter.hpp"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace flow::ops {
namespace {

bool is_ascii_letter(std::uint8_t byte) {
  return (byte | 0x20) >= 'a' && (byte | 0x20) <= 'z';
}

std::uint8_t ascii_lower(std::uint8_t byte) {
  return byte >= 'A' && byte <= 'Z' ? byte | 0x20 : byte;
}

/// For a lower-case atom byte: the bit to OR into a text byte so that both
/// cases of a letter compare equal to it. Only letters fold: `byte | 0x20`
/// equals a lower-case letter exactly when `byte` is that letter in either
/// case, while for other bytes it would merge unrelated ones ('@' and '`').
std::uint8_t fold_bit_for(std::uint8_t atom_byte) {
  return is_ascii_letter(atom_byte) ? 0x20 : 0;
}

bool is_pure_ascii(std::string_view bytes) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::uint64_t seen = 0;
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, 8);
    seen |= word;
  }
  for (; i < bytes.size(); ++i) seen |= static_cast<std::uint8_t>(bytes[i]);
  return (seen & kHighBits) == 0;
}

/// Whether `text` at `at` spells `lower_atom`, ASCII letters in either case.
bool equals_ignoring_ascii_case(const char* at, std::string_view lower_atom) {
  for (std::size_t k = 0; k < lower_atom.size(); ++k) {
    if (ascii_lower(static_cast<std::uint8_t>(at[k])) != static_cast<std::uint8_t>(lower_atom[k]))
      return false;
  }
  return true;
}

/// The atoms every match of `pattern` needs one of, as RE2 derives them; empty
/// when the pattern does not compile or RE2 finds no such atoms.
std::vector<std::string> required_atoms(const std::string& pattern, int min_atom_length) {
  re2::FilteredRE2 filter(min_atom_length);
  int id = 0;
  // Same options as the grep operator's regex: the atoms must describe it.
  if (filter.Add(pattern, RE2::Quiet, &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  return atoms;
}

bool usable(const std::vector<std::string>& atoms) {
  return std::all_of(atoms.begin(), atoms.end(),
                     [](const std::string& atom) { return !atom.empty() && is_pure_ascii(atom); });
}

}  // namespace

RegexPrefilter::RegexPrefilter(const std::string& pattern, int min_atom_length) {
  auto atoms = required_atoms(pattern, min_atom_length);
  if (atoms.empty() || !usable(atoms)) return;
  atoms_ = std::move(atoms);
  finders_.reserve(atoms_.size());
  for (const auto& atom : atoms_) finders_.emplace_back(atom);
}

bool RegexPrefilter::may_match(std::string_view text) const {
  if (finders_.empty()) return true;
  for (const auto& finder : finders_) {
    if (finder.found_in(text)) return true;
  }
  // Checked last: lines without an atom are the common case worth speeding
  // up, and a line with one never needs this scan.
  return !is_pure_ascii(text);
}

bool RegexPrefilter::contains_ignoring_ascii_case(std::string_view text, std::string_view atom) {
  return atom.empty() || AtomFinder(atom).found_in(text);
}

RegexPrefilter::AtomFinder::AtomFinder(std::string_view any_case_atom) : atom(any_case_atom) {
  // RE2's atoms are lower-case already; lowering again keeps the byte
  // comparisons below right for any caller.
  for (auto& c : atom) c = static_cast<char>(ascii_lower(static_cast<std::uint8_t>(c)));
  first = static_cast<std::uint8_t>(atom.front());
  last = static_cast<std::uint8_t>(atom.back());
  first_fold = fold_bit_for(first);
  last_fold = fold_bit_for(last);
}

bool RegexPrefilter::AtomFinder::found_in(std::string_view text) const {
  const std::size_t length = atom.size();
  if (length > text.size()) return false;
  const char* data = text.data();
  const std::size_t last_start = text.size() - length;  // last offset where the atom fits
  std::size_t start = 0;
#if defined(__SSE2__)
  // Compares 16 candidate offsets at once on their first and last byte (the
  // pair rarely matches by chance, so few candidates need the full compare).
  // The blocks read bytes [start, start + 16) and [start + length - 1,
  // start + length + 15): both end within the text while start + 15 <= last_start.
  const __m128i first_byte = _mm_set1_epi8(static_cast<char>(first));
  const __m128i last_byte = _mm_set1_epi8(static_cast<char>(last));
  const __m128i first_fold_bits = _mm_set1_epi8(static_cast<char>(first_fold));
  const __m128i last_fold_bits = _mm_set1_epi8(static_cast<char>(last_fold));
  auto candidates_at = [&](std::size_t block) {
    const auto* at = reinterpret_cast<const __m128i*>(data + block);
    const auto* at_last = reinterpret_cast<const __m128i*>(data + block + length - 1);
    __m128i first_hits = _mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128(at), first_fold_bits), first_byte);
    __m128i last_hits = _mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128(at_last), last_fold_bits), last_byte);
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(first_hits, last_hits)));
  };
  auto verified_in = [&](std::size_t block, unsigned candidates) {
    for (; candidates != 0; candidates &= candidates - 1) {
      if (equals_ignoring_ascii_case(data + block + static_cast<unsigned>(__builtin_ctz(candidates)), atom)) {
        return true;
      }
    }
    return false;
  };
  if (last_start >= 15) {
    for (; start + 15 <= last_start; start += 16) {
      if (verified_in(start, candidates_at(start))) return true;
    }
    if (start > last_start) return false;
    // The remaining offsets (fewer than 16): one block ending at last_start,
    // overlapping the offsets already checked, which are masked out.
    const std::size_t block = last_start - 15;
    const unsigned unchecked = 0xFFFFu << (start - block);
    return verified_in(block, candidates_at(block) & unchecked);
  }
#endif
  // Texts too short for one block (or no SSE2): offset by offset.
  for (; start <= last_start; ++start) {
    const auto byte = static_cast<std::uint8_t>(data[start]);
    if ((byte | first_fold) == first && equals_ignoring_ascii_case(data + start, atom)) return true;
  }
  return false;
}

}  // namespace flow::ops
