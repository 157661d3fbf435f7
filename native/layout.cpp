//===- layout.cpp - layouts of the structs Rust mirrors -----------*- C++ -*-===//
//
// Sizes, alignments and field offsets of the structs in tensorlang_native.h, as
// the C++ compiler lays them out (`extern`: a const is internal in C++); a unit
// test in src/native.rs compares them with the Rust mirrors.
//
//===----------------------------------------------------------------------===//

#include "tensorlang_native.h"

#include <cstddef>

extern "C" {
extern const size_t tlLayoutPassOption[] = {
    sizeof(TlPassOption), alignof(TlPassOption),
    offsetof(TlPassOption, name), offsetof(TlPassOption, description),
    offsetof(TlPassOption, defaultValue)};

extern const size_t tlLayoutPassDescriptor[] = {
    sizeof(TlPassDescriptor),
    alignof(TlPassDescriptor),
    offsetof(TlPassDescriptor, argument),
    offsetof(TlPassDescriptor, name),
    offsetof(TlPassDescriptor, summary),
    offsetof(TlPassDescriptor, anchor),
    offsetof(TlPassDescriptor, options),
    offsetof(TlPassDescriptor, numOptions),
    offsetof(TlPassDescriptor, dependentDialects),
    offsetof(TlPassDescriptor, numDependentDialects),
    offsetof(TlPassDescriptor, run),
    offsetof(TlPassDescriptor, userData)};

extern const size_t tlLayoutSeverity[] = {sizeof(TlSeverity), alignof(TlSeverity),
                                   TlSeverityError, TlSeverityWarning,
                                   TlSeverityRemark};
}
