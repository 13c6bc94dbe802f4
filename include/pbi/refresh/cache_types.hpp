// pbi-async — the vocabulary of refreshing caches: what a fetch returns, options, events, counters.
#pragma once

#include <pbi/refresh/refresh_policy.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>

namespace pbi::refresh {

/// What one fetch of a cached value produced.
template <class T>
struct fetch_result {
    std::error_code ec; ///< success when empty; then `value` and `lifetime` are set
    T value{};
    duration lifetime{};                ///< from the local receive time (never from a server clock)
    std::optional<duration> refresh_in; ///< the server's hint, if any
    /// The failure cannot heal by itself (a wrong password, a disabled app): automatic attempts
    /// stop until the credential changes or a caller asks after the quiet period.
    bool stop_automatic = false;
    /// The answer was not one the service gives (a 2xx whose body is unreadable or not the
    /// expected JSON: a gateway page, a misconfigured endpoint): a retry within the waiters'
    /// deadlines is unlikely to help, so they get the failure now instead of after several
    /// attempts. Automatic attempts go on with the usual back-off.
    bool fail_waiters_now = false;
};

enum class cache_event_kind {
    refresh_started, ///< a fetch began (reason: cold, proactive, retry, min_remaining, invalidated)
    refresh_succeeded,
    refresh_failed,   ///< `ec` and `delay` (the wait before the next attempt) are set
    stopped_retrying, ///< a failure that retrying cannot heal: no automatic attempts
    value_expired,    ///< the deadline passed with no new value
    invalidated,      ///< invalidate() dropped the current value
};

/// Reported to cache_options::on_event. Carries no values (no tokens, no secrets).
struct cache_event {
    cache_event_kind kind;
    std::error_code ec;
    duration delay{};
};

struct cache_counters {
    /// Values served from the cache: async_get answers, and the first read of each value on
    /// each thread (try_get() is not counted read by read: that would write on the hot path).
    std::uint64_t hits = 0;
    std::uint64_t waits = 0; ///< calls that waited for a fetch
    std::uint64_t refreshes_started = 0;
    std::uint64_t refreshes_succeeded = 0;
    std::uint64_t refreshes_failed = 0;
    std::uint64_t backoffs = 0;      ///< failures followed by a scheduled wait
    std::uint64_t invalidations = 0; ///< invalidate() calls that dropped a value
};

struct cache_options {
    policy_options policy;
    /// Wait between attempts of a cold fetch that has waiters (doubles, capped by the waiters'
    /// deadlines); Retry-After wins when longer.
    duration cold_retry_delay = std::chrono::seconds(1);
    /// After a stop_automatic failure, a caller may trigger one new attempt after this long;
    /// the period doubles with each such failure in a row, up to max_quiet_period, so a wrong
    /// password costs a handful of attempts an hour (Entra locks accounts after about ten).
    duration quiet_period = std::chrono::minutes(5);
    duration max_quiet_period = std::chrono::hours(1);
    /// Jitter source returning numbers in [0, 1); default: a per-cache PRNG.
    std::function<double()> random;
    /// Events hook; called with the cache's lock released, on whichever thread acted.
    std::function<void(const cache_event&)> on_event;
    /// What the cache holds, in its own messages ("no access token arrived within ...").
    std::string value_name = "value";
};

/// Per-call options of cached_value::async_get.
struct get_options {
    /// Wait for a fresh value when the cached one expires sooner than this.
    duration min_remaining{};
    /// How long this caller is willing to wait for a fetch.
    duration timeout = std::chrono::seconds(30);
};

} // namespace pbi::refresh
