//! An LLVM IR module translated from MLIR, and the edits the JIT makes to it (safe wrappers over
//! the `llvm-sys` core API): calls routed through hot-swap slots, packed entry wrappers, renames.

use super::JitError;
use llvm_sys::LLVMAtomicOrdering;
use llvm_sys::core::*;
use llvm_sys::prelude::*;
use melior::ir::OperationRef;
use std::ffi::{CStr, CString, c_uint};

unsafe extern "C" {
    fn mlirTranslateModuleToLLVMIR(
        module: mlir_sys::MlirOperation,
        context: LLVMContextRef,
    ) -> LLVMModuleRef;
    fn mlirRegisterAllLLVMTranslations(context: mlir_sys::MlirContext);
    fn tlDeleteFunctionBody(function: LLVMValueRef);
    fn tlContainFunction(
        module: LLVMModuleRef,
        function: *const std::ffi::c_char,
        callees: *const std::ffi::c_char,
    ) -> *mut std::ffi::c_char;
}

/// Registers the MLIR → LLVM IR translations of every dialect on `context`; needed once per
/// context before [`LlvmModule::translate`].
pub(crate) fn register_translations(context: &melior::Context) {
    // SAFETY: the context is live; registering twice is harmless.
    unsafe { mlirRegisterAllLLVMTranslations(context.to_raw()) }
}

/// How the calls of one function are profiled: the symbol of its profile record, and whether
/// they are timed as well as counted.
pub(crate) struct CallSiteProfile {
    /// `__tensorlang_profile.NAME`.
    pub(crate) symbol: String,
    /// Whether to read the cycle counter around each call.
    pub(crate) timed: bool,
}

/// An LLVM IR module with its own LLVM context (so it can be compiled on any thread).
pub(crate) struct LlvmModule {
    context: LLVMContextRef,
    module: LLVMModuleRef,
}

impl LlvmModule {
    /// Translates `module` (in the LLVM dialect) to LLVM IR.
    pub(crate) fn translate(module: OperationRef) -> Result<Self, JitError> {
        // SAFETY: a fresh context, owned by the result; the operation is live for the call.
        unsafe {
            let context = LLVMContextCreate();
            let raw = mlirTranslateModuleToLLVMIR(module.to_raw(), context);
            if raw.is_null() {
                LLVMContextDispose(context);
                return Err(JitError::Translate);
            }
            Ok(Self {
                context,
                module: raw,
            })
        }
    }

    pub(crate) fn raw(&self) -> LLVMModuleRef {
        self.module
    }

    fn function(&self, name: &str) -> Option<LLVMValueRef> {
        let name = CString::new(name).ok()?;
        // SAFETY: the module is live; null when absent.
        let function = unsafe { LLVMGetNamedFunction(self.module, name.as_ptr()) };
        (!function.is_null()).then_some(function)
    }

    /// Contains `function` (native/contain.cpp): every load and store it makes is checked at run
    /// time against the byte ranges its call may touch, and it may call only the runtime, libm
    /// and `callees`. Runs after optimization, right before code generation, so what is checked
    /// is what runs.
    pub(crate) fn contain(&self, function: &str, callees: &[String]) -> Result<(), JitError> {
        let name = CString::new(function).map_err(|_| JitError::BadName(function.into()))?;
        let callees =
            CString::new(callees.join(",")).map_err(|_| JitError::BadName(callees.join(",")))?;
        // SAFETY: the module is live and both strings outlive the call; a non-null result is a
        // malloc'd C string we own.
        unsafe {
            let error = tlContainFunction(self.module, name.as_ptr(), callees.as_ptr());
            if error.is_null() {
                return Ok(());
            }
            let why = CStr::from_ptr(error).to_string_lossy().into_owned();
            libc::free(error.cast());
            Err(JitError::NotContained(why))
        }
    }

