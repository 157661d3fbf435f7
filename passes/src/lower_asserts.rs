//! `--tensorlang-lower-asserts`: every `cf.assert` (a check inserted by `tensorlang-instrument`, a
//! lowered `tensorlang.assert`, or a plain upstream assert) becomes a call of the runtime naming
//! the failed check, instead of an abort that loses the message.
//!
//! The module gets a check table, `@__tensorlang_checks` (see [`tensorlang_checks::CheckTable`]),
//! from check id to kind, `file:line:col` and message; a failing check calls
//! `__tensorlang_assert_fail(id, table)`, which a runner's crash guard or
//! `libtensorlang_checks.so` turns into `file:line:col: error: message`.
//!
//! ```mlir
//! // before
//! cf.assert %ok, "speed too high" loc("lander.mlir":12:5)
//! // after
//! scf.if %ok {
//! } else {
//!   %c0_i64 = arith.constant 0 : i64
//!   %0 = llvm.mlir.addressof @__tensorlang_checks : !llvm.ptr
//!   func.call @__tensorlang_assert_fail(%c0_i64, %0) : (i64, !llvm.ptr) -> ()
//! }
//! // and once per module
//! llvm.mlir.global internal constant @__tensorlang_checks("tensorlang-checks 1\0A0\09assert\09lander.mlir:12:5\09assertion failed: speed too high\0A\00")
//! func.func private @__tensorlang_assert_fail(i64, !llvm.ptr)
//! ```
//!
//! Running the pass again keeps the ids already given and appends new ones.

use crate::builder::{Builder, string_literal};
use crate::instrument::census::check_kind;
use crate::{OpExt, ops_where};
use melior::dialect::{arith, func, scf};
use melior::ir::attribute::{FlatSymbolRefAttribute, IntegerAttribute};
use melior::ir::block::BlockLike;
use melior::ir::operation::{OperationBuilder, OperationLike};
use melior::ir::r#type::IntegerType;
use melior::ir::{Block, BlockRef, OperationRef, Region, RegionLike, Type, Value};
use melior::{Context, IrRewriter};
use tensorlang::diagnostic::format_location;
use tensorlang::ir::OperationExt;
use tensorlang::{PassDefinition, PassFailure, PassInvocation, emit_error};
use tensorlang_checks::{ASSERT_FAIL_SYMBOL, CheckKind, CheckTable, TABLE_SYMBOL};

/// The pass definition, registered as `tensorlang-lower-asserts`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"tensorlang-lower-asserts",
    name: c"TensorLangLowerAsserts",
    summary: c"Lower cf.assert to a call of __tensorlang_assert_fail with an id into the module's check table",
    anchor: Some(c"builtin.module"),
    options: &[],
    dependent_dialects: &[
        mlir_sys::mlirGetDialectHandle__arith__,
        mlir_sys::mlirGetDialectHandle__func__,
        mlir_sys::mlirGetDialectHandle__llvm__,
        mlir_sys::mlirGetDialectHandle__scf__,
    ],
    run,
};

