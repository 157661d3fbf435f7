// Not a test: the program whose compiled code cache-objects.mlir plants in another program's
// object cache. Its entry point prints 99.
func.func @main() {
  %c = arith.constant 99 : i32
  vector.print %c : i32
  return
}
