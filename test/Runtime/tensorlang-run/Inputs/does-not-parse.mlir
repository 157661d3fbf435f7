// An SSA value used before it is defined.
func.func @main() -> i32 {
  return %nothing : i32
}