fn run(context: &Context, module: OperationRef, _: &PassInvocation) -> Result<(), PassFailure> {
    let asserts = ops_where(module, |name| name == "cf.assert");
    if asserts.is_empty() {
        return Ok(());
    }
    let body = module
        .region_at(0)
        .and_then(|region| region.first_block())
        .ok_or(PassFailure)?;
    let previous = find_symbol(body, "llvm.mlir.global", TABLE_SYMBOL);
    let mut table = match previous {
        Some(global) => read_table(global)?,
        None => CheckTable::new(),
    };
    let rewriter = IrRewriter::new(context);
    let rewriter = &rewriter;
    for op in asserts {
        let kind = check_kind(op).unwrap_or(CheckKind::Assert);
        let message = op.string_attribute("msg");
        let message = match kind {
            CheckKind::Assert => format!("assertion failed: {message}"),
            _ => message,
        };
        let id = table.add(kind, &format_location(op.location()), &message);
        rewriter.as_rewriter_base().set_insertion_point_before(op);
        let builder = Builder {
            context,
            location: op.location(),
            rewriter,
        };
        let condition = op.operand(0).expect("cf.assert has a condition");
        call_on_failure(&builder, condition, id);
        rewriter.as_rewriter_base().erase_op(op);
    }
    if let Some(global) = previous {
        rewriter.as_rewriter_base().erase_op(global);
    }
    rewriter
        .as_rewriter_base()
        .set_insertion_point_to_start(body);
    let builder = Builder {
        context,
        location: module.location(),
        rewriter,
    };
    let text = format!("{}\0", table.encode());
    builder.insert_void(builder.parse_op(&format!(
        "llvm.mlir.global internal constant @{TABLE_SYMBOL}({}) {{addr_space = 0 : i32}}",
        string_literal(&text)
    )));
    if find_symbol(body, "func.func", ASSERT_FAIL_SYMBOL).is_none() {
        builder.insert_void(builder.parse_op(&format!(
            "func.func private @{ASSERT_FAIL_SYMBOL}(i64, !llvm.ptr)"
        )));
    }
    Ok(())
}

/// `scf.if %condition {} else { call @__tensorlang_assert_fail(id, @__tensorlang_checks) }`.
fn call_on_failure<'c>(builder: &Builder<'c, '_>, condition: Value<'c, '_>, id: u64) {
    let context = builder.context;
    let location = builder.location;
    let then_block = Block::new(&[]);
    then_block.append_operation(scf::r#yield(&[], location));
    let else_block = Block::new(&[]);
    let i64_type: Type = IntegerType::new(context, 64).into();
    let id = else_block.append_operation(arith::constant(
        context,
        IntegerAttribute::new(i64_type, id as i64).into(),
        location,
    ));
    let table = else_block.append_operation(
        OperationBuilder::new("llvm.mlir.addressof", location)
            .add_attributes(&[builder.named(
                "global_name",
                FlatSymbolRefAttribute::new(context, TABLE_SYMBOL).into(),
            )])
            .add_results(&[builder.r#type("!llvm.ptr")])
            .build()
            .expect("llvm.mlir.addressof of a symbol is valid"),
    );
    let arguments = [
        id.result(0).expect("a constant has a result").into(),
        table.result(0).expect("addressof has a result").into(),
    ];
    else_block.append_operation(func::call(
        context,
        FlatSymbolRefAttribute::new(context, ASSERT_FAIL_SYMBOL),
        &arguments,
        &[],
        location,
    ));
    else_block.append_operation(scf::r#yield(&[], location));
    let (then_region, else_region) = (Region::new(), Region::new());
    then_region.append_block(then_block);
    else_region.append_block(else_block);
    builder.insert_void(scf::r#if(
        condition,
        &[],
        then_region,
        else_region,
        location,
    ));
}

/// The op named `op_name` with `sym_name = symbol` directly in `body`.
fn find_symbol<'c, 'a>(
    body: BlockRef<'c, 'a>,
    op_name: &str,
    symbol: &str,
) -> Option<OperationRef<'c, 'a>> {
    let mut next = body.first_operation();
    while let Some(op) = next {
        if op.op_name() == op_name && op.string_attribute("sym_name") == symbol {
            return Some(op);
        }
        next = op.next_in_block();
    }
    None
}

/// The table an earlier run left in `global`; a table this version cannot read is an error.
fn read_table(global: OperationRef) -> Result<CheckTable, PassFailure> {
    let text = global.string_attribute("value");
    CheckTable::decode(text.trim_end_matches('\0')).map_err(|error| {
        emit_error(
            global.location(),
            &format!("cannot extend the check table @{TABLE_SYMBOL}: {error}"),
        );
        PassFailure
    })
}
