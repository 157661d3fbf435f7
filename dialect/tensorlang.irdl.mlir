// The `tensorlang` dialect, defined once, in IRDL.
//
// Every tool of ours loads this file at start-up, and upstream `mlir-opt --irdl-file=` accepts it.
// IRDL checks each op's arity, the kinds of its operands, results and attributes. What IRDL cannot
// express (shapes agree, element types match, axes in range) is checked by `--tensorlang-verify`.
// docs/dialect.md documents every op.

irdl.dialect @tensorlang {
  // Arithmetic of two tensors, element by element. One constraint variable for both operands
  // and the result makes IRDL require that all three have the same type.
  irdl.operation @add {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %tensor, rhs: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @sub {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %tensor, rhs: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @mul {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %tensor, rhs: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @div {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %tensor, rhs: %tensor)
    irdl.results(result: %tensor)
  }

  // One-operand math, element by element; the result has the input's type. `exp`, `log`,
  // `sqrt` and `tanh` take floats; `abs` and `neg` take integers too.
  irdl.operation @exp {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @log {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @sqrt {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @tanh {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @abs {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }
  irdl.operation @neg {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }

  // Compares two tensors element by element: a tensor of i1 of the same shape.
  irdl.operation @compare {
    %operand = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %eq = irdl.is "eq"
    %ne = irdl.is "ne"
    %lt = irdl.is "lt"
    %le = irdl.is "le"
    %gt = irdl.is "gt"
    %ge = irdl.is "ge"
    %predicate = irdl.any_of(%eq, %ne, %lt, %le, %gt, %ge)
    irdl.attributes {"predicate" = %predicate}
    irdl.operands(lhs: %operand, rhs: %operand)
    irdl.results(result: %result)
  }

  // Element by element: `true_value` where `condition` holds, else `false_value`.
  irdl.operation @select {
    %condition = irdl.base "!builtin.tensor"
    %value = irdl.base "!builtin.tensor"
    irdl.operands(condition: %condition, true_value: %value, false_value: %value)
    irdl.results(result: %value)
  }

  // A scalar, or a tensor whose shape is the result's trailing dimensions, repeated to the
  // result's shape.
  irdl.operation @broadcast {
    %input = irdl.any
    %result = irdl.base "!builtin.tensor"
    irdl.operands(input: %input)
    irdl.results(result: %result)
  }

  // A tensor literal: `value` is a dense elements attribute of the result type.
  irdl.operation @constant {
    %tensor = irdl.base "!builtin.tensor"
    %dense = irdl.base "#builtin.dense_int_or_fp_elements"
    irdl.attributes {"value" = %dense}
    irdl.results(result: %tensor)
  }

  // Matrix product of a MxK and a KxN tensor.
  irdl.operation @matmul {
    %lhs = irdl.base "!builtin.tensor"
    %rhs = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    irdl.operands(lhs: %lhs, rhs: %rhs)
    irdl.results(result: %result)
  }

  // Permutes the dimensions of a tensor: result dim i is input dim permutation[i].
  irdl.operation @transpose {
    %input = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %array = irdl.base "#builtin.dense_array"
    irdl.attributes {"permutation" = %array}
    irdl.operands(input: %input)
    irdl.results(result: %result)
  }

  // Folds one axis of a tensor with `sum` or `max`.
  irdl.operation @reduce {
    %input = irdl.base "!builtin.tensor"
    %result = irdl.base "!builtin.tensor"
    %sum = irdl.is "sum"
    %max = irdl.is "max"
    %kind = irdl.any_of(%sum, %max)
    %axis = irdl.base "#builtin.integer"
    irdl.attributes {"kind" = %kind, "axis" = %axis}
    irdl.operands(input: %input)
    irdl.results(result: %result)
  }

  // max(x, 0), element by element; the result has the input's type.
  irdl.operation @relu {
    %tensor = irdl.base "!builtin.tensor"
    irdl.operands(input: %tensor)
    irdl.results(result: %tensor)
  }

  // A run-time invariant: stops the program with `message` when `condition` is false.
  irdl.operation @assert {
    %i1 = irdl.is i1
    %string = irdl.base "#builtin.string"
    irdl.attributes {"message" = %string}
    irdl.operands(condition: %i1)
    irdl.results()
  }

  // Prints a tensor (as a memref) or a scalar, followed by a newline.
  irdl.operation @print {
    %value = irdl.any
    irdl.operands(value: %value)
    irdl.results()
  }
}