    /// Marks every function the module defines `noinline`.
    pub(crate) fn forbid_inlining(&self) {
        // SAFETY: the module and its context are live; the attribute belongs to that context.
        unsafe {
            let name = c"noinline";
            let kind = LLVMGetEnumAttributeKindForName(name.as_ptr(), name.to_bytes().len());
            let attribute = LLVMCreateEnumAttribute(self.context, kind, 0);
            let mut current = LLVMGetFirstFunction(self.module);
            while !current.is_null() {
                if LLVMIsDeclaration(current) == 0 {
                    LLVMAddAttributeAtIndex(
                        current,
                        llvm_sys::LLVMAttributeFunctionIndex,
                        attribute,
                    );
                }
                current = LLVMGetNextFunction(current);
            }
        }
    }

    /// Whether the module defines (not only declares) a function `name`.
    pub(crate) fn defines(&self, name: &str) -> bool {
        // SAFETY: `function` is a live function of this module.
        self.function(name)
            .is_some_and(|function| unsafe { LLVMIsDeclaration(function) } == 0)
    }

    /// Makes every direct call of `function` load its target from the pointer-sized external
    /// global `slot` (acquire) and call that instead; with `profile`, each call also updates the
    /// [`CallProfile`](super::slot::CallProfile) at that external global. Returns how many calls
    /// were routed.
    pub(crate) fn route_calls_through_slot(
        &self,
        function: &str,
        slot: &str,
        profile: Option<&CallSiteProfile>,
    ) -> usize {
        let Some(callee) = self.function(function) else {
            return 0;
        };
        let slot = CString::new(slot).expect("slot names have no NUL");
        // SAFETY: every handle belongs to this live module and context; uses are collected before
        // any is changed.
        unsafe {
            let mut calls = Vec::new();
            let mut use_ = LLVMGetFirstUse(callee);
            while !use_.is_null() {
                let user = LLVMGetUser(use_);
                if !LLVMIsACallInst(user).is_null() && LLVMGetCalledValue(user) == callee {
                    calls.push(user);
                }
                use_ = LLVMGetNextUse(use_);
            }
            if calls.is_empty() {
                return 0;
            }
            let pointer = LLVMPointerTypeInContext(self.context, 0);
            let mut global = LLVMGetNamedGlobal(self.module, slot.as_ptr());
            if global.is_null() {
                global = LLVMAddGlobal(self.module, pointer, slot.as_ptr());
            }
            let builder = LLVMCreateBuilderInContext(self.context);
            for &call in &calls {
                LLVMPositionBuilderBefore(builder, call);
                let target = LLVMBuildLoad2(builder, pointer, global, c"slot".as_ptr());
                LLVMSetOrdering(target, LLVMAtomicOrdering::LLVMAtomicOrderingAcquire);
                LLVMSetAlignment(target, 8);
                // The callee is a call's last operand.
                LLVMSetOperand(call, LLVMGetNumOperands(call) as c_uint - 1, target);
                if let Some(profile) = profile {
                    self.profile_call(builder, call, profile);
                }
            }
            LLVMDisposeBuilder(builder);
            calls.len()
        }
    }

