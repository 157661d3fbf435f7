//! A parameterised controller template, filled by search: for a function from a few floats (the
//! state) to one float (the command), `max(0, bias + Σ gain_i * state_i)`, a proportional-
//! derivative law when the state is a position and a velocity. The gains come from a small grid;
//! the program's own asserts (touchdown speed, limits) decide which one is right.

/// Constant terms tried, most plausible first.
const BIASES: &[f64] = &[1.0, 1.5, 0.5, 2.0];
/// Gains tried for each state variable; negative gains push back against the state.
const GAINS: &[f64] = &[-1.0, -0.5, -0.1, 0.0, -2.0];
/// More state variables than this make the grid too large to search.
const MAX_STATE: usize = 2;

/// A filled template: what it is, and the function.
pub struct Filled {
    /// `bias 1.0, gains [-0.1, -1.0]`.
    pub parameters: String,
    /// The whole replacement function.
    pub function: String,
}

/// Every filling of the template for `function` (printed with locations), or none when its
/// signature is not floats to a float or it holds asserts (a template would drop them).
pub fn fillings(function: &str) -> Vec<Filled> {
    let lines: Vec<&str> = function.lines().collect();
    let (Some(header), Some(footer)) = (lines.first(), lines.last()) else {
        return Vec::new();
    };
    if function.contains("assert") || !footer.trim_start().starts_with('}') {
        return Vec::new();
    }
    let Some((arguments, result)) = signature(header) else {
        return Vec::new();
    };
    if arguments.is_empty()
        || arguments.len() > MAX_STATE
        || !matches!(result.as_str(), "f32" | "f64")
        || arguments.iter().any(|(_, ty)| *ty != result)
    {
        return Vec::new();
    }
    let mut fillings = Vec::new();
    for gains in grid(arguments.len()) {
        for &bias in BIASES {
            fillings.push(Filled {
                parameters: format!("bias {bias:.1}, gains {gains:?}"),
                function: render(header, footer, &arguments, &result, bias, &gains),
            });
        }
    }
    fillings
}

/// Every combination of gains for `count` state variables.
fn grid(count: usize) -> Vec<Vec<f64>> {
    let mut combinations = vec![Vec::new()];
    for _ in 0..count {
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                GAINS.iter().map(move |&gain| {
                    let mut next = prefix.clone();
                    next.push(gain);
                    next
                })
            })
            .collect();
    }
    combinations
}

fn render(
    header: &str,
    footer: &str,
    arguments: &[(String, String)],
    ty: &str,
    bias: f64,
    gains: &[f64],
) -> String {
    let mut body = vec![header.to_owned()];
    body.push(format!("  %tl_law_sum0 = arith.constant {bias:.6e} : {ty}"));
    for (index, ((name, _), gain)) in arguments.iter().zip(gains).enumerate() {
        body.push(format!(
            "  %tl_law_gain{index} = arith.constant {gain:.6e} : {ty}"
        ));
        body.push(format!(
            "  %tl_law_term{index} = arith.mulf %tl_law_gain{index}, {name} : {ty}"
        ));
        body.push(format!(
            "  %tl_law_sum{} = arith.addf %tl_law_sum{index}, %tl_law_term{index} : {ty}",
            index + 1
        ));
    }
    body.push(format!(
        "  %tl_law_zero = arith.constant 0.000000e+00 : {ty}"
    ));
    body.push(format!(
        "  %tl_law_command = arith.maximumf %tl_law_sum{}, %tl_law_zero : {ty}",
        arguments.len()
    ));
    body.push(format!("  return %tl_law_command : {ty}"));
    body.push(footer.to_owned());
    body.join("\n") + "\n"
}

/// The arguments (`%arg0`, type) and the single result type of a printed `func.func` header.
fn signature(header: &str) -> Option<(Vec<(String, String)>, String)> {
    let open = header.find('(')?;
    let arrow = header.rfind(") -> ")?;
    let result = header[arrow + 5..].trim_end_matches('{').trim().to_owned();
    let mut arguments = Vec::new();
    for part in header[open + 1..arrow].split(", %") {
        let (name, rest) = part.trim_start_matches('%').split_once(": ")?;
        let ty = rest.split(" loc(").next()?.trim();
        arguments.push((format!("%{name}"), ty.to_owned()));
    }
    Some((arguments, result))
}

#[cfg(test)]
mod tests {
    use super::*;

    const THRUST: &str = "func.func @thrust(%arg0: f32 loc(\"l.mlir\":7:19), %arg1: f32 loc(\"l.mlir\":7:35)) -> f32 {\n  %cst = arith.constant 0.000000e+00 : f32 loc(\"l.mlir\":8:11)\n  return %cst : f32 loc(\"l.mlir\":9:3)\n} loc(\"l.mlir\":7:1)\n";

    #[test]
    fn the_signature_is_read_through_locations() {
        let (arguments, result) = signature(THRUST.lines().next().unwrap()).unwrap();
        let expected =
            [("%arg0", "f32"), ("%arg1", "f32")].map(|(n, t)| (n.to_owned(), t.to_owned()));
        assert_eq!(arguments, expected);
        assert_eq!(result, "f32");
    }

    #[test]
    fn a_state_to_command_function_gets_the_whole_grid() {
        let fillings = fillings(THRUST);
        assert_eq!(fillings.len(), GAINS.len() * GAINS.len() * BIASES.len());
        let first = &fillings[0];
        assert_eq!(first.parameters, "bias 1.0, gains [-1.0, -1.0]");
        assert!(
            first
                .function
                .contains("%tl_law_term1 = arith.mulf %tl_law_gain1, %arg1 : f32")
        );
        assert!(first.function.ends_with("} loc(\"l.mlir\":7:1)\n"));
    }

    #[test]
    fn other_functions_are_left_to_other_strategies() {
        assert!(fillings(&THRUST.replace("-> f32", "-> i32")).is_empty());
        assert!(fillings("func.func @f() {\n  return\n}\n").is_empty());
    }
}
