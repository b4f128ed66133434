# `cmake --install`: the `flow` binary and its man page, the library, the
# public headers and the CMake package (find_package(flow) → flow::flow).
include(CMakePackageConfigHelpers)

set_target_properties(flow PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
install(TARGETS flow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS flow_library EXPORT flowTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/flow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/flow/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/flow)
install(FILES docs/flow.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(FLOW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/flow)
install(EXPORT flowTargets NAMESPACE flow:: DESTINATION ${FLOW_CMAKE_DIR})
configure_package_config_file(cmake/flowConfig.cmake.in ${PROJECT_BINARY_DIR}/flowConfig.cmake
  INSTALL_DESTINATION ${FLOW_CMAKE_DIR})
# 0.x: a minor version may change the API, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/flowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/flowConfig.cmake ${PROJECT_BINARY_DIR}/flowConfigVersion.cmake
  DESTINATION ${FLOW_CMAKE_DIR})
