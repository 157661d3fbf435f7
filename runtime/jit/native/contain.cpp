//===- contain.cpp - Containment at the address --------------------*- C++ -*-===//
//
// The last step before machine code for code that is not the user's own: every
// instruction of the function that may touch memory is either checked at run
// time against the byte ranges the call may touch, or the function is refused.
// It runs after LLVM's optimizer, so what it checks is what executes: whatever
// views, overflow flags or loop steps computed an address, the check looks at
// the address (see runtime/checks/src/contain.rs for the run-time half).
//
// - loads, stores, atomics, memcpy/memmove/memset, masked and gathered vector
//   accesses (lane by lane) call `__tensorlang_contain_access`/`_lane` with the
//   frozen address, the size in bytes and whether it writes;
// - allocas and malloc-family calls register (and zero) what they allocate;
// - calls go only to the runtime, libm, and the callees the caller names;
//   calls through hot-swap slots are the runtime's own;
// - anything else that may read or write memory, inline assembly, indirect
//   calls and ABI-changing parameter attributes refuse the function;
// - `unreachable` traps, flags that make poison are dropped, and the frame is
//   entered first and left at every return.
//
// Each check gets an entry in a check table of its own, located by the line
// table the MLIR side emitted (debug info is stripped afterwards).
//
//===----------------------------------------------------------------------===//

#include "llvm_shims.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace llvm;

namespace {

/// Pure functions of libm that lowered math ops call.
const char *const kLibm[] = {
    "acos",  "acosh", "asin",  "asinh",  "atan",  "atan2", "atanh", "cbrt",
    "ceil",  "cos",   "cosh",  "erf",    "erfc",  "exp",   "exp2",  "expm1",
    "fabs",  "floor", "fma",   "fmod",   "hypot", "log",   "log10", "log1p",
    "log2",  "pow",   "round", "roundeven", "sin", "sinh", "sqrt",  "tan",
    "tanh",  "trunc", "rint",  "nearbyint", "copysign", "fmax", "fmin"};

bool isLibm(StringRef name) {
  for (const char *f : kLibm) {
    StringRef base(f);
    if (name == base || (name.size() == base.size() + 1 &&
                         name.starts_with(base) && name.back() == 'f'))
      return true;
  }
  return false;
}

/// Where each check is, and what the check table says of it.
struct Checks {
  std::string table = "tensorlang-checks 1\n";
  int64_t next = 0;

  int64_t add(const Instruction &at, const Function &function,
              const std::string &message) {
    std::string location = "unknown";
    // The line table names files as the MLIR locations did, split into a
    // directory and a name.
    auto file = [](const DIScope *scope) {
      StringRef directory = scope->getDirectory();
      StringRef name = scope->getFilename();
      return directory.empty() || name.starts_with("/")
                 ? name.str()
                 : (directory + "/" + name).str();
    };
    if (const DILocation *loc = at.getDebugLoc().get()) {
      location = file(loc->getScope()) + ":" + std::to_string(loc->getLine()) +
                 ":" + std::to_string(loc->getColumn());
    } else if (const DISubprogram *sp = function.getSubprogram()) {
      location = file(sp) + ":" + std::to_string(sp->getLine()) + ":1";
    }
    int64_t id = next++;
    table += std::to_string(id) + "\tbounds\t" + location + "\t" + message + "\n";
    return id;
  }
};

/// One access to check: the instruction, the pointer operand's index (or -1
/// for intrinsics checked by their operands), bytes, and whether it writes.
struct Access {
  Instruction *inst;
  unsigned pointerOperand;
  uint64_t bytes;
  bool write;
};

char *error(const std::string &message) { return strdup(message.c_str()); }

std::string describe(const Instruction &inst) {
  std::string text;
  raw_string_ostream os(text);
  inst.print(os);
  return text;
}

class Containment {
public:
  Containment(Module &module, Function &function, StringSet<> callees)
      : module(module), function(function), callees(std::move(callees)),
        layout(module.getDataLayout()), context(module.getContext()),
        i64(Type::getInt64Ty(context)), ptr(PointerType::get(context, 0)) {}

