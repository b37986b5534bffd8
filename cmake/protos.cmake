# Compiles every .proto under protos/ (plus google/api's http annotations) into one library,
# aftersales_protos, and writes the list of API files for the gateway to route from.

set(GOOGLEAPIS_DIR /usr/share/gocode/src/github.com/gogo/googleapis
    CACHE PATH "Folder holding google/api/annotations.proto (Debian golang-github-gogo-googleapis-dev)")
if(NOT EXISTS ${GOOGLEAPIS_DIR}/google/api/annotations.proto)
  message(FATAL_ERROR "google/api/annotations.proto not found under ${GOOGLEAPIS_DIR}: "
                      "apt-get install golang-github-gogo-googleapis-dev")
endif()

set(PROTO_SRC_DIR ${CMAKE_SOURCE_DIR}/protos)
set(PROTO_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${PROTO_GEN_DIR})
get_target_property(GRPC_CPP_PLUGIN gRPC::grpc_cpp_plugin LOCATION)

file(GLOB_RECURSE AFTERSALES_PROTOS CONFIGURE_DEPENDS RELATIVE ${PROTO_SRC_DIR}
     ${PROTO_SRC_DIR}/*.proto)
list(SORT AFTERSALES_PROTOS)

set(proto_sources)
# google/api/*.proto come from the Debian package; only messages, no services.
foreach(rel google/api/http.proto google/api/annotations.proto)
  string(REGEX REPLACE "\\.proto$" "" stem ${rel})
  add_custom_command(
    OUTPUT ${PROTO_GEN_DIR}/${stem}.pb.cc ${PROTO_GEN_DIR}/${stem}.pb.h
    COMMAND protobuf::protoc --cpp_out=${PROTO_GEN_DIR} -I${GOOGLEAPIS_DIR} -I/usr/include
            ${GOOGLEAPIS_DIR}/${rel}
    DEPENDS ${GOOGLEAPIS_DIR}/${rel}
    COMMENT "protoc ${rel}")
  list(APPEND proto_sources ${PROTO_GEN_DIR}/${stem}.pb.cc)
endforeach()

set(api_files_cc "")
foreach(rel ${AFTERSALES_PROTOS})
  string(REGEX REPLACE "\\.proto$" "" stem ${rel})
  add_custom_command(
    OUTPUT ${PROTO_GEN_DIR}/${stem}.pb.cc ${PROTO_GEN_DIR}/${stem}.pb.h
           ${PROTO_GEN_DIR}/${stem}.grpc.pb.cc ${PROTO_GEN_DIR}/${stem}.grpc.pb.h
    COMMAND protobuf::protoc --cpp_out=${PROTO_GEN_DIR} --grpc_out=${PROTO_GEN_DIR}
            --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}
            -I${PROTO_SRC_DIR} -I${GOOGLEAPIS_DIR} -I/usr/include ${PROTO_SRC_DIR}/${rel}
    DEPENDS ${PROTO_SRC_DIR}/${rel} ${GRPC_CPP_PLUGIN}
    COMMENT "protoc ${rel}")
  list(APPEND proto_sources ${PROTO_GEN_DIR}/${stem}.pb.cc ${PROTO_GEN_DIR}/${stem}.grpc.pb.cc)
  string(APPEND api_files_cc "    \"${rel}\",\n")
endforeach()

# The gateway looks these files up in the generated descriptor pool and routes every annotated
# RPC it finds, so a new service's protos become routes without gateway code.
file(WRITE ${PROTO_GEN_DIR}/aftersales_api_files.cc.in
"#include <string_view>\n#include <vector>\nnamespace aftersales {\n\
const std::vector<std::string_view>& ApiProtoFiles() {\n\
  static const std::vector<std::string_view> files = {\n${api_files_cc}  };\n  return files;\n}\n}\n")
configure_file(${PROTO_GEN_DIR}/aftersales_api_files.cc.in ${PROTO_GEN_DIR}/aftersales_api_files.cc
               COPYONLY)

add_library(aftersales_protos STATIC ${proto_sources} ${PROTO_GEN_DIR}/aftersales_api_files.cc)
target_include_directories(aftersales_protos SYSTEM PUBLIC ${PROTO_GEN_DIR})
target_link_libraries(aftersales_protos PUBLIC protobuf::libprotobuf gRPC::grpc++)
