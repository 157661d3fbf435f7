// Without --optimize-first, --optimize profiles the calls: @hot, called in a loop, is under way
// in most samples and is searched; @cold, called once, is not. The search records the program's
// next call of @hot and checks the variant on it too (the inputs are not integers, so the sums
// depend on their order: the check allows the rounding tolerance). --optimize-drain lets the
// search end at exit, so the outcome does not depend on the machine's speed.
// RUN: rm -rf %t.cache && env NEUROJIT_CACHE_DIR=%t.cache tensorlang-run %s -e main -entry-point-result=void -O3 -shared-libs=%mlir_c_runner_utils --optimize --optimize-drain --optimize-report=%t.json 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json

// CHECK-DAG: remark: optimize: 'hot' (128x128x128): {{.*}} with variant t{{[0-9]+}}-c{{.*}}; checked against the original on synthetic inputs and a recorded call
// CHECK-DAG: remark: optimize: 'cold' (16x16x16): 1 calls in the run; {{.*}}; not hot: a call was under way in {{[0-9]+}}% of the samples
// CHECK-DAG: remark: optimize: 'hot' (128x128x128): 200 calls in the run
// CHECK-DAG: sum ok
// REPORT: "function": "hot"
// REPORT: "checked_on": "synthetic inputs and a recorded call"
// REPORT: "calls": 200
// REPORT: "function": "cold"
// REPORT: "variant": null
// REPORT: "skipped": "not hot

func.func private @printString(!llvm.ptr) -> ()

func.func @hot(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%C : memref<128x128xf32>)
  linalg.matmul ins(%A, %B : memref<128x128xf32>, memref<128x128xf32>)
                outs(%C : memref<128x128xf32>)
  return
}

func.func @cold(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) {
  linalg.matmul ins(%A, %B : memref<16x16xf32>, memref<16x16xf32>)
                outs(%C : memref<16x16xf32>)
  return
}

llvm.mlir.global internal constant @ok("sum ok\0A\00") {addr_space = 0 : i32}

func.func @main() {
  %A = memref.alloc() : memref<128x128xf32>
  %B = memref.alloc() : memref<128x128xf32>
  %C = memref.alloc() : memref<128x128xf32>
  %a = memref.alloc() : memref<16x16xf32>
  %c = memref.alloc() : memref<16x16xf32>
  %tenth = arith.constant 0.1 : f32
  %third = arith.constant 0.3 : f32
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%tenth : f32) outs(%A : memref<128x128xf32>)
  linalg.fill ins(%third : f32) outs(%B : memref<128x128xf32>)
  linalg.fill ins(%tenth : f32) outs(%a : memref<16x16xf32>)
  linalg.fill ins(%zero : f32) outs(%c : memref<16x16xf32>)
  func.call @cold(%a, %a, %c) : (memref<16x16xf32>, memref<16x16xf32>, memref<16x16xf32>) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %calls = arith.constant 200 : index
  scf.for %i = %c0 to %calls step %c1 {
    func.call @hot(%A, %B, %C) : (memref<128x128xf32>, memref<128x128xf32>, memref<128x128xf32>) -> ()
  }
  // Every entry is 128 * 0.1 * 0.3 = 3.84, up to rounding.
  %x = memref.load %C[%c0, %c0] : memref<128x128xf32>
  %expected = arith.constant 3.84 : f32
  %d = arith.subf %x, %expected : f32
  %e = math.absf %d : f32
  %tolerance = arith.constant 0.001 : f32
  %close = arith.cmpf olt, %e, %tolerance : f32
  cf.assert %close, "C[0][0] is not 3.84"
  %p = llvm.mlir.addressof @ok : !llvm.ptr
  func.call @printString(%p) : (!llvm.ptr) -> ()
  return
}
