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
