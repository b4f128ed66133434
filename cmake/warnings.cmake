# Warnings live in one INTERFACE target that every flow target links.
add_library(flow_warnings INTERFACE)
target_compile_options(flow_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)

# CI builds with warnings as errors (scripts/test.sh): a new warning fails the build.
option(FLOW_WERROR "Treat compiler warnings as errors" OFF)
if(FLOW_WERROR)
  target_compile_options(flow_warnings INTERFACE -Werror)
endif()
