#pragma once
// The operator registry: name, role, typed arguments and factory of every
// operator. Built-ins register through the same `add` a user's operator would.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flow/fields.hpp"
#include "flow/model.hpp"
#include "flow/operator.hpp"
#include "flow/planning.hpp"
#include "flow/value.hpp"

namespace flow {

struct KnownFields;

enum class Role { Source, Stage, Sink };
const char* to_string(Role role);  ///< "source", "stage", "sink"

struct ArgumentSpec {
  std::string name;
  ValueKind kind;         ///< an Integer is also accepted where a Decimal is due
  bool required = false;  ///< must be given
  std::optional<Value>
      fallback;  ///< filled in when not given; nullopt and not required: left out of OperatorCall::args
  bool positional = false;  ///< may be given without `name=` (in declaration order)
  bool random = false;      ///< a Duration that may also be a Distribution (`exponential(10ms)`)
  /// The last positional argument only, never required: it takes every
  /// further positional value (`exec("sed", "-u", "s/a/b/")`), each stored
  /// in OperatorCall::args under variadic_key(name, 1), (name, 2), ...; it
  /// cannot be given by name.
  bool variadic = false;
  /// An Expression that must give a condition, such as `status >= 500` (where, route).
  bool condition = false;
  /// A String that may also be written as a bare word, taken as its text:
  /// `parse(nginx_combined)` as `parse("nginx_combined")`, `drop(status)`.
  bool word = false;
};

/// The key of the `index`-th value (from 1) of variadic argument `name`: "args.1".
inline std::string variadic_key(const std::string& name, std::size_t index) {
  return name + "." + std::to_string(index);
}

/// The values given to variadic argument `name`, in the order written.
inline std::vector<Value> variadic_values(const OperatorCall& call, const std::string& name) {
  std::vector<Value> values;
  for (auto found = call.args.find(variadic_key(name, 1)); found != call.args.end();
       found = call.args.find(variadic_key(name, values.size() + 1)))
    values.push_back(found->second);
  return values;
}

/// A field a call reads by name outside its expressions (count's `by=status`,
/// a format template's `{status}`), for the checker: the name, the key of
/// the argument that names it, and the byte of that argument's text (the
/// word, or the string's decoded bytes) where the name starts.
struct FieldRead {
  std::string name;
  std::string argument;
  std::size_t offset = 0;
};

struct OperatorSpec {
  std::string name;
  Role role = Role::Stage;
  std::vector<ArgumentSpec> args;
  std::string summary;  ///< one line, for --help and docs
  /// Exactly one of these is set: make_source for Role::Source, make for the others.
  std::function<std::unique_ptr<SourceOperator>(const OperatorCall&)> make_source;
  std::function<std::unique_ptr<Operator>(const OperatorCall&)> make;
  /// Set for a stage operator that may also end a sink (exec, http): made by
  /// this one there, where what it leaves in its chunk counts as delivered.
  std::function<std::unique_ptr<Operator>(const OperatorCall&)> make_sink;
  /// Optional extra check on resolved arguments (e.g. a regex that must compile,
  /// `count >= 0`). Returns "" when fine, else the message; `argument` names the
  /// offending argument for the caret, or `name@N` for byte N of a string
  /// argument (a template's unclosed brace): the caret then points there.
  std::function<std::string(const OperatorCall&, std::string& argument)> validate;
  /// What `flow plan` and the checks know of a call (planning.hpp): its time
  /// per message, rate, batching, what it holds back, what it reads and
  /// writes outside the pipeline. Unset: nothing; the planner then takes it
  /// as free, keeping payload sizes, and lets each worker hold a message in hand.
  std::function<OperatorPlan(const OperatorCall&)> plan;
  /// What the call does to a message's fields (flow/fields.hpp), for the
  /// checks of expressions downstream. Unset: it leaves them as they are.
  std::function<FieldChange(const OperatorCall&)> fields;
  /// As `fields`, for a call whose change depends on the fields that come in
  /// (set()'s field takes its expression's type there). Set this or `fields`.
  std::function<FieldChange(const OperatorCall&, const KnownFields&)> fields_given;
  /// The fields the call reads by name outside expressions: where the checker
  /// knows every field, a name that cannot be there is an error under the
  /// name. Unset: it reads none.
  std::function<std::vector<FieldRead>(const OperatorCall&)> reads;
  /// Takes arguments of any name, each an Expression (set(ms = duration * 1000)).
  bool open_names = false;
  /// Set for an operator whose labeled expressions (`errors: status >= 500`)
  /// name its node's outputs (route): it must end its node's chain, and its
  /// edges leave from `node.label` (docs/routing.md).
  bool routes = false;
};

class OperatorRegistry {
 public:
  /// Registers an operator; a second one with the same name replaces the first.
  void add(OperatorSpec spec);
  const OperatorSpec* find(const std::string& name) const;
  std::vector<std::string> names() const;
  /// What the call's operator tells the planner; nullopt when it is not
  /// registered here or declares no plan (or its plan cannot read the call).
  std::optional<OperatorPlan> plan(const OperatorCall& call) const;

 private:
  std::map<std::string, OperatorSpec> specs_;
};

/// A registry holding every built-in operator of language version 0.
const OperatorRegistry& builtin_operators();

/// Registers the built-ins into `registry` (what builtin_operators() does once).
void register_builtin_operators(OperatorRegistry& registry);

}  // namespace flow
