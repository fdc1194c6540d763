//! Waiting for a moment on the wall clock, without waking up in between: a status ends at
//! 14:30 local time, whether the laptop was suspended meanwhile or the clock was set.
//!
//! On Linux a `timerfd` on `CLOCK_REALTIME` with an absolute time (`TFD_TIMER_ABSTIME`)
//! fires at that time, at once on resume when it passed during a suspend, and
//! `TFD_TIMER_CANCEL_ON_SET` ends the wait when the clock is set, so the caller can look
//! again (timerfd_create(2)). Elsewhere a monotonic sleep, looked at again every minute.

use chrono::{DateTime, Utc};

/// Returns at `at` (at once if it passed), or earlier when the system clock was set.
#[cfg(target_os = "linux")]
pub async fn sleep_until(at: DateTime<Utc>) -> std::io::Result<()> {
    use rustix::time::{
        timerfd_create, timerfd_settime, Itimerspec, TimerfdClockId, TimerfdFlags,
        TimerfdTimerFlags, Timespec,
    };
    use tokio::io::unix::AsyncFd;

    let timer = timerfd_create(
        TimerfdClockId::Realtime,
        TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
    )?;
    // An all-zero time would disarm the timer: a moment before 1970 is "now".
    let when = Timespec {
        tv_sec: at.timestamp().max(0),
        tv_nsec: i64::from(at.timestamp_subsec_nanos()).max(1),
    };
    timerfd_settime(
        &timer,
        TimerfdTimerFlags::ABSTIME | TimerfdTimerFlags::CANCEL_ON_SET,
        &Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: when,
        },
    )?;
    // SAFETY: an `OwnedFd` keeps its descriptor open, and the same, until it is dropped,
    // which only the `AsyncFd` owning it does.
    let timer = unsafe { AsyncFd::register(timer) }?;
    loop {
        let mut ready = timer.readable().await?;
        let mut expirations = [0u8; 8];
        match ready.try_io(|fd| Ok(rustix::io::read(fd, &mut expirations)?)) {
            Ok(Ok(_)) => return Ok(()),
            // The clock was set: the caller computes its wait again.
            Ok(Err(e)) if e.raw_os_error() == Some(rustix::io::Errno::CANCELED.raw_os_error()) => {
                return Ok(())
            }
            Ok(Err(e)) => return Err(e),
            Err(_would_block) => continue,
        }
    }
}

/// Returns at `at` or within a minute after it (no wall-clock timer on this system).
#[cfg(not(target_os = "linux"))]
pub async fn sleep_until(at: DateTime<Utc>) -> std::io::Result<()> {
    let wait = (at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait.min(std::time::Duration::from_secs(60))).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_at_the_moment_and_at_once_for_one_passed() {
        let started = std::time::Instant::now();
        sleep_until(Utc::now() - chrono::Duration::hours(1))
            .await
            .expect("passed");
        sleep_until(DateTime::<Utc>::UNIX_EPOCH)
            .await
            .expect("1970");
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        let at = Utc::now() + chrono::Duration::milliseconds(200);
        sleep_until(at).await.expect("armed");
        assert!(Utc::now() >= at, "not before the moment");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
