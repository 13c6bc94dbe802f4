// pbi-async — refresh_policy: when to refresh a cached value and how long to back off.
// Pure functions of times (no clock of their own), per DESIGN.md's refresh rules.
#pragma once

#include <pbi/config.hpp>

#include <chrono>
#include <optional>

namespace pbi::refresh {

using duration = std::chrono::steady_clock::duration;
using time_point = std::chrono::steady_clock::time_point;

/// When a value received at `received` should be refreshed and until when it may be served.
struct refresh_schedule {
    time_point received;
    time_point expires_at; ///< received + lifetime
    time_point deadline;   ///< expires_at - min(60 s, lifetime / 10): served until then, never after
    time_point refresh_at; ///< a background refresh starts here
};

struct policy_options {
    duration min_backoff = std::chrono::seconds(30);  ///< first wait after a failure (and the floor)
    duration max_backoff = std::chrono::minutes(10);  ///< cap of the exponential back-off
    duration max_retry_after = std::chrono::hours(1); ///< Retry-After is obeyed up to this
    double jitter_fraction = 0.10; ///< refresh_at moves earlier by up to this share of the lifetime
};

/// Plans the refresh of a value with `lifetime` received at `received`:
/// refresh_at = received + refresh_in when the server sent it; otherwise the half-life for
/// lifetimes of 2 h or more; never later than expires_at - min(5 min, lifetime / 2). Then
/// `jitter` (a random number in [0, 1)) moves refresh_at earlier by up to jitter_fraction of
/// the lifetime; it never moves before `received`.
PBI_DECL refresh_schedule plan_refresh(time_point received, duration lifetime,
                                       std::optional<duration> refresh_in, double jitter,
                                       const policy_options& options = {});

/// The wait after `failures` consecutive failed attempts (1 for the first): at least
/// min_backoff, doubling, capped at max_backoff, and spread by up to +20 % by `jitter` in [0, 1).
PBI_DECL duration backoff(int failures, double jitter, const policy_options& options = {});

/// The wait before the next attempt after a failure: max(backoff, min(Retry-After, max_retry_after)).
PBI_DECL duration next_attempt_delay(int failures, std::optional<duration> retry_after, double jitter,
                                     const policy_options& options = {});

} // namespace pbi::refresh

#if defined(PBI_HEADER_ONLY)
#include <pbi/refresh/impl/refresh_policy.ipp>
#endif
