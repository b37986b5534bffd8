# aftersales_embed_migrations(TARGET DIR NAMESPACE): compiles DIR/*.sql into the target so a
# service carries its schema with it (no files to ship beside the binary). File names are
# NNNN_description.sql; NNNN is the version.
function(aftersales_embed_migrations target dir ns)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  set(entries "")
  foreach(f ${sql_files})
    get_filename_component(name ${f} NAME)
    if(NOT name MATCHES "^([0-9]+)_.*\\.sql$")
      message(FATAL_ERROR "migration ${name}: name it NNNN_description.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    file(READ ${f} sql)
    string(APPEND entries "    {${version}, \"${name}\", R\"aftersales_sql(${sql})aftersales_sql\"},\n")
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  # WRITE then COPYONLY: the SQL is copied verbatim (no ${} or @@ expansion) and the file is only
  # touched when it changed, so an unchanged schema does not rebuild the service.
  file(WRITE ${out}.in
"#include \"common/migrations.h\"\nnamespace ${ns} {\n\
const std::vector<aftersales::Migration>& Migrations() {\n\
  static const std::vector<aftersales::Migration> all = {\n${entries}  };\n  return all;\n}\n}\n")
  configure_file(${out}.in ${out} COPYONLY)
  target_sources(${target} PRIVATE ${out})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${sql_files})
endfunction()
