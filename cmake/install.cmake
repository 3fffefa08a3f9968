# Installs what an integrator links: include/ringlm.h, libringlm (.a or .so), the CMake package
# lib/cmake/ringlm (find_package(ringlm) -> ringlm::ringlm) and lib/pkgconfig/ringlm.pc.
include(CMakePackageConfigHelpers)

install(FILES ${PROJECT_SOURCE_DIR}/include/ringlm.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ringlm EXPORT ringlmTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT ringlmTargets NAMESPACE ringlm:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ringlm)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ringlmConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ringlmConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ringlm)
# 0.x: a new minor version may change the ABI, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ringlmConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ringlmConfig.cmake ${PROJECT_BINARY_DIR}/ringlmConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ringlm)

# pkg-config: Libs for a shared link, Libs.private the rest of a static one.
set(ringlm_pc_private "-l${RINGLM_CXX_RUNTIME} -lm")
if(NOT RINGLM_SINGLE_THREADED)
  string(APPEND ringlm_pc_private " -lpthread")
endif()
if(RINGLM_BLAS)
  string(APPEND ringlm_pc_private " -lopenblas")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/ringlm.pc.in ${PROJECT_BINARY_DIR}/ringlm.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ringlm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
