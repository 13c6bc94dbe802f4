// pbi-async — the shared state behind cached_value: the slow path, the timers and the fetch.
// Everything here runs under `mutex` except the version counter the hot path reads.
#pragma once

#include <pbi/detail/async_run.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>
#include <pbi/refresh/cache_types.hpp>
#include <pbi/refresh/detail/cache_waiter.hpp>
#include <pbi/refresh/detail/thread_slots.hpp>
#include <pbi/refresh/refresh_policy.hpp>

#include <asio/associated_cancellation_slot.hpp>
#include <asio/basic_waitable_timer.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

namespace pbi::refresh::detail {

template <class T, class Clock>
class cache_state : public std::enable_shared_from_this<cache_state<T, Clock>> {
    static_assert(std::is_same_v<typename Clock::duration, duration>,
                  "the cache's clock must count in std::chrono::steady_clock::duration");

public:
    using time_point = typename Clock::time_point;
    using value_handle = std::shared_ptr<const T>;
    using fetch_function = std::function<asio::awaitable<fetch_result<T>>(diagnostics&)>;
    using waiter = cache_waiter<value_handle, time_point>;
    using timer = asio::basic_waitable_timer<Clock>;

    struct entry {
        T value;
        time_point expires_at, deadline, refresh_at;
    };

    cache_state(asio::any_io_executor executor, fetch_function f, cache_options o)
        : id(next_source_id()), ex(std::move(executor)), fetch_(std::move(f)), options_(std::move(o)),
          refresh_timer_(ex), stale_timer_(ex), waiter_timer_(ex),
          rng_state_((std::uint64_t(std::random_device{}()) << 32) ^ std::random_device{}() ^ id) {}

    // --- read by the hot path: written only under the mutex, on their own cache line
    alignas(64) std::atomic<std::uint64_t> version{1};
    const std::uint64_t id;
    alignas(64) std::atomic<std::uint64_t> hits{0};
    const asio::any_io_executor ex;

    /// Brings this thread's slot up to date with the current version; returns its value.
    /// Counts one hit per thread and version: counting every read would write on the hot path.
    const void* refresh_thread_slot() {
        auto& slot = this_thread_slots().slot_for(id);
        std::shared_ptr<const entry> cur;
        {
            std::lock_guard lock(mutex_);
            cur = current_;
            slot.version = version.load(std::memory_order_relaxed);
        }
        slot.owner = this->weak_from_this();
        if (cur) {
            // A control block of this thread's own: copies of `keep` never touch the shared one.
            auto holder = std::make_shared<std::shared_ptr<const entry>>(std::move(cur));
            slot.value = &(*holder)->value;
            slot.keep = std::shared_ptr<const void>(holder, slot.value);
            hits.fetch_add(1, std::memory_order_relaxed);
        } else {
            slot.value = nullptr;
            slot.keep.reset();
        }
        front = front_slot{id, slot.version, slot.value, &slot};
        return slot.value;
    }

    template <class Handler>
    void start_get(Handler handler, get_options o, diagnostics* diag) {
        if (diag)
            diag->clear();
        std::unique_lock lock(mutex_);
        const auto now = Clock::now();
        if (stopped_) {
            complete_now(std::move(handler), asio::error::operation_aborted, nullptr, nullptr, diag);
            return;
        }
        if (current_ && now < current_->deadline &&
            (o.min_remaining <= duration::zero() || current_->expires_at - now >= o.min_remaining)) {
            hits.fetch_add(1, std::memory_order_relaxed);
            if (now >= current_->refresh_at && can_attempt(now))
                start_fetch(cache_event_kind::refresh_started); // the proactive timer is late: start it here
            auto value = handle_of(current_);
            lock.unlock();
            emit_events();
            complete_now(std::move(handler), {}, std::move(value), nullptr, diag);
            return;
        }
        if (blocked_ && now < blocked_until_) { // a failure retrying cannot heal: no new attempt yet
            auto d = last_diag_;
            auto ec = last_ec_;
            lock.unlock();
            complete_now(std::move(handler), ec, nullptr, &d, diag);
            return;
        }
        const time_point deadline = now + o.timeout;
        if (!fetching_ && next_attempt_at_ && now < *next_attempt_at_ && deadline <= *next_attempt_at_) {
            auto d = last_diag_; // backing off, and this caller cannot wait that long: fail fast
            auto ec = last_ec_;
            lock.unlock();
            complete_now(std::move(handler), ec, nullptr, &d, diag);
            return;
        }
        ++counters_.waits;
        add_waiter(std::move(handler), deadline, o.min_remaining, diag);
        if (!fetching_) {
            if (can_attempt(now))
                start_fetch(cache_event_kind::refresh_started);
            else
                arm_refresh(*next_attempt_at_);
        }
        lock.unlock();
        emit_events();
    }

