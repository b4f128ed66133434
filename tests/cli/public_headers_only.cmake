# The command line is an ordinary user of the library (docs/library.md): it
# includes the public headers (flow/...) and its own (cli/...), never an
# internal header of grammar/ or runtime/. Run by CTest as
#   cmake -DCLI_DIR=<source>/cli -P public_headers_only.cmake
# and fails, naming each, when a file of cli/ includes one.
if(NOT IS_DIRECTORY "${CLI_DIR}")
  message(FATAL_ERROR "CLI_DIR '${CLI_DIR}' is not a directory")
endif()
file(GLOB_RECURSE sources "${CLI_DIR}/*.cpp" "${CLI_DIR}/*.hpp")
set(found "")
foreach(source ${sources})
  file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](grammar|runtime)/")
  foreach(line ${includes})
    list(APPEND found "${source}: ${line}")
  endforeach()
endforeach()
if(found)
  list(JOIN found "\n" report)
  message(FATAL_ERROR "cli/ includes internal headers; use the public ones (include/flow/):\n${report}")
endif()
list(LENGTH sources count)
message(STATUS "cli/: ${count} files, public headers only")
