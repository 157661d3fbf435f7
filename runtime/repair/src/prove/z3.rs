//! The Z3 solver through libz3's C API (Debian's `libz3-dev`): an SMT-LIB2 script in, Z3's
//! printed answers out. One context per script, with a resource budget (Z3's `rlimit`: a count
//! of its own steps, deterministic, with no timer thread: Z3 4.8's timers deadlocked here when
//! two threads solved at once); Z3's errors come back in the answer text (`(error ...)`), never
//! as an abort of the process.

use std::ffi::{CStr, CString, c_char, c_void};

#[link(name = "z3")]
unsafe extern "C" {
    fn Z3_mk_config() -> *mut c_void;
    fn Z3_del_config(config: *mut c_void);
    fn Z3_set_param_value(config: *mut c_void, id: *const c_char, value: *const c_char);
    fn Z3_mk_context(config: *mut c_void) -> *mut c_void;
    fn Z3_del_context(context: *mut c_void);
    fn Z3_set_error_handler(
        context: *mut c_void,
        handler: Option<unsafe extern "C" fn(*mut c_void, u32)>,
    );
    fn Z3_eval_smtlib2_string(context: *mut c_void, script: *const c_char) -> *const c_char;
}

/// Z3's default error handler ends the process; this one leaves the error in the answer.
unsafe extern "C" fn keep_going(_: *mut c_void, _: u32) {}

/// Runs `script` and returns what Z3 printed (one answer per `check-sat`, `get-value`, ...);
/// a check-sat that needs more than `budget` of Z3's resource units answers `unknown`.
///
/// # Errors
/// The script holds a NUL byte.
pub fn run_script(script: &str, budget: u64) -> Result<String, String> {
    let script = CString::new(format!("(set-option :rlimit {budget})\n{script}"))
        .map_err(|_| "an SMT script with a NUL byte".to_owned())?;
    // SAFETY: a fresh configuration and context, used only here and deleted before returning;
    // the answer is copied before the context (which owns it) is deleted.
    unsafe {
        let config = Z3_mk_config();
        Z3_set_param_value(config, c"model".as_ptr(), c"true".as_ptr());
        let context = Z3_mk_context(config);
        Z3_del_config(config);
        Z3_set_error_handler(context, Some(keep_going));
        let answer = Z3_eval_smtlib2_string(context, script.as_ptr());
        let text = if answer.is_null() {
            String::new()
        } else {
            CStr::from_ptr(answer).to_string_lossy().into_owned()
        };
        Z3_del_context(context);
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z3_answers_sat_unsat_and_values() {
        let answer = run_script(
            "(declare-const x (_ BitVec 8))\n(assert (= (bvadd x #x01) #x00))\n(check-sat)\n(get-value (x))\n",
            2000,
        )
        .unwrap();
        assert!(answer.starts_with("sat"), "{answer}");
        assert!(answer.contains("#xff"), "{answer}");
        let answer = run_script(
            "(declare-const x Bool)\n(assert (and x (not x)))\n(check-sat)\n",
            2000,
        )
        .unwrap();
        assert_eq!(answer.trim(), "unsat");
        let answer = run_script("(assert (= 1 true))\n(check-sat)\n", 2000).unwrap();
        assert!(answer.contains("error"), "{answer}");
    }
}