    void invalidate(const T* seen) noexcept {
        {
            std::lock_guard lock(mutex_);
            if (!seen || !current_ || &current_->value != seen)
                return;
            drop_current();
            ++counters_.invalidations;
            push_event({cache_event_kind::invalidated, {}, {}});
        }
        emit_events();
    }

    void reset() {
        {
            std::lock_guard lock(mutex_);
            drop_current();
            blocked_ = false;
            blocked_in_a_row_ = 0;
            failures_ = 0;
            next_attempt_at_.reset();
            ++refresh_gen_;
            refresh_timer_.cancel();
            if (!waiters_.empty() && !fetching_ && !stopped_)
                start_fetch(cache_event_kind::refresh_started);
        }
        emit_events();
    }

    void shutdown() noexcept {
        std::lock_guard lock(mutex_);
        if (stopped_)
            return;
        stopped_ = true;
        ++refresh_gen_, ++stale_gen_, ++waiter_gen_;
        refresh_timer_.cancel();
        stale_timer_.cancel();
        waiter_timer_.cancel();
        drop_current();
        complete_waiters([](const waiter&) { return true; }, asio::error::operation_aborted, nullptr,
                         nullptr);
        // A running fetch holds a reference to this state; none runs once nothing does. The
        // signal is used on the executor only, as the fetch's own slot is.
        if (auto self = this->weak_from_this().lock(); self && fetching_) {
            try {
                asio::post(ex, [self] { self->fetch_cancel_.emit(asio::cancellation_type::terminal); });
            } catch (...) { // out of memory: the fetch then ends at its own deadline
            }
        }
    }

    cache_counters get_counters() const {
        std::lock_guard lock(mutex_);
        auto c = counters_;
        c.hits = hits.load(std::memory_order_relaxed);
        return c;
    }

private:
    static value_handle handle_of(const std::shared_ptr<const entry>& e) {
        return e ? value_handle(e, &e->value) : nullptr;
    }

    template <class Handler>
    void complete_now(Handler handler, std::error_code ec, value_handle v, const diagnostics* d,
                      diagnostics* out) {
        cache_waiter_for<value_handle, time_point, Handler> w(std::move(handler), ex, out);
        w.complete(ec, std::move(v), d);
    }

    bool can_attempt(time_point now) const {
        return !fetching_ && !stopped_ && !(blocked_ && now < blocked_until_) &&
               !(next_attempt_at_ && now < *next_attempt_at_);
    }

    void drop_current() {
        if (current_) {
            current_.reset();
            version.fetch_add(1, std::memory_order_release);
        }
        ++stale_gen_;
        stale_timer_.cancel();
    }

    template <class Handler>
    void add_waiter(Handler handler, time_point deadline, duration min_remaining, diagnostics* diag) {
        using impl = cache_waiter_for<value_handle, time_point, Handler>;
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto w = std::make_shared<impl>(std::move(handler), ex, diag);
        w->deadline = deadline;
        w->min_remaining = min_remaining;
        waiters_.push_front(w);
        w->position = waiters_.begin();
        if (slot.is_connected()) {
            std::weak_ptr<cache_state> self = this->weak_from_this();
            std::weak_ptr<waiter> weak_w = w;
            slot.assign([self, weak_w](asio::cancellation_type) {
                if (auto s = self.lock())
                    if (auto w = weak_w.lock())
                        s->cancel_waiter(w);
            });
        }
        if (!earliest_waiter_deadline_ || deadline < *earliest_waiter_deadline_)
            arm_waiter_timer(deadline);
    }

    void cancel_waiter(const std::shared_ptr<waiter>& w) {
        std::lock_guard lock(mutex_);
        if (w->done)
            return;
        w->done = true;
        waiters_.erase(w->position);
        w->complete(asio::error::operation_aborted, nullptr, nullptr);
    }

    template <class Pred>
    void complete_waiters(Pred pred, std::error_code ec, const value_handle& v, const diagnostics* d) {
        for (auto it = waiters_.begin(); it != waiters_.end();) {
            auto& w = **it;
            if (!pred(w)) {
                ++it;
                continue;
            }
            w.done = true;
            auto keep = *it; // erase() would destroy the waiter before complete() returns
            it = waiters_.erase(it);
            keep->complete(ec, v, d);
        }
    }

