//! MLIR diagnostics as text in the `file:line:col: error: message` form users know from
//! `mlir-opt`.

use crate::native::TlSeverity;
use melior::Context;
use melior::diagnostic::{Diagnostic, DiagnosticHandlerId, DiagnosticSeverity};
use melior::ir::Location;
use std::sync::{Arc, Mutex};

/// Collects the diagnostics a context emits while it is alive, formatted as `mlir-opt` prints them.
pub struct Diagnostics<'c> {
    context: &'c Context,
    handler: DiagnosticHandlerId,
    lines: Arc<Mutex<Vec<String>>>,
}

impl<'c> Diagnostics<'c> {
    /// Starts capturing the diagnostics of `context`; they are no longer printed to stderr.
    pub fn capture(context: &'c Context) -> Self {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let handler = context.attach_diagnostic_handler(move |diagnostic| {
            if let Ok(mut sink) = sink.lock() {
                sink.push(format_diagnostic(&diagnostic));
            }
            true
        });
        Self {
            context,
            handler,
            lines,
        }
    }

    /// Everything captured so far, one diagnostic (with its notes) per entry, and clears the list.
    pub fn take(&self) -> Vec<String> {
        self.lines
            .lock()
            .map(|mut lines| std::mem::take(&mut *lines))
            .unwrap_or_default()
    }

    /// Everything captured so far joined into one message (or `fallback` when nothing was said).
    pub fn take_message(&self, fallback: &str) -> String {
        let lines = self.take();
        if lines.is_empty() {
            fallback.to_string()
        } else {
            lines.join("\n")
        }
    }
}

impl Drop for Diagnostics<'_> {
    fn drop(&mut self) {
        self.context.detach_diagnostic_handler(self.handler);
    }
}

/// Formats a diagnostic and its notes as `file:line:col: error: message`.
pub fn format_diagnostic(diagnostic: &Diagnostic) -> String {
    let severity = match diagnostic.severity() {
        DiagnosticSeverity::Error => "error",
        DiagnosticSeverity::Warning => "warning",
        DiagnosticSeverity::Note => "note",
        DiagnosticSeverity::Remark => "remark",
    };
    let mut text = format!(
        "{}: {severity}: {diagnostic}",
        format_location(diagnostic.location())
    );
    for index in 0..diagnostic.note_count() {
        if let Ok(note) = diagnostic.note(index) {
            text.push('\n');
            text.push_str(&format_diagnostic(&note));
        }
    }
    text
}

/// Formats a location as `file:line:col`, looking through names, call sites and fusions for the
/// first file position; `loc(unknown)` where there is none.
pub fn format_location(location: Location) -> String {
    file_line_col(location).unwrap_or_else(|| "loc(unknown)".to_string())
}

fn file_line_col(location: Location) -> Option<String> {
    if location.is_file_line_col_range() {
        return Some(format!(
            "{}:{}:{}",
            location
                .file_line_col_range_filename()
                .as_string_ref()
                .as_str()
                .unwrap_or("?"),
            location.file_line_col_range_start_line(),
            location.file_line_col_range_start_column()
        ));
    }
    if location.is_name() {
        return file_line_col(location.name_child_location());
    }
    if location.is_call_site() {
        return file_line_col(location.call_site_callee());
    }
    if location.is_fused() {
        return (0..location.fused_num_locations())
            .find_map(|i| file_line_col(location.fused_location(i)));
    }
    None
}

/// Emits an error at `location` through the context's diagnostic engine, as an op's verifier would.
pub fn emit_error(location: Location, message: &str) {
    emit(location, TlSeverity::Error, message);
}

/// Emits a warning at `location`.
pub fn emit_warning(location: Location, message: &str) {
    emit(location, TlSeverity::Warning, message);
}

/// Emits a remark at `location` (e.g. a pass's statistics).
pub fn emit_remark(location: Location, message: &str) {
    emit(location, TlSeverity::Remark, message);
}

fn emit(location: Location, severity: TlSeverity, message: &str) {
    let message = std::ffi::CString::new(message.replace('\0', " ")).unwrap_or_default();
    // SAFETY: the location is valid for its context and the message is a NUL-terminated string
    // that MLIR copies before returning.
    unsafe { crate::native::tlEmitDiagnostic(location.to_raw(), severity, message.as_ptr()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emitted_errors_are_captured_with_their_location() {
        let context = crate::create_context().unwrap();
        let diagnostics = Diagnostics::capture(&context);
        emit_error(
            Location::new(&context, "kernel.mlir", 3, 7),
            "shapes disagree",
        );
        assert_eq!(
            diagnostics.take(),
            vec!["kernel.mlir:3:7: error: shapes disagree".to_string()]
        );
        assert!(diagnostics.take().is_empty());
        emit_remark(Location::new(&context, "kernel.mlir", 1, 1), "3 checks");
        emit_warning(Location::new(&context, "kernel.mlir", 2, 1), "always fails");
        assert_eq!(
            diagnostics.take(),
            vec![
                "kernel.mlir:1:1: remark: 3 checks".to_string(),
                "kernel.mlir:2:1: warning: always fails".to_string()
            ]
        );
    }

    #[test]
    fn unknown_locations_say_so() {
        let context = crate::create_context().unwrap();
        assert_eq!(format_location(Location::unknown(&context)), "loc(unknown)");
        let named = Location::name(&context, "x", Location::new(&context, "a.mlir", 1, 2));
        assert_eq!(format_location(named), "a.mlir:1:2");
    }
}
