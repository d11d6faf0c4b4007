# Every dependency is a Debian 12 package; scripts/setup installs them.
find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

# mbedTLS 2.28 (libmbedtls-dev) ships no CMake package: find it by hand.
find_path(MBEDTLS_INCLUDE_DIR mbedtls/ccm.h REQUIRED)
find_library(MBEDCRYPTO_LIBRARY mbedcrypto REQUIRED)
add_library(mbedcrypto_dep INTERFACE)
target_include_directories(mbedcrypto_dep SYSTEM INTERFACE ${MBEDTLS_INCLUDE_DIR})
target_link_libraries(mbedcrypto_dep INTERFACE ${MBEDCRYPTO_LIBRARY})

if(LPM_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(LPM_BUILD_BENCH AND NOT LPM_BUILD_FUZZ)
  find_package(benchmark REQUIRED)
endif()
