# The toolkit folder MLIR's ROCDL serializer reads: llvm/bin/ld.lld links
# the HSACO and amdgcn/bitcode holds the ROCm device libraries. Debian puts
# the pieces in separate places, so the folder is assembled here from
# links, plus the ISA-version libraries for chips newer than Debian's
# rocm-device-libs (each only defines __oclc_ISA_version).

set(HETC_ROCM_TOOLKIT_DIR "${CMAKE_BINARY_DIR}/rocm-toolkit")
set(HETC_ROCM_DEVICE_LIBS_DIR "/usr/lib/x86_64-linux-gnu/amdgcn/bitcode"
  CACHE PATH "The ROCm device libraries (Debian: rocm-device-libs)")
set(bitcode_dir "${HETC_ROCM_TOOLKIT_DIR}/amdgcn/bitcode")
file(MAKE_DIRECTORY "${HETC_ROCM_TOOLKIT_DIR}/llvm/bin" "${bitcode_dir}")
file(CREATE_LINK "${LLVM_TOOLS_BINARY_DIR}/ld.lld"
  "${HETC_ROCM_TOOLKIT_DIR}/llvm/bin/ld.lld" SYMBOLIC)

file(GLOB device_libs "${HETC_ROCM_DEVICE_LIBS_DIR}/*.bc")
if(NOT device_libs)
  message(STATUS "hetc: no ROCm device libraries in "
    "${HETC_ROCM_DEVICE_LIBS_DIR}; the rocm target will say so "
    "(install rocm-device-libs and reconfigure)")
endif()
foreach(lib IN LISTS device_libs)
  get_filename_component(name "${lib}" NAME)
  file(CREATE_LINK "${lib}" "${bitcode_dir}/${name}" SYMBOLIC)
endforeach()

set(generated_isa_libs)
foreach(chip_version 942:9402 1100:11000)
  string(REPLACE ":" ";" pair "${chip_version}")
  list(GET pair 0 chip)
  list(GET pair 1 version)
  set(bc "${bitcode_dir}/oclc_isa_version_${chip}.bc")
  if(device_libs AND NOT EXISTS "${HETC_ROCM_DEVICE_LIBS_DIR}/oclc_isa_version_${chip}.bc")
    set(ll "${CMAKE_CURRENT_BINARY_DIR}/oclc_isa_version_${chip}.ll")
    file(WRITE "${ll}"
      "target triple = \"amdgcn-amd-amdhsa\"\n"
      "@__oclc_ISA_version = linkonce_odr protected local_unnamed_addr "
      "addrspace(4) constant i32 ${version}, align 4\n")
    add_custom_command(OUTPUT "${bc}"
      COMMAND "${LLVM_TOOLS_BINARY_DIR}/llvm-as" "${ll}" -o "${bc}"
      DEPENDS "${ll}"
      COMMENT "Assembling the ROCm ISA-version library for gfx${chip}")
    list(APPEND generated_isa_libs "${bc}")
  endif()
endforeach()
add_custom_target(HetcROCmToolkit DEPENDS ${generated_isa_libs})
