# trialmatch_embed_files(OUTPUT out.cpp BASE dir FILES f1 f2 ...)
# Generates a C++ source defining trialmatch::embedded_files(): each file's
# path relative to BASE and its bytes. Regenerated whenever a file changes.
function(trialmatch_embed_files)
  cmake_parse_arguments(EMB "" "OUTPUT;BASE" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${EMB_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${EMB_OUTPUT} -DBASE=${EMB_BASE}
            "-DFILES=${EMB_FILES}" -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/embed_files_script.cmake
    DEPENDS ${EMB_FILES} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/embed_files_script.cmake
    COMMENT "Embedding bundled rules"
    VERBATIM)
endfunction()
