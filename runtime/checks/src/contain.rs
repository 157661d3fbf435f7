//! Containment at the address: the run-time half of `tensorlang-contain`.
//!
//! Code that is not the user's own (a repair candidate from the model, the symbolic strategies
//! or a cache file) runs with every load and store checked against the byte ranges it may
//! touch in this call, whatever view arithmetic, overflow flag or loop step produced the
//! address:
//!
//! - it may **read** the buffers it was handed (their exact extents as passed: offset, sizes and
//!   strides), the globals it names, what calls return to it, and what it allocated;
//! - it may **write** only the arguments and globals the function it replaces writes, and its
//!   own allocations (which read as zero until written).
//!
//! The compiled code calls [`__tensorlang_contain_enter`] first (a frame per call, its index the
//! *token* every other call passes), registers ranges as the pointers appear, checks each access
//! with [`__tensorlang_contain_access`] and leaves with [`__tensorlang_contain_leave`]. An access
//! outside the frame's ranges is a failed check: the check's id and the module's check table go
//! to the failure handler (the runner's crash guard, or [`crate::__tensorlang_assert_fail`]), so
//! it is a located failure that heals, never memory corruption.
//!
//! A call cut short by a trap never leaves its frame; the next `enter` drops every frame whose
//! stack pointer is below its own (frames of calls that are gone), so stale frames cannot pile up
//! or be consulted.

use std::cell::UnsafeCell;
use std::ffi::c_char;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Symbols of the containment runtime, each with the address of its entry point: the JIT defines
/// them for the code it loads.
pub fn symbols() -> [(&'static str, usize); 7] {
    [
        (
            ENTER_SYMBOL,
            __tensorlang_contain_enter as *const () as usize,
        ),
        (
            LEAVE_SYMBOL,
            __tensorlang_contain_leave as *const () as usize,
        ),
        (
            BUFFER_SYMBOL,
            __tensorlang_contain_buffer as *const () as usize,
        ),
        (VIEW_SYMBOL, __tensorlang_contain_view as *const () as usize),
        (
            ALLOC_SYMBOL,
            __tensorlang_contain_alloc as *const () as usize,
        ),
        (
            ACCESS_SYMBOL,
            __tensorlang_contain_access as *const () as usize,
        ),
        (LANE_SYMBOL, __tensorlang_contain_lane as *const () as usize),
    ]
}

/// `i64 enter()`: a new frame; its token.
pub const ENTER_SYMBOL: &str = "__tensorlang_contain_enter";
/// `void leave(i64 token)`.
pub const LEAVE_SYMBOL: &str = "__tensorlang_contain_leave";
/// `void buffer(i64 token, i64 rank, ptr descriptor, i64 element_bytes, i64 writable)`.
pub const BUFFER_SYMBOL: &str = "__tensorlang_contain_buffer";
/// `i1 view(i64 token, i64 rank, ptr descriptor, i64 element_bytes, i64 write)`.
pub const VIEW_SYMBOL: &str = "__tensorlang_contain_view";
/// `void alloc(i64 token, ptr start, i64 bytes, i64 zero)`.
pub const ALLOC_SYMBOL: &str = "__tensorlang_contain_alloc";
/// `void access(i64 token, ptr address, i64 bytes, i64 write, i64 id, ptr table, ptr hint)`.
pub const ACCESS_SYMBOL: &str = "__tensorlang_contain_access";
/// `void lane(i64 token, ptr address, i64 bytes, i64 write, i1 active, i64 id, ptr table)`.
pub const LANE_SYMBOL: &str = "__tensorlang_contain_lane";
/// The prefix of every containment symbol: a candidate may not name one.
pub const SYMBOL_PREFIX: &str = "__tensorlang_contain_";

/// Ranges one frame may hold; a call that registers more (allocations in a long loop, say)
/// fails its next access rather than growing without bound.
pub const MAX_RANGES: usize = 1 << 16;
/// Frames one thread may hold (nesting of contained calls).
pub const MAX_FRAMES: usize = 1 << 12;

/// A byte range `[start, end)` and whether it may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    start: usize,
    end: usize,
    writable: bool,
}

/// What one contained call may touch.
#[derive(Debug, Default)]
struct Frame {
    /// The stack pointer of the call that entered it (frames below the current one are gone).
    stack: usize,
    ranges: Vec<Range>,
    /// More than [`MAX_RANGES`] were registered: every access fails.
    overflowed: bool,
}

