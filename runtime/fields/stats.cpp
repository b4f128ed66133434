// What aggregate() keeps per field, key and window (stats.hpp).
#include "runtime/fields/stats.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/fields/expr_program.hpp"

namespace flow::fields {
namespace {

const double kGamma = (1 + Sketch::kAccuracy) / (1 - Sketch::kAccuracy);
const double kLogGamma = std::log(kGamma);
constexpr double kZero = 1e-9;

int bucket_of(double magnitude) {
  return static_cast<int>(std::ceil(std::log(magnitude) / kLogGamma));
}

/// The estimate of bucket `index`: within kAccuracy of every value in it.
double estimate(int index) {
  return 2 * std::pow(kGamma, index) / (kGamma + 1);
}

}  // namespace

// One rule for text that reads as a number, the expressions' (blanks around
// it and a leading '+' allowed); nan and inf are no numbers, whether text or
// a decimal a field already holds: they would poison the sum, min and max,
// and the sketch's bucket index.
std::optional<FieldView> numeric(const FieldView& value) {
  if (const auto* decimal = std::get_if<double>(&value)) {
    if (!std::isfinite(*decimal)) return std::nullopt;
    return value;
  }
  const auto* text = std::get_if<std::string_view>(&value);
  if (text == nullptr) return value;
  auto number = expr::number_from_text(*text);
  if (number.kind == expr::Val::Kind::Int) return FieldView(number.integer);
  if (number.kind == expr::Val::Kind::Dec) return FieldView(number.decimal);
  return std::nullopt;
}

void Sketch::add(double value) {
  if (!std::isfinite(value)) return;  // its bucket index would be a NaN or inf cast to int
  ++count_;
  if (std::fabs(value) < kZero) {
    ++zeros_;
  } else if (value > 0) {
    ++positive_[bucket_of(value)];
  } else {
    ++negative_[bucket_of(-value)];
  }
}

double Sketch::percentile(int percent) const {
  if (count_ == 0) return 0;
  // Nearest rank, in integers: no rounding of percent / 100 * n.
  std::uint64_t rank = std::max<std::uint64_t>(1, (static_cast<std::uint64_t>(percent) * count_ + 99) / 100);
  std::uint64_t seen = 0;
  // From the most negative (the largest magnitude) up through zero to the largest.
  for (auto bucket = negative_.rbegin(); bucket != negative_.rend(); ++bucket) {
    if ((seen += bucket->second) >= rank) return -estimate(bucket->first);
  }
  if ((seen += zeros_) >= rank) return 0;
  for (const auto& [index, count] : positive_) {
    if ((seen += count) >= rank) return estimate(index);
  }
  return positive_.empty() ? 0 : estimate(positive_.rbegin()->first);
}

void FieldStats::add(const FieldView& value) {
  auto number = numeric(value);
  if (!number) return;
  const auto* integer = std::get_if<std::int64_t>(&*number);
  double decimal = integer != nullptr ? static_cast<double>(*integer) : std::get<double>(*number);
  if (count_ == 0) {
    min_ = max_ = decimal;
    if (integer != nullptr) integer_min_ = integer_max_ = *integer;
  }
  ++count_;
  sum_ += decimal;
  min_ = std::min(min_, decimal);
  max_ = std::max(max_, decimal);
  if (integer == nullptr || __builtin_add_overflow(integer_sum_, *integer, &integer_sum_)) {
    integers_ = false;
  } else {
    integer_min_ = std::min(integer_min_, *integer);
    integer_max_ = std::max(integer_max_, *integer);
  }
  if (sketch_) sketch_->add(decimal);
}

FieldView FieldStats::sum() const {
  return integers_ ? FieldView(integer_sum_) : FieldView(sum_);
}
FieldView FieldStats::min() const {
  return integers_ ? FieldView(integer_min_) : FieldView(min_);
}
FieldView FieldStats::max() const {
  return integers_ ? FieldView(integer_max_) : FieldView(max_);
}

}  // namespace flow::fields