    /// Counts `call` in the profile record named by `profile` (calls at offset 0, cycles at 8,
    /// calls in flight at 16), and times it with `llvm.readcyclecounter` where that is cheap and
    /// allowed in user code.
    ///
    /// # Safety
    /// `builder` and `call` belong to this module's context; `call` is a call instruction (never
    /// a terminator, so an instruction follows it).
    unsafe fn profile_call(
        &self,
        builder: LLVMBuilderRef,
        call: LLVMValueRef,
        profile: &CallSiteProfile,
    ) {
        let name = CString::new(profile.symbol.as_str()).expect("profile names have no NUL");
        // SAFETY: the caller's contract; every value built here belongs to this module.
        unsafe {
            let i64_type = LLVMInt64TypeInContext(self.context);
            let mut record = LLVMGetNamedGlobal(self.module, name.as_ptr());
            if record.is_null() {
                record = LLVMAddGlobal(self.module, i64_type, name.as_ptr());
            }
            let field = |index: u64| {
                let mut indices = [LLVMConstInt(i64_type, index, 0)];
                LLVMBuildGEP2(
                    builder,
                    i64_type,
                    record,
                    indices.as_mut_ptr(),
                    1,
                    c"".as_ptr(),
                )
            };
            let add = |index: u64, value: LLVMValueRef, op| {
                LLVMBuildAtomicRMW(
                    builder,
                    op,
                    field(index),
                    value,
                    LLVMAtomicOrdering::LLVMAtomicOrderingMonotonic,
                    0,
                );
            };
            let one = LLVMConstInt(i64_type, 1, 0);
            use llvm_sys::LLVMAtomicRMWBinOp::{LLVMAtomicRMWBinOpAdd, LLVMAtomicRMWBinOpSub};
            LLVMPositionBuilderBefore(builder, call);
            add(2, one, LLVMAtomicRMWBinOpAdd);
            let started = profile.timed.then(|| self.read_cycle_counter(builder));
            LLVMPositionBuilderBefore(builder, LLVMGetNextInstruction(call));
            if let Some(started) = started {
                let ended = self.read_cycle_counter(builder);
                let took = LLVMBuildSub(builder, ended, started, c"".as_ptr());
                add(1, took, LLVMAtomicRMWBinOpAdd);
            }
            add(0, one, LLVMAtomicRMWBinOpAdd);
            add(2, one, LLVMAtomicRMWBinOpSub);
        }
    }

    /// `call i64 @llvm.readcyclecounter()` at `builder`.
    ///
    /// # Safety
    /// `builder` belongs to this module's context and is positioned in one of its functions.
    unsafe fn read_cycle_counter(&self, builder: LLVMBuilderRef) -> LLVMValueRef {
        const NAME: &str = "llvm.readcyclecounter";
        // SAFETY: the caller's contract; the intrinsic takes no overloaded types.
        unsafe {
            let id = LLVMLookupIntrinsicID(NAME.as_ptr().cast(), NAME.len());
            let declaration = LLVMGetIntrinsicDeclaration(self.module, id, std::ptr::null_mut(), 0);
            let function_type = LLVMIntrinsicGetType(self.context, id, std::ptr::null_mut(), 0);
            LLVMBuildCall2(
                builder,
                function_type,
                declaration,
                std::ptr::null_mut(),
                0,
                c"".as_ptr(),
            )
        }
    }

    /// Adds `void wrapper(void **args)`, which calls `function` with `*args[i]` as argument `i`
    /// and stores its result (if any) to `*args[n]`: one calling convention for every signature.
    pub(crate) fn add_packed_wrapper(&self, function: &str, wrapper: &str) -> Result<(), JitError> {
        let callee = self
            .function(function)
            .ok_or_else(|| JitError::NoSuchFunction(function.into()))?;
        let wrapper = CString::new(wrapper).map_err(|_| JitError::BadName(wrapper.into()))?;
        // SAFETY: every handle belongs to this live module and context.
        unsafe {
            let function_type = LLVMGlobalGetValueType(callee);
            let count = LLVMCountParamTypes(function_type) as usize;
            let mut params = vec![std::ptr::null_mut(); count];
            LLVMGetParamTypes(function_type, params.as_mut_ptr());
            let result = LLVMGetReturnType(function_type);
            let pointer = LLVMPointerTypeInContext(self.context, 0);
            let mut wrapper_params = [pointer];
            let wrapper_type = LLVMFunctionType(
                LLVMVoidTypeInContext(self.context),
                wrapper_params.as_mut_ptr(),
                1,
                0,
            );
            let wrapper = LLVMAddFunction(self.module, wrapper.as_ptr(), wrapper_type);
            let block = LLVMAppendBasicBlockInContext(self.context, wrapper, c"entry".as_ptr());
            let builder = LLVMCreateBuilderInContext(self.context);
            LLVMPositionBuilderAtEnd(builder, block);
            let packed = LLVMGetParam(wrapper, 0);
            let slot_address = |index: usize| {
                let element = packed_element(builder, packed, index);
                LLVMBuildLoad2(builder, pointer, element, c"".as_ptr())
            };
            let mut arguments: Vec<LLVMValueRef> = params
                .iter()
                .enumerate()
                .map(|(index, &ty)| LLVMBuildLoad2(builder, ty, slot_address(index), c"".as_ptr()))
                .collect();
            let value = LLVMBuildCall2(
                builder,
                function_type,
                callee,
                arguments.as_mut_ptr(),
                count as c_uint,
                c"".as_ptr(),
            );
            if LLVMGetTypeKind(result) != llvm_sys::LLVMTypeKind::LLVMVoidTypeKind {
                LLVMBuildStore(builder, value, slot_address(count));
            }
            LLVMBuildRetVoid(builder);
            LLVMDisposeBuilder(builder);
        }
        Ok(())
    }