impl Frame {
    /// Adds `[start, start + bytes)`, merged into the last range when they touch and agree.
    fn add(&mut self, start: usize, bytes: usize, writable: bool) {
        let Some(end) = start.checked_add(bytes) else {
            self.overflowed = true;
            return;
        };
        if bytes == 0 {
            return;
        }
        if let Some(last) = self.ranges.last_mut()
            && last.writable == writable
            && start <= last.end
            && end >= last.start
        {
            last.start = last.start.min(start);
            last.end = last.end.max(end);
            return;
        }
        if self.ranges.len() >= MAX_RANGES {
            self.overflowed = true;
            return;
        }
        self.ranges.push(Range {
            start,
            end,
            writable,
        });
    }

    /// The range `[start, start + bytes)` lies in (a writable one for a write), if one holds it.
    fn containing(&self, start: usize, bytes: usize, write: bool) -> Option<Range> {
        if self.overflowed {
            return None;
        }
        let end = start.checked_add(bytes)?;
        // The most recent ranges first: accesses cluster on what was just allocated or handed.
        self.ranges
            .iter()
            .rev()
            .find(|r| r.start <= start && end <= r.end && (r.writable || !write))
            .copied()
    }

    /// Whether `[start, start + bytes)` lies in one range (a writable one for a write); an
    /// access of no bytes touches nothing.
    fn allows(&self, start: usize, bytes: usize, write: bool) -> bool {
        bytes == 0 || self.containing(start, bytes, write).is_some()
    }
}

/// One thread's frames.
#[derive(Default)]
struct Frames {
    frames: Vec<Frame>,
}

thread_local! {
    static FRAMES: UnsafeCell<Frames> = const { UnsafeCell::new(Frames { frames: Vec::new() }) };
}

/// Runs `f` on this thread's frames. `f` must not call back into this module.
fn with_frames<R>(f: impl FnOnce(&mut Frames) -> R) -> R {
    // SAFETY: the cell is this thread's own and `f` does not re-enter (no exclusive reference to
    // it exists elsewhere while `f` runs); nothing here can longjmp out of `f`.
    FRAMES.with(|cell| f(unsafe { &mut *cell.get() }))
}

/// The frame `token` names, if it is live.
fn frame(frames: &mut Frames, token: i64) -> Option<&mut Frame> {
    usize::try_from(token)
        .ok()
        .and_then(|i| frames.frames.get_mut(i))
}

/// Where a failed containment check goes: `void(i64 id, ptr table)`. The runner's crash guard
/// sets it; by default the process reports the check and exits ([`crate::__tensorlang_assert_fail`]).
static FAIL_HANDLER: AtomicUsize = AtomicUsize::new(0);

/// Sends failed containment checks to `handler` (a runner's guard entry for failed checks).
pub fn set_fail_handler(handler: unsafe extern "C" fn(i64, *const c_char)) {
    FAIL_HANDLER.store(handler as usize, Ordering::Release);
}

/// Reports failed check `id` of `table` through the handler. No value with a destructor is live
/// in this frame or its callers in this module: the guard's handler may longjmp out.
fn fail(id: i64, table: *const c_char) {
    let handler = FAIL_HANDLER.load(Ordering::Acquire);
    if handler == 0 {
        // SAFETY: `table` is the module's check table, as the compiled code passes it.
        unsafe { crate::__tensorlang_assert_fail(id, table) };
    } else {
        // SAFETY: only `set_fail_handler` stores it, from a function of this signature.
        let handler: unsafe extern "C" fn(i64, *const c_char) = unsafe {
            std::mem::transmute::<usize, unsafe extern "C" fn(i64, *const c_char)>(handler)
        };
        // SAFETY: as above.
        unsafe { handler(id, table) };
    }
}

/// An approximation of the caller's stack pointer: the address of a local of this frame.
#[inline(never)]
fn stack_pointer() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// Opens a frame for a contained call; its token.
#[unsafe(no_mangle)]
pub extern "C" fn __tensorlang_contain_enter() -> i64 {
    let stack = stack_pointer();
    with_frames(|frames| {
        // Frames entered deeper than this call (a lower stack pointer) belong to calls a trap
        // cut short: they are gone.
        while frames.frames.last().is_some_and(|f| f.stack < stack) {
            frames.frames.pop();
        }
        if frames.frames.len() >= MAX_FRAMES {
            // Too deep: a frame that allows nothing, so the call fails at its first access.
            frames.frames.truncate(MAX_FRAMES - 1);
            frames.frames.push(Frame {
                stack,
                ranges: Vec::new(),
                overflowed: true,
            });
        } else {
            frames.frames.push(Frame {
                stack,
                ranges: Vec::new(),
                overflowed: false,
            });
        }
        frames.frames.len() as i64 - 1
    })
}

