# Warnings live in one INTERFACE target that every flow target links.
add_library(flow_warnings INTERFACE)
target_compile_options(flow_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
