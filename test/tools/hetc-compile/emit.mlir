// Each --emit stage stops where it says.
// RUN: hetc-compile %s --eval-only --emit=hetc | FileCheck %s --check-prefix=HETC
// The signature the backends embed in the code (artifact_format.h), with
// the manifest members known before codegen bound in key order (the backend
// adds chip, cpu_features and device).
// HETC: module attributes {hetc.entries = ["eval"], hetc.signature = "hetc-signature 1\0Aentry 4:eval 4:eval 15:hetc_entry_eval\0Aarg 6:input0 input f32 2x3\0Aarg 6:label0 label f32 2x4\0Aarg 6:param0 param f32 3x4\0Aresult 4:loss loss f32 -\0Amanifest 7:entries {{[0-9a-f]+}}\0Amanifest 5:model {{[0-9a-f]+}}\0Amanifest 9:optimizer {{[0-9a-f]+}}\0Amanifest 6:target {{[0-9a-f]+}}\0A"}
// HETC: func.func @eval
// HETC: hetc.matmul
// HETC-NOT: func.func @model

// RUN: hetc-compile %s --eval-only --emit=linalg | FileCheck %s --check-prefix=LINALG
// LINALG: func.func @eval
// LINALG: linalg.matmul
// LINALG-NOT: hetc.matmul

// RUN: hetc-compile %s --eval-only --emit=llvm | FileCheck %s --check-prefix=LLVM
// LLVM: define void @hetc_entry_eval(ptr

// RUN: hetc-compile %s --eval-only --chip=x86-64-v3 --emit=asm | FileCheck %s --check-prefix=ASM
// ASM: hetc_entry_eval:
// ASM-NOT: zmm

// RUN: hetc-compile %s --eval-only --emit=obj -o %t.o && llvm-readobj --file-headers %t.o | FileCheck %s --check-prefix=OBJ
// OBJ: Format: elf64-x86-64

func.func @model(%x: tensor<2x3xf32> {hetc.input}, %y: tensor<2x4xf32> {hetc.label},
                 %w: tensor<3x4xf32> {hetc.param = #hetc.init<uniform, 0.5>})
    -> tensor<f32> {
  %p = hetc.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %l = hetc.mse %p, %y : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