/// Closes frame `token` (and any a trap left above it).
#[unsafe(no_mangle)]
pub extern "C" fn __tensorlang_contain_leave(token: i64) {
    with_frames(|frames| {
        if let Ok(index) = usize::try_from(token) {
            frames.frames.truncate(index);
        }
    });
}

/// A ranked memref descriptor as MLIR lays it out: `{allocated, aligned, offset, sizes[rank],
/// strides[rank]}`.
#[repr(C)]
struct DescriptorHeader {
    allocated: *const u8,
    aligned: *const u8,
    offset: i64,
}

/// The bytes `[start, start + bytes)` a memref descriptor can reach, or `None` when its extent
/// does not fit the address space (such a view reaches nothing it may touch). An empty view
/// (some size 0) reaches no bytes: `Some((aligned, 0))`.
///
/// # Safety
/// `descriptor` must point at a ranked descriptor of rank `rank`.
unsafe fn extent(rank: i64, descriptor: *const u8, element_bytes: i64) -> Option<(usize, usize)> {
    let rank = usize::try_from(rank).ok()?;
    let element_bytes = i128::from(element_bytes);
    // SAFETY: the caller's contract: a descriptor of this rank.
    let header = unsafe { &*descriptor.cast::<DescriptorHeader>() };
    // SAFETY: sizes and strides follow the header, `rank` of each.
    let dims = unsafe {
        std::slice::from_raw_parts(
            descriptor
                .add(std::mem::size_of::<DescriptorHeader>())
                .cast::<i64>(),
            2 * rank,
        )
    };
    let (sizes, strides) = dims.split_at(rank);
    let mut low = i128::from(header.offset);
    let mut high = i128::from(header.offset);
    for (&size, &stride) in sizes.iter().zip(strides) {
        if size < 0 {
            return None;
        }
        if size == 0 {
            return Some((header.aligned as usize, 0));
        }
        // Each product fits i128 (two i64 factors); the sums are checked.
        let reach = i128::from(size - 1) * i128::from(stride);
        if reach < 0 {
            low = low.checked_add(reach)?;
        } else {
            high = high.checked_add(reach)?;
        }
    }
    let base = i128::from(header.aligned as usize as u64);
    let start = base.checked_add(low.checked_mul(element_bytes)?)?;
    let end = base.checked_add(high.checked_add(1)?.checked_mul(element_bytes)?)?;
    let start = usize::try_from(start).ok()?;
    let end = usize::try_from(end).ok()?;
    Some((start, end.checked_sub(start)?))
}

/// Registers the extent of a memref the call was handed (or named, or got back from a call) in
/// frame `token`: readable, and writable when `writable` is nonzero. An unranked memref is
/// passed as its rank and a pointer to its ranked descriptor, as MLIR passes it; the descriptor
/// is registered too, readable only (code reaches an unranked memref's buffer through it).
///
/// # Safety
/// `descriptor` must point at a ranked memref descriptor of rank `rank`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tensorlang_contain_buffer(
    token: i64,
    rank: i64,
    descriptor: *const u8,
    element_bytes: i64,
    writable: i64,
) {
    // SAFETY: the caller's contract.
    let reach = unsafe { extent(rank, descriptor, element_bytes) };
    // The descriptor itself may be read: an unranked memref is reached through it.
    let descriptor_bytes = usize::try_from(rank)
        .ok()
        .and_then(|rank| rank.checked_mul(16)?.checked_add(24));
    with_frames(|frames| {
        if let Some(frame) = frame(frames, token) {
            if let Some(bytes) = descriptor_bytes {
                frame.add(descriptor as usize, bytes, false);
            }
            // A view beyond the address space registers nothing: nothing it reaches may be
            // touched.
            if let Some((start, bytes)) = reach {
                frame.add(start, bytes, writable != 0);
            }
        }
    });
}

