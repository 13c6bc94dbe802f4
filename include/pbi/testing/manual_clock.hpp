// pbi-async — manual_clock: a steady clock that moves only when a test says so.
#pragma once

#include <asio/wait_traits.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace pbi::testing {

/// A process-wide clock for deterministic tests of expiry, refresh and back-off: use it as the
/// Clock parameter of the SDK's caches (asio::basic_waitable_timer<manual_clock> polls it at
/// least every millisecond). Starts at an arbitrary epoch far from zero.
struct manual_clock {
    using duration = std::chrono::steady_clock::duration;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<manual_clock>;
    static constexpr bool is_steady = true;

    static time_point now() noexcept { return time_point(duration(ticks().load(std::memory_order_acquire))); }
    /// Moves the clock forward (never backward).
    static void advance(duration d) noexcept {
        if (d > duration::zero())
            ticks().fetch_add(d.count(), std::memory_order_acq_rel);
    }
    /// Sets the clock (tests of clocks that jump may move it backward).
    static void set(time_point t) noexcept {
        ticks().store(t.time_since_epoch().count(), std::memory_order_release);
    }

private:
    static std::atomic<rep>& ticks() noexcept {
        static std::atomic<rep> value{
            std::chrono::duration_cast<duration>(std::chrono::hours(24 * 365)).count()};
        return value;
    }
};

} // namespace pbi::testing

/// Timers on the manual clock wake at least every millisecond to see it move.
template <>
struct asio::wait_traits<pbi::testing::manual_clock> {
    static pbi::testing::manual_clock::duration
    to_wait_duration(const pbi::testing::manual_clock::duration& d) {
        return std::min<pbi::testing::manual_clock::duration>(d, std::chrono::milliseconds(1));
    }
    static pbi::testing::manual_clock::duration
    to_wait_duration(const pbi::testing::manual_clock::time_point& t) {
        return to_wait_duration(t - pbi::testing::manual_clock::now());
    }
};
