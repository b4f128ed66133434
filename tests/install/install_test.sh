#!/usr/bin/env bash
# flow as an installed package (issue 12, items 2 and 3): `cmake --install`
# into a fresh prefix, then two outside projects that know only that prefix:
# examples/embed (find_package(flow), its own operator, a pipeline from a
# string) and examples/plugin (an operator library the installed `flow` loads).
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > "$work/install.log"

# What is installed: the binary, the library, the public headers alone, the package, the man page.
[ -x "$prefix/bin/flow" ] || fail "no bin/flow"
ls "$prefix"/lib*/libflow.so* > /dev/null || fail "no libflow.so"
[ -f "$prefix/include/flow/flow.hpp" ] || fail "no include/flow/flow.hpp"
[ -f "$prefix/include/flow/version.hpp" ] || fail "no include/flow/version.hpp"
find "$prefix/include" -mindepth 2 -type d | grep -q . && fail "internal header directories installed: $(find "$prefix/include" -mindepth 2 -type d)"
# Every public header of the tree (and the generated version.hpp), and no other file.
expected=$( (cd "$source/include/flow" && ls -- *.hpp && echo version.hpp) | sort)
installed=$(cd "$prefix/include/flow" && ls | sort)
[ "$installed" = "$expected" ] ||
  fail "include/flow/ installed is not the tree's public headers: $(diff <(echo "$expected") <(echo "$installed") | grep '^[<>]' | tr '\n' ' ')"
ls "$prefix"/lib*/cmake/flow/flowConfig.cmake > /dev/null || fail "no flowConfig.cmake"
ls "$prefix"/lib*/cmake/flow/flowConfigVersion.cmake > /dev/null || fail "no flowConfigVersion.cmake"
[ -f "$prefix/share/man/man1/flow.1" ] || fail "no man page"

# The installed binary runs on its own library, found through its RPATH.
"$prefix/bin/flow" run "$source/examples/end_to_end.flow" --clock virtual -q || fail "the installed flow does not run"

# An outside program: find_package(flow), flow::flow, #include <flow/flow.hpp>, flow::run.
cmake -S "$source/examples/embed" -B "$work/embed" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > "$work/embed.log" ||
  { cat "$work/embed.log"; fail "examples/embed does not configure"; }
cmake --build "$work/embed" > "$work/embed-build.log" || { cat "$work/embed-build.log"; fail "examples/embed does not build"; }
out=$(printf 'Hello\nflow\n' | "$work/embed/embed")
[ "$out" = $'Uryyb\nsybj' ] || fail "examples/embed printed '$out', not the lines in rot13"

# An outside plugin, loaded by the installed flow from a .flow file.
cmake -S "$source/examples/plugin" -B "$work/plugin" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > "$work/plugin.log" ||
  { cat "$work/plugin.log"; fail "examples/plugin does not configure"; }
cmake --build "$work/plugin" > "$work/plugin-build.log" || { cat "$work/plugin-build.log"; fail "examples/plugin does not build"; }
out=$(printf 'abc\n\nxy\n' | "$prefix/bin/flow" run "$source/examples/plugin/reverse.flow" \
        --plugin "$work/plugin/libflow_reverse.so" -q)
[ "$out" = $'cba\nyx' ] || fail "the plugin printed '$out', not the lines reversed"
echo "install_test: ok"