    /// Adds `stub`, of the same type as `function`, which hands its arguments packed (like
    /// [`LlvmModule::add_packed_wrapper`]'s) with `id` to `handler` (`void handler(i64, void
    /// **)`) and returns the result the handler stored: the self-healing runtime sees every call.
    pub(crate) fn add_heal_stub(
        &self,
        function: &str,
        stub: &str,
        handler: &str,
        id: u64,
    ) -> Result<(), JitError> {
        let callee = self
            .function(function)
            .ok_or_else(|| JitError::NoSuchFunction(function.into()))?;
        let stub = CString::new(stub).map_err(|_| JitError::BadName(stub.into()))?;
        let handler = CString::new(handler).map_err(|_| JitError::BadName(handler.into()))?;
        // SAFETY: every handle belongs to this live module and context.
        unsafe {
            let function_type = LLVMGlobalGetValueType(callee);
            let count = LLVMCountParamTypes(function_type) as usize;
            let result = LLVMGetReturnType(function_type);
            let has_result = LLVMGetTypeKind(result) != llvm_sys::LLVMTypeKind::LLVMVoidTypeKind;
            let pointer = LLVMPointerTypeInContext(self.context, 0);
            let i64_type = LLVMInt64TypeInContext(self.context);
            let mut handler_params = [i64_type, pointer];
            let handler_type = LLVMFunctionType(
                LLVMVoidTypeInContext(self.context),
                handler_params.as_mut_ptr(),
                2,
                0,
            );
            let mut handler_fn = LLVMGetNamedFunction(self.module, handler.as_ptr());
            if handler_fn.is_null() {
                handler_fn = LLVMAddFunction(self.module, handler.as_ptr(), handler_type);
            }
            let stub = LLVMAddFunction(self.module, stub.as_ptr(), function_type);
            let block = LLVMAppendBasicBlockInContext(self.context, stub, c"entry".as_ptr());
            let builder = LLVMCreateBuilderInContext(self.context);
            LLVMPositionBuilderAtEnd(builder, block);
            let slots = count + usize::from(has_result);
            let array_type = LLVMArrayType2(pointer, slots.max(1) as u64);
            let array = LLVMBuildAlloca(builder, array_type, c"packed".as_ptr());
            let store_slot = |index: usize, value: LLVMValueRef| {
                LLVMBuildStore(builder, value, packed_element(builder, array, index));
            };
            for index in 0..count {
                let param = LLVMGetParam(stub, index as c_uint);
                let storage = LLVMBuildAlloca(builder, LLVMTypeOf(param), c"".as_ptr());
                LLVMBuildStore(builder, param, storage);
                store_slot(index, storage);
            }
            let result_storage = has_result.then(|| {
                let storage = LLVMBuildAlloca(builder, result, c"result".as_ptr());
                store_slot(count, storage);
                storage
            });
            let mut arguments = [LLVMConstInt(i64_type, id, 0), array];
            LLVMBuildCall2(
                builder,
                handler_type,
                handler_fn,
                arguments.as_mut_ptr(),
                2,
                c"".as_ptr(),
            );
            match result_storage {
                Some(storage) => {
                    let value = LLVMBuildLoad2(builder, result, storage, c"".as_ptr());
                    LLVMBuildRet(builder, value);
                }
                None => {
                    LLVMBuildRetVoid(builder);
                }
            }
            LLVMDisposeBuilder(builder);
        }
        Ok(())
    }

