# The library, flow::flow: one shared library holding every layer (the
# OBJECT libraries of grammar/ and runtime/). Shared, so that a plugin loaded
# by `flow --plugin` and the program that loads it use one copy of the
# registry, the clock and the types. Its interface is include/flow/ alone;
# in this tree it also exposes the source tree, for the tests and the CLI.
set(FLOW_LAYERS flow_model flow_grammar flow_ops flow_ingest flow_calls flow_fields flow_check flow_exec flow_output flow_tune flow_cut)

# The layers are built for a shared library, but calls among them need not go
# through the PLT: nothing outside may interpose on flow's own functions.
foreach(layer ${FLOW_LAYERS})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${layer} PRIVATE -fno-semantic-interposition)
  endif()
endforeach()

add_library(flow_library SHARED)
target_link_libraries(flow_library PRIVATE ${FLOW_LAYERS})
target_include_directories(flow_library PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(flow_library PUBLIC cxx_std_20)
set_target_properties(flow_library PROPERTIES
  OUTPUT_NAME flow
  EXPORT_NAME flow
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
add_library(flow::flow ALIAS flow_library)

# What the command line and the tests link: the library, with the internal
# headers and the libraries they include.
add_library(flow_core INTERFACE)
target_link_libraries(flow_core INTERFACE flow_library fmt::fmt)
