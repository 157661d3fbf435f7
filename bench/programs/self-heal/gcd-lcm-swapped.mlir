// Euclid's gcd as a while loop, and @lcm built on it; @main checks both on a few pairs.
// Bug: the remainder is taken as b rem a instead of a rem b (swapped operands).
func.func @gcd(%x: i32, %y: i32) -> i32 {
  %zero = arith.constant 0 : i32
  %r:2 = scf.while (%a = %x, %b = %y) : (i32, i32) -> (i32, i32) {
    %more = arith.cmpi ne, %b, %zero : i32
    scf.condition(%more) %a, %b : i32, i32
  } do {
  ^bb0(%a: i32, %b: i32):
    %m = arith.remsi %b, %a : i32
    scf.yield %b, %m : i32, i32
  }
  return %r#0 : i32
}

func.func @lcm(%x: i32, %y: i32) -> i32 {
  %g = call @gcd(%x, %y) : (i32, i32) -> i32
  %q = arith.divsi %x, %g : i32
  %l = arith.muli %q, %y : i32
  return %l : i32
}

func.func @main() {
  %c48 = arith.constant 48 : i32
  %c18 = arith.constant 18 : i32
  %c21 = arith.constant 21 : i32
  %c35 = arith.constant 35 : i32
  %g1 = call @gcd(%c48, %c18) : (i32, i32) -> i32
  %g2 = call @gcd(%c21, %c35) : (i32, i32) -> i32
  %l1 = call @lcm(%c21, %c35) : (i32, i32) -> i32
  %c6 = arith.constant 6 : i32
  %c7 = arith.constant 7 : i32
  %c105 = arith.constant 105 : i32
  %ok1 = arith.cmpi eq, %g1, %c6 : i32
  cf.assert %ok1, "gcd(48, 18) is 6"
  %ok2 = arith.cmpi eq, %g2, %c7 : i32
  cf.assert %ok2, "gcd(21, 35) is 7"
  %ok3 = arith.cmpi eq, %l1, %c105 : i32
  cf.assert %ok3, "lcm(21, 35) is 105"
  vector.print %l1 : i32
  return
}
