// pbi-async — embed_token_subscription and embed_token_stream: each renewed embed token of one
// embed_token_cache key, pushed to a host with latest-value semantics.
#pragma once

#include <pbi/config.hpp>
#include <pbi/powerbi/models.hpp>
#include <pbi/refresh/detail/cache_waiter.hpp>
#include <pbi/refresh/refresh_policy.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace pbi::powerbi {

namespace detail {

using embed_token_handle = std::shared_ptr<const embed_token>;

/// Where one subscriber's tokens go. offer() never blocks on the subscriber.
class embed_token_mailbox {
public:
    virtual ~embed_token_mailbox() = default;
    virtual void offer(const embed_token_handle& token) = 0;
    /// No delivery starts after close() returns.
    virtual void close() noexcept = 0;
};

/// The bookkeeping of one cache key that its subscriptions share: the mailboxes, the count of
/// subscribers and when a reader last used the key (ticks of the cache's clock). It may outlive
/// the key's cache entry (a subscription held after the cache is gone); close() cuts it loose.
class embed_token_hub {
public:
    /// `current` reads the cache's valid token (or nullptr); `now` is the cache's clock in ticks.
    PBI_DECL embed_token_hub(std::function<embed_token_handle()> current, std::int64_t (*now)());

    /// Adds a mailbox and offers it the current token; a closed hub closes it at once.
    PBI_DECL void attach(std::shared_ptr<embed_token_mailbox> box);
    /// Removes a mailbox (and closes it); the key counts as used now.
    PBI_DECL void detach(const std::shared_ptr<embed_token_mailbox>& box) noexcept;
    /// Offers the cache's current token to every mailbox, once per token.
    PBI_DECL void publish_current();
    /// Closes every mailbox and forgets the cache.
    PBI_DECL void close() noexcept;
    PBI_DECL bool closed() const noexcept;

    void touch() noexcept { last_used.store(now_(), std::memory_order_relaxed); }

    std::atomic<std::int64_t> last_used{0};
    std::atomic<int> subscribers{0}; ///< changed under the cache's lock when it grows

private:
    mutable std::mutex mutex_;
    std::function<embed_token_handle()> current_;
    std::int64_t (*now_)();
    std::vector<std::shared_ptr<embed_token_mailbox>> boxes_;
    embed_token_handle published_; // the last token offered: held, so its address cannot be reused
    bool closed_ = false;
};

/// Calls a function with each new token, posted to an executor, one call at a time; a token
/// that arrives while a call is queued or running replaces the one waiting (latest value).
class embed_token_callback_box final : public embed_token_mailbox,
                                       public std::enable_shared_from_this<embed_token_callback_box> {
public:
    PBI_DECL embed_token_callback_box(asio::any_io_executor ex,
                                      std::function<void(embed_token_handle)> on_token);
    PBI_DECL void offer(const embed_token_handle& token) override;
    PBI_DECL void close() noexcept override;

private:
    PBI_DECL void deliver();

    asio::any_io_executor ex_;
    std::function<void(embed_token_handle)> on_token_;
    std::mutex mutex_;
    std::condition_variable idle_;
    embed_token_handle pending_;
    bool scheduled_ = false, closed_ = false;
    std::thread::id running_{}; // the thread inside on_token_, if any
};

/// Keeps the newest token not yet taken and at most one waiting next().
class embed_token_stream_box final : public embed_token_mailbox,
                                     public std::enable_shared_from_this<embed_token_stream_box> {
public:
    using waiter = refresh::detail::cache_waiter<embed_token_handle, refresh::time_point>;

    explicit embed_token_stream_box(asio::any_io_executor ex) : ex_(std::move(ex)) {}
    PBI_DECL void offer(const embed_token_handle& token) override;
    PBI_DECL void close() noexcept override;
    /// The newest token not yet taken, without waiting (nullptr when there is none).
    PBI_DECL embed_token_handle try_take();

    template <class Handler>
    void start_next(Handler handler) {
        using impl = refresh::detail::cache_waiter_for<embed_token_handle, refresh::time_point, Handler>;
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto w = std::make_shared<impl>(std::move(handler), ex_, nullptr);
        std::lock_guard lock(mutex_);
        if (closed_) {
            w->complete(asio::error::operation_aborted, nullptr, nullptr);
            return;
        }
        if (unseen_) {
            unseen_ = false;
            w->complete({}, latest_, nullptr);
            return;
        }
        if (waiter_) // one next() at a time: a newer one replaces the older
            waiter_->complete(asio::error::operation_aborted, nullptr, nullptr);
        waiter_ = w;
        if (slot.is_connected()) {
            std::weak_ptr<embed_token_stream_box> self = weak_from_this();
            std::weak_ptr<waiter> weak_w = w;
            slot.assign([self, weak_w](asio::cancellation_type) {
                if (auto s = self.lock())
                    if (auto w = weak_w.lock())
                        s->cancel_waiter(w.get());
            });
        }
    }

private:
    PBI_DECL void cancel_waiter(const waiter* w);

    asio::any_io_executor ex_;
    std::mutex mutex_;
    embed_token_handle latest_;
    bool unseen_ = false, closed_ = false;
    std::shared_ptr<waiter> waiter_;
};

} // namespace detail

