//===- add_one_kernels.h - add_one for the drivers' tests -----------------===//
//
// out[i] = in[i] + 1 for i < 1000, in each driver's device code: PTX text
// here, SPIR-V assembled from add_one.spvasm at build time (the path in
// HETC_ADD_ONE_SPV_PATH).
//
//===----------------------------------------------------------------------===//

#ifndef HETC_RUNTIME_TESTS_ADD_ONE_KERNELS_H
#define HETC_RUNTIME_TESTS_ADD_ONE_KERNELS_H

namespace hetc_test {

// out[i] = in[i] + 1 for i < 1000. Deliberately old (PTX 7.0, sm_52) so any
// CUDA 11+ driver JIT-compiles it for its device.
inline constexpr char kAddOnePtx[] = R"(.version 7.0
.target sm_52
.address_size 64

.visible .entry add_one(
    .param .u64 in,
    .param .u64 out
)
{
    .reg .pred  %p<2>;
    .reg .b32   %r<5>;
    .reg .f32   %f<3>;
    .reg .b64   %rd<8>;

    ld.param.u64        %rd1, [in];
    ld.param.u64        %rd2, [out];
    mov.u32             %r1, %ctaid.x;
    mov.u32             %r2, %ntid.x;
    mov.u32             %r3, %tid.x;
    mad.lo.s32          %r4, %r1, %r2, %r3;
    setp.ge.s32         %p1, %r4, 1000;
    @%p1 bra            DONE;
    cvta.to.global.u64  %rd3, %rd1;
    cvta.to.global.u64  %rd4, %rd2;
    mul.wide.s32        %rd5, %r4, 4;
    add.s64             %rd6, %rd3, %rd5;
    add.s64             %rd7, %rd4, %rd5;
    ld.global.f32       %f1, [%rd6];
    add.f32             %f2, %f1, 0f3F800000;
    st.global.f32       [%rd7], %f2;
DONE:
    ret;
}
)";

} // namespace hetc_test

#endif // HETC_RUNTIME_TESTS_ADD_ONE_KERNELS_H