    /// Points every use of function `from` (a declaration the program calls) at function `to`,
    /// declared here with `from`'s type when the module does not define it. Returns whether
    /// `from` was there.
    pub(crate) fn redirect_function(&self, from: &str, to: &str) -> Result<bool, JitError> {
        let Some(old) = self.function(from) else {
            return Ok(false);
        };
        let name = CString::new(to).map_err(|_| JitError::BadName(to.into()))?;
        // SAFETY: handles of this live module; `old` and `new` are both functions (pointers).
        unsafe {
            let mut new = LLVMGetNamedFunction(self.module, name.as_ptr());
            if new.is_null() {
                new = LLVMAddFunction(self.module, name.as_ptr(), LLVMGlobalGetValueType(old));
            }
            LLVMReplaceAllUsesWith(old, new);
        }
        Ok(true)
    }

    /// Gives every mutable private global external linkage: the runtime finds it by name (to
    /// save and restore it around a repair), and a new version of a function that uses it binds
    /// to the live one instead of getting a copy of its own ([`LlvmModule::keep_only`]).
    pub(crate) fn export_mutable_globals(&self) {
        // SAFETY: every handle belongs to this live module.
        unsafe {
            let mut global = LLVMGetFirstGlobal(self.module);
            while !global.is_null() {
                if LLVMIsDeclaration(global) == 0
                    && LLVMIsGlobalConstant(global) == 0
                    && is_local(global)
                {
                    LLVMSetLinkage(global, llvm_sys::LLVMLinkage::LLVMExternalLinkage);
                }
                global = LLVMGetNextGlobal(global);
            }
        }
    }

    /// Reduces the module to a new version of `function`: every other definition that code
    /// outside this module can see becomes a declaration (so it binds to the live one), static
    /// constructors and destructors go; private helpers and constants stay.
    pub(crate) fn keep_only(&self, function: &str) -> Result<(), JitError> {
        let keep = self
            .function(function)
            .ok_or_else(|| JitError::NoSuchFunction(function.into()))?;
        // SAFETY: every handle belongs to this live module; iteration reads the next item before
        // the current one is changed or deleted.
        unsafe {
            let mut current = LLVMGetFirstFunction(self.module);
            while !current.is_null() {
                let next = LLVMGetNextFunction(current);
                if current != keep && LLVMIsDeclaration(current) == 0 && !is_local(current) {
                    tlDeleteFunctionBody(current);
                }
                current = next;
            }
            let mut global = LLVMGetFirstGlobal(self.module);
            while !global.is_null() {
                let next = LLVMGetNextGlobal(global);
                let mut length = 0;
                let name = std::slice::from_raw_parts(
                    LLVMGetValueName2(global, &mut length).cast::<u8>(),
                    length,
                );
                if name == b"llvm.global_ctors" || name == b"llvm.global_dtors" {
                    LLVMDeleteGlobal(global);
                } else if LLVMIsDeclaration(global) == 0 && !is_local(global) {
                    LLVMSetInitializer(global, std::ptr::null_mut());
                    LLVMSetLinkage(global, llvm_sys::LLVMLinkage::LLVMExternalLinkage);
                }
                global = next;
            }
        }
        Ok(())
    }

    /// Replaces `llvm.global_ctors` / `llvm.global_dtors` by functions `constructors` and
    /// `destructors` that call them in order (constructors by ascending priority, destructors by
    /// descending): object code added to the JIT has no platform to run them, so the runtime calls
    /// these. A missing list gives no function.
    pub(crate) fn lower_static_initializers(&self, constructors: &str, destructors: &str) {
        self.lower_initializer_list(c"llvm.global_ctors", constructors, false);
        self.lower_initializer_list(c"llvm.global_dtors", destructors, true);
    }