/// Whether frame `token` allows the whole extent of a memref handed to a call or copied (for
/// writing when `write` is nonzero).
///
/// # Safety
/// `descriptor` must point at a ranked memref descriptor of rank `rank`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tensorlang_contain_view(
    token: i64,
    rank: i64,
    descriptor: *const u8,
    element_bytes: i64,
    write: i64,
) -> bool {
    // SAFETY: the caller's contract.
    let reach = unsafe { extent(rank, descriptor, element_bytes) };
    with_frames(|frames| match (frame(frames, token), reach) {
        (Some(frame), Some((_, 0))) => !frame.overflowed,
        (Some(frame), Some((start, bytes))) => frame.allows(start, bytes, write != 0),
        _ => false,
    })
}

/// Registers memory the call allocated (`calloc`, `alloca`), readable and writable, after
/// zeroing it when `zero` is nonzero (memory from `calloc` is zero already): what a candidate
/// allocates reads as zero until written, so no heap or stack contents of the program leak
/// through it.
///
/// # Safety
/// `start` must be null or the start of `bytes` bytes the call just allocated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tensorlang_contain_alloc(
    token: i64,
    start: *mut u8,
    bytes: i64,
    zero: i64,
) {
    let Ok(bytes) = usize::try_from(bytes) else {
        return;
    };
    if start.is_null() {
        return;
    }
    if zero != 0 {
        // SAFETY: the caller's contract: fresh memory of this size.
        unsafe { std::ptr::write_bytes(start, 0, bytes) };
    }
    with_frames(|frames| {
        if let Some(frame) = frame(frames, token) {
            frame.add(start as usize, bytes, true);
        }
    });
}

/// Checks an access of `bytes` bytes at `address` (a write when `write` is nonzero) against
/// frame `token`; outside it, check `id` of `table` fails. The compiled code calls this only when
/// the access is not in the range its site last hit: `hint`, when not null, is that site's
/// `{start, length}`, set here to the range that holds the access.
///
/// # Safety
/// `table` must be the module's check table (a NUL-terminated string), and `hint` null or a
/// writable pair of `u64`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tensorlang_contain_access(
    token: i64,
    address: *const u8,
    bytes: i64,
    write: i64,
    id: i64,
    table: *const c_char,
    hint: *mut [u64; 2],
) {
    let Ok(bytes) = usize::try_from(bytes) else {
        fail(id, table);
        return;
    };
    if bytes == 0 {
        return;
    }
    let range = with_frames(|frames| {
        frame(frames, token).and_then(|f| f.containing(address as usize, bytes, write != 0))
    });
    match range {
        Some(range) => {
            if !hint.is_null() {
                // SAFETY: the caller's contract.
                unsafe { *hint = [range.start as u64, (range.end - range.start) as u64] };
            }
        }
        None => fail(id, table),
    }
}

/// [`__tensorlang_contain_access`] for one lane of a masked or gathered vector access: checked
/// only when the lane is active.
///
/// # Safety
/// As [`__tensorlang_contain_access`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tensorlang_contain_lane(
    token: i64,
    address: *const u8,
    bytes: i64,
    write: i64,
    active: bool,
    id: i64,
    table: *const c_char,
) {
    if active {
        // SAFETY: the caller's contract.
        unsafe {
            __tensorlang_contain_access(
                token,
                address,
                bytes,
                write,
                id,
                table,
                std::ptr::null_mut(),
            )
        };
    }
}

/// What a contained version of a function may do beyond reading what it is handed: the
/// arguments and globals it may write (those the function it replaces writes) and the functions
/// it may call (those the function it replaces calls). Written as options of the
/// `tensorlang-contain` pass and handed to the JIT's containment of the compiled code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Containment {
    /// The function the version replaces.
    pub function: String,
    /// Indices of the memref arguments it may write.
    pub writable_arguments: Vec<usize>,
    /// `memref.global`s it may write.
    pub writable_globals: Vec<String>,
    /// Functions of the program it may call.
    pub callees: Vec<String>,
}

impl Containment {
    /// The options of `tensorlang-contain` that say this, e.g.
    /// `function=f writable-arguments=1 writable-globals= callees=g`.
    pub fn pass_options(&self) -> String {
        let join = |items: &[String]| items.join(",");
        let arguments: Vec<String> = self
            .writable_arguments
            .iter()
            .map(usize::to_string)
            .collect();
        format!(
            "function={} writable-arguments={} writable-globals={} callees={}",
            self.function,
            join(&arguments),
            join(&self.writable_globals),
            join(&self.callees)
        )
    }

