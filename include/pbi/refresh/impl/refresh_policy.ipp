// Bodies for pbi/refresh/refresh_policy.hpp.
#pragma once

#include <pbi/refresh/refresh_policy.hpp>

#include <algorithm>

namespace pbi::refresh {

namespace detail {
inline double clamp_unit(double x) noexcept {
    return x < 0 ? 0 : (x >= 1 ? 0.999999 : x);
}
} // namespace detail

PBI_DECL refresh_schedule plan_refresh(time_point received, duration lifetime,
                                       std::optional<duration> refresh_in, double jitter,
                                       const policy_options& options) {
    using namespace std::chrono_literals;
    lifetime = std::max(lifetime, duration::zero());
    refresh_schedule s;
    s.received = received;
    s.expires_at = received + lifetime;
    s.deadline = s.expires_at - std::min<duration>(60s, lifetime / 10);

    const time_point latest = s.expires_at - std::min<duration>(5min, lifetime / 2);
    time_point at = latest;
    if (refresh_in && *refresh_in > duration::zero())
        at = received + *refresh_in;
    else if (lifetime >= 2h)
        at = received + lifetime / 2;
    at = std::min(at, latest);

    const auto spread =
        std::chrono::duration_cast<duration>(lifetime * options.jitter_fraction * detail::clamp_unit(jitter));
    at -= spread;
    s.refresh_at = std::max(at, received);
    return s;
}

PBI_DECL duration backoff(int failures, double jitter, const policy_options& options) {
    duration d = options.min_backoff;
    for (int i = 1; i < failures && d < options.max_backoff; ++i)
        d *= 2;
    d = std::min(d, options.max_backoff);
    d += std::chrono::duration_cast<duration>(d * 0.2 * detail::clamp_unit(jitter));
    return std::max(d, options.min_backoff);
}

PBI_DECL duration next_attempt_delay(int failures, std::optional<duration> retry_after, double jitter,
                                     const policy_options& options) {
    duration d = backoff(failures, jitter, options);
    if (retry_after)
        d = std::max(d, std::min(std::max(*retry_after, duration::zero()), options.max_retry_after));
    return d;
}

} // namespace pbi::refresh