    fn lower_initializer_list(&self, list: &CStr, function: &str, descending: bool) {
        // SAFETY: every handle belongs to this live module and context; the list global is
        // deleted only after its entries were read.
        unsafe {
            let global = LLVMGetNamedGlobal(self.module, list.as_ptr());
            if global.is_null() {
                return;
            }
            let array = LLVMGetInitializer(global);
            let mut entries: Vec<(i64, LLVMValueRef)> = Vec::new();
            if !array.is_null() {
                for index in 0..LLVMGetNumOperands(array) {
                    let entry = LLVMGetOperand(array, index as c_uint);
                    let priority = LLVMConstIntGetSExtValue(LLVMGetOperand(entry, 0));
                    entries.push((priority, LLVMGetOperand(entry, 1)));
                }
            }
            entries.sort_by_key(|(priority, _)| *priority);
            if descending {
                entries.reverse();
            }
            LLVMDeleteGlobal(global);
            let void = LLVMVoidTypeInContext(self.context);
            let function_type = LLVMFunctionType(void, std::ptr::null_mut(), 0, 0);
            let name = CString::new(function).expect("no NUL in symbol names");
            let wrapper = LLVMAddFunction(self.module, name.as_ptr(), function_type);
            let block = LLVMAppendBasicBlockInContext(self.context, wrapper, c"entry".as_ptr());
            let builder = LLVMCreateBuilderInContext(self.context);
            LLVMPositionBuilderAtEnd(builder, block);
            for (_, callee) in entries {
                LLVMBuildCall2(
                    builder,
                    function_type,
                    callee,
                    std::ptr::null_mut(),
                    0,
                    c"".as_ptr(),
                );
            }
            LLVMBuildRetVoid(builder);
            LLVMDisposeBuilder(builder);
        }
    }

    /// Renames function `from` to `to`; its uses follow.
    pub(crate) fn rename(&self, from: &str, to: &str) -> Result<(), JitError> {
        let function = self
            .function(from)
            .ok_or_else(|| JitError::NoSuchFunction(from.into()))?;
        // SAFETY: a live function of this module; the name is copied.
        unsafe { LLVMSetValueName2(function, to.as_ptr().cast(), to.len()) };
        Ok(())
    }

    /// The module as LLVM IR text.
    pub(crate) fn print(&self) -> String {
        // SAFETY: the module is live; the string is ours to dispose.
        unsafe {
            let raw = LLVMPrintModuleToString(self.module);
            let text = CStr::from_ptr(raw).to_string_lossy().into_owned();
            LLVMDisposeMessage(raw);
            text
        }
    }
}

/// The address of element `index` of a packed argument array (`void *[]`), built at the
/// builder's position.
///
/// # Safety
///
/// `builder` and `array` must be live and belong to the same LLVM context.
unsafe fn packed_element(
    builder: LLVMBuilderRef,
    array: LLVMValueRef,
    index: usize,
) -> LLVMValueRef {
    // SAFETY: the caller's contract; the types come from the array's own context.
    unsafe {
        let context = LLVMGetTypeContext(LLVMTypeOf(array));
        let pointer = LLVMPointerTypeInContext(context, 0);
        let mut offset = [LLVMConstInt(
            LLVMInt64TypeInContext(context),
            index as u64,
            0,
        )];
        LLVMBuildGEP2(
            builder,
            pointer,
            array,
            offset.as_mut_ptr(),
            1,
            c"".as_ptr(),
        )
    }
}

/// Whether a global value is invisible outside its module (private or internal).
fn is_local(value: LLVMValueRef) -> bool {
    use llvm_sys::LLVMLinkage::*;
    // SAFETY: a live global value.
    let linkage = unsafe { LLVMGetLinkage(value) };
    matches!(linkage, LLVMPrivateLinkage | LLVMInternalLinkage)
}

impl Drop for LlvmModule {
    fn drop(&mut self) {
        // SAFETY: we own both; the module goes before its context.
        unsafe {
            LLVMDisposeModule(self.module);
            LLVMContextDispose(self.context);
        }
    }
}
