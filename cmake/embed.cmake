# sm_embed(target NAMESPACE ns FILES_GLOBS glob...)
#
# Builds a static library holding the named files as string constants, looked up at run time
# by their path relative to the source tree (for example "sql/queries/accounts.sql").
function(sm_embed target)
  cmake_parse_arguments(ARG "" "NAMESPACE" "FILES_GLOBS" ${ARGN})
  set(files "")
  foreach(glob IN LISTS ARG_FILES_GLOBS)
    file(GLOB matched CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/${glob})
    list(APPEND files ${matched})
  endforeach()
  list(SORT files)

  set(out ${CMAKE_BINARY_DIR}/generated/${target}.cpp)
  set(inputs "")
  foreach(f IN LISTS files)
    list(APPEND inputs ${CMAKE_SOURCE_DIR}/${f})
  endforeach()
  # A CMake list cannot cross the shell intact, so the script gets the paths joined by '|'.
  string(REPLACE ";" "|" joined "${files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ARG_NAMESPACE} -DROOT=${CMAKE_SOURCE_DIR}
            "-DFILES=${joined}" -P ${CMAKE_SOURCE_DIR}/cmake/embed_generate.cmake
    DEPENDS ${inputs} ${CMAKE_SOURCE_DIR}/cmake/embed_generate.cmake
    COMMENT "Embedding ${target}"
    VERBATIM)
  add_library(${target} STATIC ${out})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/src)
endfunction()
