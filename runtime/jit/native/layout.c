/* Size, alignment and field offsets of TlGuardFailure (guard.h), as the C
 * compiler lays it out; a unit test in src/guard.rs compares them with the Rust
 * mirror. */

#include "guard.h"

#include <stdalign.h>
#include <stddef.h>

const size_t tlLayoutGuardFailure[] = {
    sizeof(TlGuardFailure),
    alignof(TlGuardFailure),
    offsetof(TlGuardFailure, outcome),
    offsetof(TlGuardFailure, signal),
    offsetof(TlGuardFailure, code),
    offsetof(TlGuardFailure, fault_address),
    offsetof(TlGuardFailure, pc),
    offsetof(TlGuardFailure, check_id),
    offsetof(TlGuardFailure, check_table),
};
