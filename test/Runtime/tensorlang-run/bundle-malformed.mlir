// A bundle that does not read gets an error located in it: cut short, another version, or a
// plain report without a program.
// RUN: printf '{"format": "tensorlang-failure-bundle",\n "version": 1, "file": ' > %t.cut.json
// RUN: not tensorlang-run --replay %t.cut.json 2>&1 | FileCheck %s --check-prefix=CUT
// RUN: printf '{"format": "tensorlang-failure-bundle", "version": 7, "file": "f.mlir", "failures": []}' > %t.v7.json
// RUN: not tensorlang-run --replay %t.v7.json 2>&1 | FileCheck %s --check-prefix=VERSION
// RUN: printf '{"file": "f.mlir", "failures": []}' > %t.plain.json
// RUN: not tensorlang-run --replay %t.plain.json 2>&1 | FileCheck %s --check-prefix=PLAIN
// RUN: not tensorlang-run --replay %t.missing.json 2>&1 | FileCheck %s --check-prefix=MISSING

// CUT: cut.json:2:{{[0-9]+}}: error: not a failure bundle: EOF while parsing a value
// VERSION: v7.json:1:1: error: bundle version 7 is not one this build reads (version 1)
// PLAIN: plain.json:1:1: error: a failure report without a program (written before bundles, or not by --failure-report): nothing to replay
// MISSING: missing.json:1:1: error: cannot read the bundle: No such file or directory