    /// The bytes that tell one containment from another (part of a compiled version's key).
    pub fn key(&self) -> String {
        format!("contain {}", self.pass_options())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rank-`N` descriptor laid out as MLIR does.
    #[repr(C)]
    struct Descriptor<const N: usize> {
        allocated: *const u8,
        aligned: *const u8,
        offset: i64,
        sizes: [i64; N],
        strides: [i64; N],
    }

    fn allowed(token: i64, address: usize, bytes: usize, write: bool) -> bool {
        with_frames(|frames| frame(frames, token).is_some_and(|f| f.allows(address, bytes, write)))
    }

    #[test]
    fn a_strided_view_reaches_exactly_its_elements() {
        let data = [0f32; 16];
        let base = data.as_ptr().cast::<u8>();
        // memref<3xf32, strided<[2], offset: 1>>: elements 1, 3, 5.
        let view = Descriptor::<1> {
            allocated: base,
            aligned: base,
            offset: 1,
            sizes: [3],
            strides: [2],
        };
        let token = __tensorlang_contain_enter();
        // SAFETY: a rank-1 descriptor.
        unsafe {
            __tensorlang_contain_buffer(token, 1, std::ptr::addr_of!(view).cast(), 4, 0);
        }
        let at = |i: usize| base as usize + 4 * i;
        assert!(allowed(token, at(1), 4, false));
        assert!(allowed(token, at(5), 4, false));
        assert!(!allowed(token, at(0), 4, false), "before the view");
        assert!(!allowed(token, at(6), 4, false), "past the view");
        assert!(!allowed(token, at(1), 4, true), "a read-only input");
        __tensorlang_contain_leave(token);
        assert!(!allowed(token, at(1), 4, false), "the frame is gone");
    }

    #[test]
    fn negative_strides_and_overflowing_views_are_handled() {
        let data = [0i64; 8];
        let base = data.as_ptr().cast::<u8>();
        // Elements 7, 6, ..., 0 through a stride of -1.
        // On the heap: a registered descriptor is readable, and must not sit beside `data`.
        let reversed = Box::new(Descriptor::<1> {
            allocated: base,
            aligned: base,
            offset: 7,
            sizes: [8],
            strides: [-1],
        });
        // A view whose extent wraps around the address space.
        let huge = Box::new(Descriptor::<1> {
            allocated: base,
            aligned: base,
            offset: 0,
            sizes: [i64::MAX],
            strides: [i64::MAX],
        });
        let token = __tensorlang_contain_enter();
        // SAFETY: rank-1 descriptors.
        unsafe {
            __tensorlang_contain_buffer(token, 1, std::ptr::addr_of!(*reversed).cast(), 8, 1);
            __tensorlang_contain_buffer(token, 1, std::ptr::addr_of!(*huge).cast(), 8, 1);
            assert!(!__tensorlang_contain_view(
                token,
                1,
                std::ptr::addr_of!(*huge).cast(),
                8,
                0
            ));
            assert!(__tensorlang_contain_view(
                token,
                1,
                std::ptr::addr_of!(*reversed).cast(),
                8,
                1
            ));
        }
        assert!(allowed(token, base as usize, 64, true));
        assert!(!allowed(token, base as usize + 64, 8, false));
        assert!(!allowed(token, usize::MAX - 3, 8, false), "wraps");
        __tensorlang_contain_leave(token);
    }

    #[test]
    fn allocations_are_zeroed_and_writable() {
        let mut memory = [0xAAu8; 32];
        let token = __tensorlang_contain_enter();
        // SAFETY: 32 bytes we own.
        unsafe { __tensorlang_contain_alloc(token, memory.as_mut_ptr(), 32, 1) };
        assert_eq!(memory, [0u8; 32]);
        assert!(allowed(token, memory.as_ptr() as usize + 8, 24, true));
        assert!(!allowed(token, memory.as_ptr() as usize + 8, 25, true));
        __tensorlang_contain_leave(token);
    }

    #[test]
    fn frames_nest_and_a_stale_frame_is_dropped() {
        let outer = __tensorlang_contain_enter();
        let inner = __tensorlang_contain_enter();
        assert_eq!(inner, outer + 1);
        __tensorlang_contain_leave(outer);
        with_frames(|frames| assert_eq!(frames.frames.len() as i64, outer));
    }

    #[test]
    fn too_many_ranges_fail_every_access() {
        let token = __tensorlang_contain_enter();
        with_frames(|frames| {
            let frame = frame(frames, token).unwrap();
            for i in 0..=MAX_RANGES {
                frame.add(16 * i, 8, i % 2 == 0);
            }
        });
        assert!(!allowed(token, 0, 8, false));
        __tensorlang_contain_leave(token);
    }
}