    void start_fetch(cache_event_kind) {
        fetching_ = true;
        ++counters_.refreshes_started;
        push_event({cache_event_kind::refresh_started, {}, {}});
        // Posted: co_spawn dispatches, and on the executor's own thread it would run the fetch
        // inline, while this lock is held.
        auto spawn = [self = this->shared_from_this()] {
            // shutdown() cancels it through this slot: a fetch stuck on a server that does not
            // answer must not keep the io_context busy until its own deadline.
            asio::co_spawn(self->ex, run_fetch(self),
                           asio::bind_cancellation_slot(self->fetch_cancel_.slot(), asio::detached));
        };
        asio::post(ex, std::move(spawn));
    }

    static asio::awaitable<void> run_fetch(std::shared_ptr<cache_state> self) {
        diagnostics d;
        fetch_result<T> r;
        try {
            r = co_await self->fetch_(d);
        } catch (...) {
            r = fetch_result<T>{};
            r.ec = pbi::detail::code_from_exception(std::current_exception());
        }
        self->finish_fetch(std::move(r), std::move(d));
        self->emit_events();
    }

    void finish_fetch(fetch_result<T> r, diagnostics d) {
        std::lock_guard lock(mutex_);
        fetching_ = false;
        if (stopped_)
            return;
        const auto now = Clock::now();
        if (!r.ec) {
            const auto plan =
                plan_refresh(to_policy(now), r.lifetime, r.refresh_in, random01(), options_.policy);
            current_ = std::make_shared<const entry>(entry{std::move(r.value), from_policy(plan.expires_at),
                                                           from_policy(plan.deadline),
                                                           from_policy(plan.refresh_at)});
            version.fetch_add(1, std::memory_order_release);
            failures_ = 0;
            blocked_ = false;
            blocked_in_a_row_ = 0;
            next_attempt_at_.reset();
            last_ec_ = {};
            ++counters_.refreshes_succeeded;
            push_event({cache_event_kind::refresh_succeeded, {}, {}});
            arm_refresh(current_->refresh_at);
            arm_stale(current_->deadline);
            auto v = handle_of(current_);
            complete_waiters([](const waiter&) { return true; }, {}, v, nullptr);
            return;
        }
        ++counters_.refreshes_failed;
        ++failures_;
        last_ec_ = r.ec;
        last_diag_ = std::move(d);
        if (r.stop_automatic) {
            blocked_ = true;
            duration quiet = options_.quiet_period;
            for (int i = 0; i < blocked_in_a_row_ && quiet < options_.max_quiet_period; ++i)
                quiet *= 2;
            quiet = std::min(quiet, options_.max_quiet_period);
            ++blocked_in_a_row_;
            blocked_until_ = now + quiet;
            next_attempt_at_.reset();
            ++refresh_gen_;
            refresh_timer_.cancel();
            push_event({cache_event_kind::refresh_failed, r.ec, {}});
            push_event({cache_event_kind::stopped_retrying, r.ec, quiet});
            complete_waiters([](const waiter&) { return true; }, last_ec_, nullptr, &last_diag_);
            return;
        }
        const bool serving = current_ && now < current_->deadline;
        std::optional<duration> retry_after;
        if (last_diag_.retry_after)
            retry_after = std::chrono::duration_cast<duration>(*last_diag_.retry_after);
        duration delay;
        if (serving) {
            delay = next_attempt_delay(failures_, retry_after, random01(), options_.policy);
        } else {
            delay = options_.cold_retry_delay;
            for (int i = 1; i < failures_ && delay < options_.policy.max_backoff; ++i)
                delay *= 2;
            delay = std::min(delay, options_.policy.max_backoff);
            if (retry_after)
                delay = std::max(delay, std::min(*retry_after, options_.policy.max_retry_after));
        }
        next_attempt_at_ = now + delay;
        ++counters_.backoffs;
        push_event({cache_event_kind::refresh_failed, r.ec, delay});
        // Waiters who cannot wait for the next attempt get the error now; while a valid value is
        // served, only callers that asked for more remaining lifetime are waiting.
        const auto next = *next_attempt_at_;
        complete_waiters([&](const waiter& w) { return serving || r.fail_waiters_now || w.deadline <= next; },
                         last_ec_, nullptr, &last_diag_);
        if (serving || !waiters_.empty())
            arm_refresh(next);
    }

    // --- timers: each arming bumps a generation so a late or cancelled firing is ignored

    void arm_refresh(time_point at) {
        const auto gen = ++refresh_gen_;
        refresh_timer_.expires_at(at);
        refresh_timer_.async_wait([self = this->weak_from_this(), gen](std::error_code) {
            if (auto s = self.lock())
                s->on_refresh_timer(gen);
        });
    }

