// No process of a self-healing run outlives it, however it is ended from outside: the run hangs
// in a trial (the model's answer loops forever, under a long trial limit) with its build server
// and the trial child alive, and is killed with SIGKILL (which it cannot catch: its children die
// of their parent-death signal), SIGTERM and SIGINT (its handler kills them, then it ends as the
// signal would have ended it). Within two seconds, nothing of the run is left.
// RUN: python3 %S/Inputs/no-orphans.py KILL,TERM,INT -- tensorlang-run %s -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils --self-heal --heal-sources=model --heal-cache=none --heal-model-rounds=1 --heal-trial-limit=60s --model-script=%S/Inputs/no-orphans.jsonl | FileCheck %s

// CHECK: KILL: the run had {{[0-9]+}} children; none is left
// CHECK-NEXT: TERM: the run had {{[0-9]+}} children; none is left
// CHECK-NEXT: INT: the run had {{[0-9]+}} children; none is left

func.func @scale(%in: memref<4xi32>, %out: memref<4xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %j = arith.addi %i, %c1 : index
    %v = memref.load %in[%j] : memref<4xi32>
    %d = arith.addi %v, %v : i32
    memref.store %d, %out[%i] : memref<4xi32>
  }
  return
}

func.func @main() {
  %in = memref.alloca() : memref<4xi32>
  %out = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %k = arith.index_cast %i : index to i32
    %one = arith.constant 1 : i32
    %v = arith.addi %k, %one : i32
    memref.store %v, %in[%i] : memref<4xi32>
  }
  func.call @scale(%in, %out) : (memref<4xi32>, memref<4xi32>) -> ()
  %first = memref.load %out[%c0] : memref<4xi32>
  %last = memref.load %out[%c3] : memref<4xi32>
  %two = arith.constant 2 : i32
  %eight = arith.constant 8 : i32
  %ok1 = arith.cmpi eq, %first, %two : i32
  cf.assert %ok1, "scale(1) is 2"
  %ok2 = arith.cmpi eq, %last, %eight : i32
  cf.assert %ok2, "scale(4) is 8"
  vector.print %first : i32
  vector.print %last : i32
  return
}