  /// Checks or refuses every instruction; empty on success, else why not.
  std::string run();

private:
  std::string refuse(const Instruction &inst, const std::string &why) {
    return why + ": " + describe(inst);
  }
  std::string classify(Instruction &inst);
  std::string classifyCall(CallInst &call);
  std::string classifyIntrinsic(IntrinsicInst &intrinsic);
  FunctionCallee runtime(const char *name, Type *result,
                         ArrayRef<Type *> params) {
    return module.getOrInsertFunction(
        name, FunctionType::get(result, params, false));
  }
  void checkAt(Instruction *before, Value *address, Value *bytes, bool write,
               const std::string &message);
  void checkLanes(IntrinsicInst *intrinsic, bool write, bool gathered,
                  unsigned pointers, unsigned mask, Type *vectorType);

  Module &module;
  Function &function;
  StringSet<> callees;
  const DataLayout &layout;
  LLVMContext &context;
  Type *i64;
  PointerType *ptr;

  std::vector<Access> accesses;
  std::vector<MemIntrinsic *> memIntrinsics;
  std::vector<IntrinsicInst *> lanes;
  std::vector<Instruction *> allocations;
  std::vector<CallInst *> registrations;
  std::vector<Instruction *> erase;
  std::vector<ReturnInst *> returns;
  std::vector<UnreachableInst *> unreachables;