    void on_refresh_timer(std::uint64_t gen) {
        {
            std::lock_guard lock(mutex_);
            if (gen != refresh_gen_ || stopped_ || fetching_)
                return;
            if (blocked_ || (!current_ && waiters_.empty()))
                return; // a cold retry nobody waits for any more: the next caller starts it
            next_attempt_at_.reset();
            start_fetch(cache_event_kind::refresh_started);
        }
        emit_events();
    }

    void arm_stale(time_point at) {
        const auto gen = ++stale_gen_;
        stale_timer_.expires_at(at);
        stale_timer_.async_wait([self = this->weak_from_this(), gen](std::error_code) {
            if (auto s = self.lock())
                s->on_stale_timer(gen);
        });
    }

    void on_stale_timer(std::uint64_t gen) {
        {
            std::lock_guard lock(mutex_);
            if (gen != stale_gen_ || stopped_ || !current_)
                return;
            current_.reset();
            version.fetch_add(1, std::memory_order_release);
            push_event({cache_event_kind::value_expired, {}, {}});
        }
        emit_events();
    }

    void arm_waiter_timer(time_point at) {
        earliest_waiter_deadline_ = at;
        const auto gen = ++waiter_gen_;
        waiter_timer_.expires_at(at);
        waiter_timer_.async_wait([self = this->weak_from_this(), gen](std::error_code) {
            if (auto s = self.lock())
                s->on_waiter_timer(gen);
        });
    }

    void on_waiter_timer(std::uint64_t gen) {
        std::lock_guard lock(mutex_);
        if (gen != waiter_gen_ || stopped_)
            return;
        earliest_waiter_deadline_.reset();
        const auto now = Clock::now();
        diagnostics d;
        if (fetching_ && last_ec_) {
            // A retry is running: the attempt before it says what is wrong (its URL, its error).
            d = last_diag_;
            d.message =
                "the request for a new " + options_.value_name +
                " was still running when the caller's deadline passed; the attempt before it failed: " +
                last_diag_.message;
        } else if (fetching_) {
            d.source = failure_source::transport;
            d.message = "the request for a new " + options_.value_name +
                        " was still running when the caller's deadline passed";
            d.hint =
                "the server is slow or does not answer; the request goes on and later callers get its result";
        } else {
            d = last_diag_;
            d.message = "no " + options_.value_name + " arrived within the caller's deadline" +
                        (last_ec_ ? " (the last attempt failed: " + last_diag_.message + ")" : std::string());
        }
        complete_waiters([now](const waiter& w) { return w.deadline <= now; }, make_error_code(errc::timeout),
                         nullptr, &d);
        std::optional<time_point> earliest;
        for (auto& w : waiters_)
            if (!earliest || w->deadline < *earliest)
                earliest = w->deadline;
        if (earliest)
            arm_waiter_timer(*earliest);
    }

    // --- helpers

    static refresh::time_point to_policy(time_point t) { return refresh::time_point(t.time_since_epoch()); }
    static time_point from_policy(refresh::time_point t) { return time_point(t.time_since_epoch()); }

    double random01() {
        if (options_.random)
            return options_.random();
        // splitmix64: 8 bytes of state per cache (a mt19937_64 would add 2.5 KB to each).
        std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) * 0x1.0p-53;
    }

    void push_event(cache_event e) {
        if (options_.on_event)
            events_.push_back(e);
    }

    void emit_events() {
        if (!options_.on_event)
            return;
        std::vector<cache_event> ev;
        {
            std::lock_guard lock(mutex_);
            ev.swap(events_);
        }
        for (auto& e : ev)
            options_.on_event(e);
    }

    fetch_function fetch_;
    cache_options options_;
    mutable std::mutex mutex_;
    std::shared_ptr<const entry> current_;
    std::list<std::shared_ptr<waiter>> waiters_;
    bool fetching_ = false;
    bool stopped_ = false;
    bool blocked_ = false;
    time_point blocked_until_{};
    int blocked_in_a_row_ = 0;
    int failures_ = 0;
    std::optional<time_point> next_attempt_at_;
    std::optional<time_point> earliest_waiter_deadline_;
    std::error_code last_ec_;
    diagnostics last_diag_;
    timer refresh_timer_, stale_timer_, waiter_timer_;
    asio::cancellation_signal fetch_cancel_; ///< the running fetch's; used on `ex` only
    std::uint64_t refresh_gen_ = 0, stale_gen_ = 0, waiter_gen_ = 0;
    cache_counters counters_;
    std::vector<cache_event> events_;
    std::uint64_t rng_state_;
};

} // namespace pbi::refresh::detail
