// With a journal, every answer of the model is journaled too, beside it, in the form the
// scripted runner reads: the session replays exactly from that file, the same repair again.
// RUN: not tensorlang-run %S/model.mlir -e main -entry-point-result=void --failure-report=%t.json 2>/dev/null
// RUN: rm -f %t.journal %t.journal.model.jsonl
// RUN: tensorlang-opt %S/model.mlir --neuro-repair="report=%t.json cache=none sources=model model-script=%S/Inputs/rejected.jsonl model-rounds=4 journal=%t.journal" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FIRST
// RUN: FileCheck %s --check-prefix=ANSWERS < %t.journal.model.jsonl
// RUN: tensorlang-opt %S/model.mlir --neuro-repair="report=%t.json cache=none sources=model model-script=%t.journal.model.jsonl model-rounds=4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FIRST

// FIRST: warning: neuro-repair: no verified repair for 'ratio'
// FIRST-SAME: (4 tried for ratio)
// FIRST-SAME: (model) changes the signature from (i32, i32) -> i32 to (i64, i64) -> i64
// FIRST-SAME: (model) uses 'llvm.inline_asm', which repairs may not use

// Four answers, each with the prompt it answered (the feedback of the rounds before in it).
// ANSWERS: {"answer":"{{.*}}i64{{.*}}","prompt":"You repair MLIR functions.
// ANSWERS-NEXT: {"answer":"{{.*}}llvm.inline_asm{{.*}}","prompt":"{{.*}}A previous answer was rejected: {{.*}}changes the signature
// ANSWERS-NEXT: {"answer":
// ANSWERS-NEXT: {"answer":
// ANSWERS-NOT: {"answer":