  Checks checks;
  Value *token = nullptr;
  GlobalVariable *table = nullptr;
  /// Where the per-site hints are allocated and cleared: the start of the
  /// entry block, before the frame is entered (no split ever moves it).
  Instruction *hintsEnd = nullptr;
};

std::string Containment::classifyIntrinsic(IntrinsicInst &intrinsic) {
  switch (intrinsic.getIntrinsicID()) {
  case Intrinsic::memcpy:
  case Intrinsic::memcpy_inline:
  case Intrinsic::memmove:
  case Intrinsic::memset:
  case Intrinsic::memset_inline:
    memIntrinsics.push_back(cast<MemIntrinsic>(&intrinsic));
    return "";
  case Intrinsic::masked_load:
  case Intrinsic::masked_store:
  case Intrinsic::masked_gather:
  case Intrinsic::masked_scatter: {
    Type *vector = intrinsic.getIntrinsicID() == Intrinsic::masked_load ||
                           intrinsic.getIntrinsicID() == Intrinsic::masked_gather
                       ? intrinsic.getType()
                       : intrinsic.getArgOperand(0)->getType();
    if (!isa<FixedVectorType>(vector))
      return refuse(intrinsic, "uses a scalable vector access");
    lanes.push_back(&intrinsic);
    return "";
  }
  case Intrinsic::lifetime_start:
  case Intrinsic::lifetime_end:
  case Intrinsic::assume:
  case Intrinsic::experimental_noalias_scope_decl:
    // Promises the code may break: without them nothing is assumed.
    erase.push_back(&intrinsic);
    return "";
  case Intrinsic::stacksave:
  case Intrinsic::readcyclecounter:
  case Intrinsic::prefetch:
  case Intrinsic::trap:
  case Intrinsic::debugtrap:
  case Intrinsic::ubsantrap:
  case Intrinsic::donothing:
  case Intrinsic::sideeffect:
  case Intrinsic::threadlocal_address:
  case Intrinsic::var_annotation:
  case Intrinsic::ptr_annotation:
    return "";
  case Intrinsic::stackrestore: {
    // Only back to a point the function itself saved.
    auto *saved = dyn_cast<IntrinsicInst>(intrinsic.getArgOperand(0));
    if (saved && saved->getIntrinsicID() == Intrinsic::stacksave)
      return "";
    return refuse(intrinsic, "restores the stack to a pointer it did not save");
  }
  default:
    if (!intrinsic.mayReadOrWriteMemory())
      return "";
    return refuse(intrinsic,
                  "uses an intrinsic that touches memory in a way containment "
                  "does not check");
  }
}

std::string Containment::classifyCall(CallInst &call) {
  if (call.isInlineAsm())
    return refuse(call, "uses inline assembly");
  if (auto *intrinsic = dyn_cast<IntrinsicInst>(&call))
    return classifyIntrinsic(*intrinsic);
  Function *callee = call.getCalledFunction();
  if (!callee) {
    // Calls through a hot-swap slot: the target is loaded from the runtime's
    // own slot global, which no candidate can name.
    auto *load = dyn_cast<LoadInst>(call.getCalledOperand());
    auto *slot = load ? dyn_cast<GlobalVariable>(load->getPointerOperand())
                      : nullptr;
    if (slot && slot->getName().starts_with("__tensorlang_slot."))
      return "";
    return refuse(call, "makes an indirect call");
  }
  StringRef name = callee->getName();
  // The memref-level pass declares one registration per element type
  // (`__tensorlang_contain_buffer.f32`, ...): all take (token, rank,
  // descriptor, element bytes, flag) once lowered, and go to one entry.
  if (name.starts_with("__tensorlang_contain_buffer.") ||
      name.starts_with("__tensorlang_contain_view.")) {
    if (call.arg_size() != 5)
      return refuse(call, "calls the containment runtime with the wrong arguments");
    registrations.push_back(&call);
    return "";
  }
  if (name.starts_with("__tensorlang_contain_"))
    return refuse(call, "calls the containment runtime itself");
  if (name == "__tensorlang_assert_fail" || name == "memrefCopy" ||
      isLibm(name))
    return "";
  if (name == "malloc" || name == "aligned_alloc" || name == "calloc" ||
      name == "_mlir_memref_to_llvm_alloc" ||
      name == "_mlir_memref_to_llvm_aligned_alloc") {
    allocations.push_back(&call);
    return "";
  }
  if (callees.contains(name))
    return "";
  return refuse(call, ("calls @" + name +
                       ", which the function it replaces does not call")
                          .str());
}

/// Whether `pointer` is one of the runtime's own globals, which calls through
/// hot-swap slots read and count (`__tensorlang_slot.*`, `__tensorlang_profile.*`):
/// no candidate can name them.
bool isRuntimeGlobal(Value *pointer) {
  auto *global = dyn_cast<GlobalVariable>(pointer->stripInBoundsConstantOffsets());
  return global && (global->getName().starts_with("__tensorlang_slot.") ||
                    global->getName().starts_with("__tensorlang_profile."));
}

std::string Containment::classify(Instruction &inst) {
  if (auto *access = getLoadStorePointerOperand(&inst);
      access && isRuntimeGlobal(access))
    return "";
  if (auto *rmw = dyn_cast<AtomicRMWInst>(&inst);
      rmw && isRuntimeGlobal(rmw->getPointerOperand()))
    return "";
  if (auto *load = dyn_cast<LoadInst>(&inst)) {
    accesses.push_back({&inst, load->getPointerOperandIndex(),
                        layout.getTypeStoreSize(load->getType()), false});
    return "";
  }
  if (auto *store = dyn_cast<StoreInst>(&inst)) {
    accesses.push_back(
        {&inst, store->getPointerOperandIndex(),
         layout.getTypeStoreSize(store->getValueOperand()->getType()), true});
    return "";
  }
  if (auto *rmw = dyn_cast<AtomicRMWInst>(&inst)) {
    accesses.push_back({&inst, rmw->getPointerOperandIndex(),
                        layout.getTypeStoreSize(rmw->getValOperand()->getType()),
                        true});
    return "";
  }
  if (auto *cmpxchg = dyn_cast<AtomicCmpXchgInst>(&inst)) {
    accesses.push_back(
        {&inst, cmpxchg->getPointerOperandIndex(),
         layout.getTypeStoreSize(cmpxchg->getCompareOperand()->getType()), true});
    return "";
  }
  if (auto *call = dyn_cast<CallInst>(&inst))
    return classifyCall(*call);
  if (isa<InvokeInst>(inst) || isa<CallBrInst>(inst))
    return refuse(inst, "has a call with unwinding or jumps");
  if (isa<AllocaInst>(inst)) {
    allocations.push_back(&inst);
    return "";
  }
  if (auto *ret = dyn_cast<ReturnInst>(&inst)) {
    returns.push_back(ret);
    return "";
  }
  if (auto *unreachable = dyn_cast<UnreachableInst>(&inst)) {
    unreachables.push_back(unreachable);
    return "";
  }
  if (isa<FenceInst>(inst))
    return "";
  if (inst.mayReadOrWriteMemory())
    return refuse(inst, "touches memory in a way containment does not check");
  return "";
}

void Containment::checkAt(Instruction *before, Value *address, Value *bytes,
                          bool write, const std::string &message) {
  int64_t id = checks.add(*before, function, message);
  // Each site keeps the range its last access fell in, `{start, length}`
  // (empty at first): an access inside it needs no call. Unsigned, so that
  // an address below the range or an end past it fails:
  //   bytes <= length && address - start <= length - bytes.
  IRBuilder<> entry(hintsEnd);
  Type *pair = ArrayType::get(i64, 2);
  AllocaInst *hint = entry.CreateAlloca(pair);
  entry.CreateStore(ConstantAggregateZero::get(pair), hint);

  IRBuilder<> b(before);
  Value *start = b.CreateLoad(i64, hint);
  Value *length = b.CreateLoad(i64, b.CreateConstGEP1_64(i64, hint, 1));
  Value *offset = b.CreateSub(b.CreatePtrToInt(address, i64), start);
  Value *inside = b.CreateAnd(
      b.CreateICmpULE(bytes, length),
      b.CreateICmpULE(offset, b.CreateSub(length, bytes)));
  Instruction *slow = SplitBlockAndInsertIfThen(b.CreateNot(inside), before,
                                                /*Unreachable=*/false);
  IRBuilder<> call(slow);
  call.CreateCall(runtime("__tensorlang_contain_access", Type::getVoidTy(context),
                          {i64, ptr, i64, i64, i64, ptr, ptr}),
                  {token, address, bytes, ConstantInt::get(i64, write ? 1 : 0),
                   ConstantInt::get(i64, id), table, hint});
}

void Containment::checkLanes(IntrinsicInst *intrinsic, bool write,
                             bool gathered, unsigned pointers, unsigned mask,
                             Type *vectorType) {
  auto *vector = cast<FixedVectorType>(vectorType);
  uint64_t element = layout.getTypeStoreSize(vector->getElementType());
  IRBuilder<> b(intrinsic);
  FunctionCallee lane =
      runtime("__tensorlang_contain_lane", Type::getVoidTy(context),
              {i64, ptr, i64, i64, Type::getInt1Ty(context), i64, ptr});
  int64_t id = checks.add(*intrinsic, function,
                          write ? "a vector write outside the memory this "
                                  "call may write (contained code)"
                                : "a vector read outside the memory this call "
                                  "may read (contained code)");
  // The intrinsic uses the very addresses and mask that were checked.
  Value *base = b.CreateFreeze(intrinsic->getArgOperand(pointers));
  intrinsic->setArgOperand(pointers, base);
  Value *maskValue = b.CreateFreeze(intrinsic->getArgOperand(mask));
  intrinsic->setArgOperand(mask, maskValue);
  for (unsigned i = 0; i < vector->getNumElements(); ++i) {
    Value *address =
        gathered ? b.CreateExtractElement(base, i)
                 : b.CreateGEP(Type::getInt8Ty(context), base,
                               ConstantInt::get(i64, i * element));
    b.CreateCall(lane, {token, address, ConstantInt::get(i64, element),
                        ConstantInt::get(i64, write ? 1 : 0),
                        b.CreateExtractElement(maskValue, i),
                        ConstantInt::get(i64, id), table});
  }
}

std::string Containment::run() {
  if (function.hasFnAttribute(Attribute::Naked))
    return "the function is naked (no prologue or epilogue)";
  for (Argument &argument : function.args()) {
    for (Attribute::AttrKind kind :
         {Attribute::ByVal, Attribute::InAlloca, Attribute::Preallocated,
          Attribute::StructRet, Attribute::Nest, Attribute::SwiftSelf,
          Attribute::SwiftError, Attribute::SwiftAsync})
      if (argument.hasAttribute(kind))
        return "a parameter attribute changes how the function is called";
  }
  function.removeFnAttr(Attribute::NoReturn);
  function.removeFnAttr(Attribute::WillReturn);
  for (Instruction &inst : instructions(function)) {
    std::string why = classify(inst);
    if (!why.empty())
      return why;
  }
  for (Instruction *inst : erase)
    inst->eraseFromParent();
  // Poison-making flags are promises about the values; dropped, the values
  // are plain two's complement and the addresses checked are the ones used.
  for (Instruction &inst : instructions(function))
    inst.dropPoisonGeneratingFlags();

  BasicBlock &entry = function.getEntryBlock();
  IRBuilder<> b(&entry, entry.begin());
  auto *enter = b.CreateCall(runtime("__tensorlang_contain_enter", i64, {}), {});
  token = enter;
  hintsEnd = enter;

  // The table's text is complete only after every check is placed: a
  // placeholder global first, its initializer last.
  table = new GlobalVariable(module, Type::getInt8Ty(context), true,
                             GlobalValue::PrivateLinkage, nullptr,
                             "__tensorlang_contain_checks");

  FunctionCallee buffer = runtime("__tensorlang_contain_buffer",
                                  Type::getVoidTy(context),
                                  {i64, i64, ptr, i64, i64});
  FunctionCallee view =
      runtime("__tensorlang_contain_view", Type::getInt1Ty(context),
              {i64, i64, ptr, i64, i64});
  for (CallInst *call : registrations) {
    bool isView =
        call->getCalledFunction()->getName().starts_with("__tensorlang_contain_view.");
    FunctionCallee target = isView ? view : buffer;
    if (call->getFunctionType() != target.getFunctionType())
      return refuse(*call, "calls the containment runtime with the wrong types");
    call->setCalledFunction(target);
    call->setArgOperand(0, token);
  }
  for (const Access &access : accesses) {
    IRBuilder<> before(access.inst);
    Value *address =
        before.CreateFreeze(access.inst->getOperand(access.pointerOperand));
    access.inst->setOperand(access.pointerOperand, address);
    checkAt(access.inst, address, ConstantInt::get(i64, access.bytes),
            access.write,
            access.write
                ? "a write outside the memory this call may write (contained code)"
                : "a read outside the memory this call may read (contained code)");
  }
  for (MemIntrinsic *intrinsic : memIntrinsics) {
    IRBuilder<> before(intrinsic);
    // The intrinsic keeps its own length type; the check reads it as i64.
    Value *frozen = before.CreateFreeze(intrinsic->getLength());
    intrinsic->setLength(frozen);
    Value *length = before.CreateZExtOrTrunc(frozen, i64);
    Value *dest = before.CreateFreeze(intrinsic->getRawDest());
    intrinsic->setDest(dest);
    checkAt(intrinsic, dest, length, true,
            "a block write outside the memory this call may write (contained code)");
    if (auto *transfer = dyn_cast<MemTransferInst>(intrinsic)) {
      Value *source = before.CreateFreeze(transfer->getRawSource());
      transfer->setSource(source);
      checkAt(intrinsic, source, length, false,
              "a block read outside the memory this call may read (contained code)");
    }
  }
  for (IntrinsicInst *intrinsic : lanes) {
    switch (intrinsic->getIntrinsicID()) {
    // Operands (LLVM 22, alignment as a parameter attribute): load (ptr,
    // mask, passthru), store (value, ptr, mask), gather (ptrs, mask,
    // passthru), scatter (value, ptrs, mask).
    case Intrinsic::masked_load:
      checkLanes(intrinsic, false, false, 0, 1, intrinsic->getType());
      break;
    case Intrinsic::masked_store:
      checkLanes(intrinsic, true, false, 1, 2,
                 intrinsic->getArgOperand(0)->getType());
      break;
    case Intrinsic::masked_gather:
      checkLanes(intrinsic, false, true, 0, 1, intrinsic->getType());
      break;
    default:
      checkLanes(intrinsic, true, true, 1, 2,
                 intrinsic->getArgOperand(0)->getType());
      break;
    }
  }
  FunctionCallee allocated =
      runtime("__tensorlang_contain_alloc", Type::getVoidTy(context),
              {i64, ptr, i64, i64});
  FunctionCallee zeroed = module.getOrInsertFunction(
      "calloc", FunctionType::get(ptr, {i64, i64}, false));
  for (Instruction *inst : allocations) {
    Value *bytes = nullptr;
    bool zero = true;
    if (auto *alloca = dyn_cast<AllocaInst>(inst)) {
      IRBuilder<> after(inst->getNextNode());
      Value *count = after.CreateZExtOrTrunc(alloca->getArraySize(), i64);
      bytes = after.CreateMul(
          count,
          ConstantInt::get(i64, layout.getTypeAllocSize(alloca->getAllocatedType())));
    } else {
      auto *call = cast<CallInst>(inst);
      StringRef name = call->getCalledFunction()->getName();
      IRBuilder<> at(call);
      if (name == "calloc") {
        bytes = at.CreateMul(at.CreateZExtOrTrunc(call->getArgOperand(0), i64),
                             at.CreateZExtOrTrunc(call->getArgOperand(1), i64));
        zero = false;
      } else if (name == "aligned_alloc" ||
                 name == "_mlir_memref_to_llvm_aligned_alloc") {
        bytes = at.CreateZExtOrTrunc(call->getArgOperand(1), i64);
      } else {
        // malloc: calloc instead, whose fresh pages the kernel zeroes for free
        // (a huge allocation is not touched page by page).
        bytes = at.CreateZExtOrTrunc(call->getArgOperand(0), i64);
        CallInst *replacement =
            at.CreateCall(zeroed, {bytes, ConstantInt::get(i64, 1)});
        call->replaceAllUsesWith(replacement);
        call->eraseFromParent();
        inst = replacement;
        zero = false;
      }
    }
    IRBuilder<>(inst->getNextNode())
        .CreateCall(allocated,
                    {token, inst, bytes, ConstantInt::get(i64, zero ? 1 : 0)});
  }
  FunctionCallee leave = runtime("__tensorlang_contain_leave",
                                 Type::getVoidTy(context), {i64});
  for (ReturnInst *ret : returns)
    IRBuilder<>(ret).CreateCall(leave, {token});
  Function *trap = Intrinsic::getOrInsertDeclaration(&module, Intrinsic::trap);
  for (UnreachableInst *unreachable : unreachables)
    IRBuilder<>(unreachable).CreateCall(trap, {});

  // Now the table is complete: a global of the right type takes the
  // placeholder's uses.
  Constant *text = ConstantDataArray::getString(context, checks.table, true);
  auto *complete = new GlobalVariable(module, text->getType(), true,
                                      GlobalValue::PrivateLinkage, text,
                                      "__tensorlang_contain_checks");
  table->replaceAllUsesWith(complete);
  table->eraseFromParent();
  return "";
}

} // namespace

char *tlContainFunction(LLVMModuleRef moduleRef, const char *name,
                        const char *callees) {
  Module &module = *unwrap(moduleRef);
  Function *function = module.getFunction(name);
  if (!function || function->isDeclaration())
    return error(std::string("no definition of @") + name + " to contain");
  StringSet<> allowed;
  StringRef list(callees);
  while (!list.empty()) {
    auto [head, tail] = list.split(',');
    if (!head.empty())
      allowed.insert(head);
    list = tail;
  }
  Containment containment(module, *function, std::move(allowed));
  std::string why = containment.run();
  if (!why.empty())
    return error(why);
  StripDebugInfo(module);
  return nullptr;
}
