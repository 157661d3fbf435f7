// Upstream mlir-opt runs --neuro-repair from the plugin: an assert that always fails is traced to
// @double and repaired (verified in a sandboxed tensorlang-run, found on PATH).
// RUN: %upstream_mlir_opt %s --load-pass-plugin=%tensorlang_plugin --pass-pipeline="builtin.module(neuro-repair{cache=none sources=symbolic})" 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK --input-file=%t.err

// REMARK: remark: neuro-repair: repaired 'double' {{.*}}: symbolic strategy change-constant: use 2 instead of 3
// CHECK-LABEL: func.func @double
// CHECK: arith.constant 2 : i32
func.func @double(%x: i32) -> i32 {
  %k = arith.constant 3 : i32
  %d = arith.muli %x, %k : i32
  return %d : i32
}
func.func @main() {
  %c5 = arith.constant 5 : i32
  %d = func.call @double(%c5) : (i32) -> i32
  %c10 = arith.constant 10 : i32
  %ok = arith.cmpi eq, %d, %c10 : i32
  cf.assert %ok, "double(5) is 10"
  return
}
