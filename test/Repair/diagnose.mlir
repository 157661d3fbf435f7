// Diagnose, then write: with diagnose=true the model is first asked which op is wrong and why,
// and the write prompt carries that answer (the scripted answers expect it there). It is off by
// default for scripted answers and the embedded model.
// RUN: not tensorlang-run %S/model.mlir -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: tensorlang-opt %S/model.mlir --neuro-repair="report=%t.json cache=none sources=model model-script=%S/Inputs/diagnosed.jsonl model-rounds=1 diagnose=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: not tensorlang-opt %S/model.mlir --neuro-repair="report=%t.json diagnose=maybe" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: remark: neuro-repair: repaired 'ratio' (div-by-zero: division by zero in 'arith.divsi'): model strategy model-rewrite
// BAD: error: neuro-repair: option 'diagnose' expects auto, true or false, got 'maybe'
