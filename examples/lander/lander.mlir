// The Lunar Lander, in TensorLang: a descent simulated step by step, a controller the runtime may
// replace, and the physics' invariants as tensorlang.assert (thrust within the engine's limits,
// no NaN, a descent rate the engine can still stop, a soft touchdown).
//
// The shipped controller has a bug: its ignition test is inverted, so the engine fires above
// 40 m and cuts out below. The lander leaves its safe envelope a few metres above the ground;
// tensorlang-run restores the failed step, repairs @controller, swaps it in and the lander lands.
//
//   scripts/run_lander.sh                      # the demo, with a plot
//   tensorlang-run examples/lander/lander.mlir -e main -entry-point-result=void
//
// Each step prints ( time s, altitude m, velocity m/s, thrust m/s^2 ).

// The thrust to command (m/s^2, upward) for the lander's altitude (m) and velocity (m/s, up is
// positive): below the ignition altitude, hold a descent of 1.5 m/s, within the engine's 10 m/s^2.
func.func @controller(%altitude: f32, %velocity: f32) -> f32 attributes {tensorlang.replaceable} {
  %gravity = arith.constant 1.62 : f32
  %gain = arith.constant 1.5 : f32
  %target = arith.constant -1.5 : f32
  %ignition = arith.constant 40.0 : f32
  %off = arith.constant 0.0 : f32
  %full = arith.constant 10.0 : f32
  %error = arith.subf %target, %velocity : f32
  %push = arith.mulf %gain, %error : f32
  %wanted = arith.addf %gravity, %push : f32
  %burn = arith.minimumf %wanted, %full : f32
  %armed = arith.cmpf ogt, %altitude, %ignition : f32
  %thrust = arith.select %armed, %burn, %off : f32
  return %thrust : f32
}

// One step of 0.1 s: asks the controller, checks what it asked for, integrates, and checks the
// new state. %state is ( time, altitude, velocity, thrust ). Trusted: these checks are the
// specification, and the runtime never replaces this function.
func.func @step(%state: memref<4xf32>) attributes {tensorlang.trusted} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %dt = arith.constant 0.1 : f32
  %gravity = arith.constant 1.62 : f32
  %max_thrust = arith.constant 10.0 : f32
  %zero = arith.constant 0.0 : f32
  %touchdown_limit = arith.constant -2.0 : f32
  // The engine's net braking (max thrust - gravity), with a margin of 2: 2 * 8.38 / 2.
  %braking = arith.constant 8.38 : f32
  %slack = arith.constant 4.0 : f32
  %time = memref.load %state[%c0] : memref<4xf32>
  %altitude = memref.load %state[%c1] : memref<4xf32>
  %velocity = memref.load %state[%c2] : memref<4xf32>
  %thrust = func.call @controller(%altitude, %velocity) : (f32, f32) -> f32
  %is_number = arith.cmpf ord, %thrust, %thrust : f32
  "tensorlang.assert"(%is_number) {message = "the thrust command is a number (not NaN)"} : (i1) -> ()
  %not_negative = arith.cmpf oge, %thrust, %zero : f32
  %not_too_much = arith.cmpf ole, %thrust, %max_thrust : f32
  %within_limits = arith.andi %not_negative, %not_too_much : i1
  "tensorlang.assert"(%within_limits) {message = "thrust within the engine's limits (0 to 10 m/s^2)"} : (i1) -> ()
  %net = arith.subf %thrust, %gravity : f32
  %dv = arith.mulf %net, %dt : f32
  %new_velocity = arith.addf %velocity, %dv : f32
  %dh = arith.mulf %new_velocity, %dt : f32
  %new_altitude = arith.addf %altitude, %dh : f32
  %new_time = arith.addf %time, %dt : f32
  // Flying: the engine must still be able to stop the descent before the ground.
  %flying = arith.cmpf ogt, %new_altitude, %zero : f32
  %speed_squared = arith.mulf %new_velocity, %new_velocity : f32
  %stopping = arith.mulf %braking, %new_altitude : f32
  %envelope = arith.addf %stopping, %slack : f32
  %stoppable = arith.cmpf ole, %speed_squared, %envelope : f32
  %true = arith.constant true
  %landed = arith.xori %flying, %true : i1
  %safe = arith.ori %landed, %stoppable : i1
  "tensorlang.assert"(%safe) {message = "descent rate within the safe envelope (the engine can still stop it)"} : (i1) -> ()
  // Touching down: slower than 2 m/s.
  %soft = arith.cmpf oge, %new_velocity, %touchdown_limit : f32
  %gentle = arith.ori %flying, %soft : i1
  "tensorlang.assert"(%gentle) {message = "touchdown slower than 2 m/s"} : (i1) -> ()
  %ground = arith.maximumf %new_altitude, %zero : f32
  memref.store %new_time, %state[%c0] : memref<4xf32>
  memref.store %ground, %state[%c1] : memref<4xf32>
  memref.store %new_velocity, %state[%c2] : memref<4xf32>
  memref.store %thrust, %state[%c3] : memref<4xf32>
  return
}

// Flies from 100 m at 8 m/s down until touchdown (at most 120 s) and prints every step.
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %max_steps = arith.constant 1200 : index
  %zero = arith.constant 0.0 : f32
  %initial_altitude = arith.constant 100.0 : f32
  %initial_velocity = arith.constant -8.0 : f32
  %state = memref.alloc() : memref<4xf32>
  memref.store %zero, %state[%c0] : memref<4xf32>
  memref.store %initial_altitude, %state[%c1] : memref<4xf32>
  memref.store %initial_velocity, %state[%c2] : memref<4xf32>
  memref.store %zero, %state[%c3] : memref<4xf32>
  %steps = scf.while (%i = %c0) : (index) -> index {
    %altitude = memref.load %state[%c1] : memref<4xf32>
    %flying = arith.cmpf ogt, %altitude, %zero : f32
    %in_time = arith.cmpi slt, %i, %max_steps : index
    %go_on = arith.andi %flying, %in_time : i1
    scf.condition(%go_on) %i : index
  } do {
  ^bb0(%i: index):
    func.call @step(%state) : (memref<4xf32>) -> ()
    %t = memref.load %state[%c0] : memref<4xf32>
    %h = memref.load %state[%c1] : memref<4xf32>
    %v = memref.load %state[%c2] : memref<4xf32>
    %u = memref.load %state[%c3] : memref<4xf32>
    %row = vector.from_elements %t, %h, %v, %u : vector<4xf32>
    vector.print %row : vector<4xf32>
    %next = arith.addi %i, %c1 : index
    scf.yield %next : index
  }
  %final_altitude = memref.load %state[%c1] : memref<4xf32>
  %down = arith.cmpf ole, %final_altitude, %zero : f32
  "tensorlang.assert"(%down) {message = "landed within 120 s"} : (i1) -> ()
  memref.dealloc %state : memref<4xf32>
  return
}
