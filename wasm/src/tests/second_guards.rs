//! Second guards for issue 14's rules that one test alone used to catch: each test here
//! reaches its rule by another way than the first guard (named in its doc comment), so that
//! breaking the rule fails two tests.

use crate::ids::Pid;
use crate::rwsem::{LockMode, RwSem, Waiter};

/// kernel/locking/rwsem.c: `up_write()` clears RWSEM_WRITER_LOCKED first and only then, `if
/// (unlikely(tmp & RWSEM_FLAG_WAITERS))`, calls rwsem_wake(); __down_read_trylock() fails
/// while `tmp & RWSEM_READ_FAILED_MASK`, which holds RWSEM_FLAG_WAITERS. So between a
/// writer's release and the wake of the readers queued behind it, nobody is holding the
/// lock and no writer is waiting, yet a trylock fails: RWSEM_FLAG_WAITERS is set for the
/// queued readers. Once they are granted the flag is clear and a trylock succeeds beside
/// them. (The first guard, rwsem.rs's trylock_fails_with_any_waiter, reaches the same
/// state by killing a waiting writer out of the queue.)
#[test]
fn trylock_fails_while_released_readers_wait_for_their_wake() {
    let mut s = RwSem::default();
    s.take(Pid(1), LockMode::Write);
    for pid in [2, 3] {
        s.enqueue(Waiter {
            pid: Pid(pid),
            mode: LockMode::Read,
            killable: false,
        });
    }
    assert!(s.release(Pid(1), LockMode::Write));
    assert_eq!((s.writer(), s.reader_count()), (None, 0), "nobody holds it");
    assert!(
        !s.try_read(Pid(4)),
        "readers 2 and 3 are queued: RWSEM_FLAG_WAITERS"
    );
    assert_eq!(
        s.grant_waiters().len(),
        2,
        "rwsem_wake() grants both readers"
    );
    assert!(s.try_read(Pid(4)), "no waiter left: the trylock joins them");
}
