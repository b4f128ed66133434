#!/usr/bin/env bash
# flow added to an outside project with add_subdirectory (issue 12, item 2):
# it leaves the build type and the tests to the parent, and its target gives
# the parent C++20. Configures only (building the library again takes minutes)
# and reads what CMake generated.
# Usage: subproject_test.sh SOURCE_DIR
set -euo pipefail
source=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "subproject_test: $*" >&2; exit 1; }

mkdir "$work/app"
cp "$source/examples/embed/main.cpp" "$work/app/"
cat > "$work/app/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(app LANGUAGES CXX)
add_subdirectory("$source" flow)
add_executable(app main.cpp)
target_link_libraries(app PRIVATE flow::flow)
CMAKE
cmake -S "$work/app" -B "$work/build" -G Ninja > "$work/configure.log" || { cat "$work/configure.log"; fail "does not configure"; }

build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$work/build/CMakeCache.txt")
[ -z "$build_type" ] || fail "flow forced the parent's build type to '$build_type'"
grep -q 'exec_tests' "$work/build/build.ninja" && fail "flow's tests are built in the parent"
# C++20 comes from flow::flow's compile features, not from a cache variable.
grep -q '^CMAKE_CXX_STANDARD' "$work/build/CMakeCache.txt" && fail "flow set CMAKE_CXX_STANDARD in the cache"
awk '/^build CMakeFiles\/app.dir\/main.cpp.o/{found=1} found && /FLAGS/{print; exit}' "$work/build/build.ninja" |
  grep -q -- '-std=c++20\|-std=gnu++20' || fail "app is not compiled as C++20"
echo "subproject_test: ok"