/// A callback subscription to one embed_token_cache key (embed_token_cache::subscribe).
///
/// While it lives, the key is never evicted and keeps being renewed in the background; the
/// callback is posted (never called under a lock of the cache, never inline in subscribe())
/// with the current token, if any, and then with each renewed token. Latest value: when a new
/// token arrives while a delivery is still queued or running, the newer token replaces the
/// queued one, so a slow callback skips tokens instead of piling them up, and never delays
/// the cache or other subscribers. Calls never overlap.
///
/// Move-only. cancel() or destruction unsubscribes: when it returns, no call is running on
/// another thread and none will start (cancelling from inside the callback is allowed; that
/// call then finishes normally). It may outlive the cache (it then does nothing).
class embed_token_subscription {
public:
    embed_token_subscription() = default;
    embed_token_subscription(std::shared_ptr<detail::embed_token_hub> hub,
                             std::shared_ptr<detail::embed_token_mailbox> box) noexcept
        : hub_(std::move(hub)), box_(std::move(box)) {}
    embed_token_subscription(embed_token_subscription&& other) noexcept = default;
    embed_token_subscription& operator=(embed_token_subscription&& other) noexcept {
        if (this != &other) {
            cancel();
            hub_ = std::move(other.hub_);
            box_ = std::move(other.box_);
        }
        return *this;
    }
    ~embed_token_subscription() { cancel(); }

    /// Unsubscribes; idempotent.
    void cancel() noexcept {
        if (hub_ && box_)
            hub_->detach(box_);
        hub_.reset();
        box_.reset();
    }
    /// True until cancel() (also after the cache is gone).
    bool active() const noexcept { return box_ != nullptr; }
    explicit operator bool() const noexcept { return active(); }

private:
    std::shared_ptr<detail::embed_token_hub> hub_;
    std::shared_ptr<detail::embed_token_mailbox> box_;
};

/// An awaitable stream of the tokens of one embed_token_cache key (embed_token_cache::watch).
///
/// next() returns the newest token this stream has not returned yet, waiting when there is
/// none; tokens renewed while nobody was waiting are skipped, only the newest is kept (latest
/// value: a slow reader never delays the cache). The first next() returns the current token
/// if the key has one. While the stream lives the key is never evicted and keeps being
/// renewed. Move-only; cancel() or destruction ends it: a pending next() then completes with
/// asio::error::operation_aborted (next() returns nullptr), as it does when the cache is
/// destroyed. One next() at a time: a second one replaces the first, which completes with
/// operation_aborted. All members may be called from any thread.
class embed_token_stream {
public:
    using token_handle = detail::embed_token_handle;

    embed_token_stream() = default;
    embed_token_stream(std::shared_ptr<detail::embed_token_hub> hub,
                       std::shared_ptr<detail::embed_token_stream_box> box) noexcept
        : hub_(std::move(hub)), box_(std::move(box)) {}
    embed_token_stream(embed_token_stream&& other) noexcept = default;
    embed_token_stream& operator=(embed_token_stream&& other) noexcept {
        if (this != &other) {
            cancel();
            hub_ = std::move(other.hub_);
            box_ = std::move(other.box_);
        }
        return *this;
    }
    ~embed_token_stream() { cancel(); }

    /// Waits for the newest token not returned yet.
    /// Completion signature: void(std::error_code, token_handle). Errors: operation_aborted
    /// after cancel(), when the cache is destroyed, or when a newer async_next() replaces this
    /// one. Per-operation cancellation (terminal, partial, total) completes it with
    /// operation_aborted; the stream goes on. Completes through the handler's executor, never
    /// inline (on an ended stream, whose cache executor is gone: through the handler's associated
    /// executor only). The stream object may be destroyed while the operation is pending.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_next(CompletionToken&& token = {}) {
        auto initiation = [box = box_](auto handler) mutable {
            if (!box) { // a cancelled or moved-from stream: nothing will come
                box =
                    std::make_shared<detail::embed_token_stream_box>(asio::get_associated_executor(handler));
                box->close();
            }
            box->start_next(std::move(handler));
        };
        return asio::async_initiate<CompletionToken, void(std::error_code, token_handle)>(
            std::move(initiation), token);
    }

    /// Coroutine form: the newest unseen token, or nullptr once the stream has ended. A token
    /// that is already there is returned without suspending.
    asio::awaitable<token_handle> next() { return next_of(box_); }

    /// Ends the stream; idempotent.
    void cancel() noexcept {
        if (hub_ && box_)
            hub_->detach(box_);
        hub_.reset();
        box_.reset();
    }
    bool active() const noexcept { return box_ != nullptr; }
    explicit operator bool() const noexcept { return active(); }

private:
    static asio::awaitable<token_handle> next_of(std::shared_ptr<detail::embed_token_stream_box> box) {
        if (!box)
            co_return nullptr;
        if (auto ready = box->try_take())
            co_return ready;
        auto initiation = [box](auto handler) {
            box->start_next(std::move(handler));
        };
        auto token = asio::experimental::as_tuple(asio::use_awaitable);
        auto op = asio::async_initiate<decltype(token), void(std::error_code, token_handle)>(
            std::move(initiation), token);
        auto [ec, next] = co_await std::move(op);
        co_return ec ? nullptr : next;
    }

    std::shared_ptr<detail::embed_token_hub> hub_;
    std::shared_ptr<detail::embed_token_stream_box> box_;
};

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/embed_token_subscription.ipp>
#endif
