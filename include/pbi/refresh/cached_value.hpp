// pbi-async — cached_value<T>: a value that refreshes itself ahead of expiry, fetched once
// however many callers wait, read without a lock.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>
#include <pbi/exception.hpp>
#include <pbi/refresh/cache_types.hpp>
#include <pbi/refresh/detail/cache_state.hpp>
#include <pbi/refresh/detail/thread_slots.hpp>

#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <memory>

namespace pbi::refresh {

/// A value (an access token, an embed token) that a fetch function produces with a lifetime.
///
/// - Valid (before its deadline): try_get() returns it with no I/O, no lock, no clock read and
///   no write to a shared cache line; a timer marks the value stale at its deadline.
/// - From refresh_at to the deadline the value is still served while one background refresh
///   runs (started by the proactive timer, even when nobody asks).
/// - Past the deadline, or empty: every async_get waits for the one in-flight fetch.
/// - A failed refresh keeps the old value until its deadline and backs off by DESIGN.md's
///   rules; errors reach waiters only when no valid value exists. A fetch result marked
///   stop_automatic stops automatic attempts until reset() or a caller asks after the quiet
///   period.
///
/// Thread safety: all members may be called from any thread; the executor may be a
/// multi-threaded io_context. The cache must be destroyed before its executor's context.
/// Destroying it (or shutdown()) completes every waiter with asio::error::operation_aborted.
template <class T, class Clock = std::chrono::steady_clock>
class cached_value {
    using state = detail::cache_state<T, Clock>;

public:
    using value_type = T;
    using clock_type = Clock;
    using value_handle = std::shared_ptr<const T>;
    using fetch_function = typename state::fetch_function;

    /// `fetch` runs as a coroutine on `ex`, one at a time. It is called again for each refresh.
    cached_value(asio::any_io_executor ex, fetch_function fetch, cache_options options = {})
        : st_(std::make_shared<state>(std::move(ex), std::move(fetch), std::move(options))), id_(st_->id) {}
    ~cached_value() { st_->shutdown(); }
    cached_value(const cached_value&) = delete;
    cached_value& operator=(const cached_value&) = delete;

    /// The current value, or nullptr when none is valid. Never does I/O, never starts a fetch.
    /// The pointer stays valid until this thread's next call on this cache; keep
    /// try_get_shared() across suspension points instead.
    const T* try_get() const noexcept {
        const auto& front = detail::front;
        const auto v = st_->version.load(std::memory_order_acquire);
        if (front.source_id == id_ && front.version == v) [[likely]]
            return static_cast<const T*>(front.value);
        return static_cast<const T*>(st_->refresh_thread_slot());
    }

    /// As try_get(), but owning: the handle keeps the value alive. Its control block is this
    /// thread's own, so copies do not contend with other threads.
    value_handle try_get_shared() const noexcept {
        if (!try_get())
            return nullptr;
        return std::static_pointer_cast<const T>(detail::front.slot->keep);
    }

    /// Gets a valid value, waiting for the single-flight fetch when needed.
    /// Completion signature: void(std::error_code, value_handle). Per-operation cancellation
    /// (terminal, partial, total) makes this waiter leave with operation_aborted without
    /// cancelling the shared fetch. `diag` is written on completion, on the handler's executor,
    /// and must stay alive until then. Errors: the fetch's error (with its diagnostics),
    /// errc::timeout when options.timeout passes first, operation_aborted on shutdown.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get(get_options options, diagnostics& diag, CompletionToken&& token = {}) {
        auto initiation = [st = st_](auto handler, get_options o, diagnostics* d) {
            st->start_get(std::move(handler), o, d);
        };
        return asio::async_initiate<CompletionToken, void(std::error_code, value_handle)>(
            std::move(initiation), token, options, &diag);
    }

    /// The coroutine fast path: a valid value is returned without suspending; otherwise waits
    /// as above and throws pbi::error (with diagnostics) on failure.
    asio::awaitable<value_handle> async_get(get_options options = {}) {
        if (options.min_remaining <= duration::zero())
            if (auto h = try_get_shared())
                co_return h;
        diagnostics d;
        auto [ec, h] = co_await async_get(options, d, asio::experimental::as_tuple(asio::use_awaitable));
        if (ec)
            throw pbi::error(ec, std::move(d));
        co_return h;
    }

    /// Drops the current value if it is still `seen`, so many callers reporting the same
    /// rejected value (200 concurrent 403 TokenExpired answers) cause one refresh.
    void invalidate(const T* seen) noexcept { st_->invalidate(seen); }

    /// Forgets the value, the back-off and a stop after a permanent failure (for example after
    /// the credential was replaced). Waiters keep waiting for the next fetch.
    void reset() { st_->reset(); }

    /// Completes every waiter with operation_aborted, cancels the timers, refuses new calls.
    void shutdown() noexcept { st_->shutdown(); }

    cache_counters counters() const { return st_->get_counters(); }
    /// This cache's never-reused id (per-thread state is keyed by it).
    std::uint64_t id() const noexcept { return id_; }
    const asio::any_io_executor& get_executor() const noexcept { return st_->ex; }

private:
    std::shared_ptr<state> st_;
    std::uint64_t id_; // a copy of st_->id, so the hot path reads it from this object
};

} // namespace pbi::refresh
