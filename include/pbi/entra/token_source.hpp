// pbi-async — token_source: Entra ID access tokens for one credential, refreshed ahead of
// expiry in the background, fetched once however many callers wait, read without a lock.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/entra/access_token.hpp>
#include <pbi/entra/credential.hpp>
#include <pbi/entra/token_grant.hpp>
#include <pbi/http/client.hpp>
#include <pbi/refresh/cached_value.hpp>
#include <pbi/result.hpp>

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <memory>

namespace pbi::entra {

struct token_source_counters {
    refresh::cache_counters
        cache;            ///< hits, waits, refreshes started/succeeded/failed, back-offs, invalidations
    grant_counters grant; ///< requests sent to the token endpoint
};

/// Access tokens for one credential and scope, following DESIGN.md's refresh rules.
///
/// - A valid token is returned at once: try_get() takes no lock, reads no clock and writes no
///   shared cache line.
/// - Before expiry (at refresh_at) one background refresh runs; the old token is served until
///   the new one arrives. Past the deadline callers wait for one single-flight fetch.
/// - Failures back off (at least 30 s while a valid token is served; Retry-After obeyed up to
///   1 h). A wrong password, an unknown tenant or a disabled app stops automatic attempts — a
///   retry loop would lock the account out — until update_credential() or a caller asks after
///   the quiet period (5 min by default).
/// - A held refresh token is used first; a rejected one falls back once to the primary grant.
///
/// Thread safety: every member may be called from any thread. Token requests run on the
/// http::client's executor (a strand when the io_context has several threads). The http::client
/// must outlive the token_source; destroying the source completes its waiters with
/// operation_aborted. `Clock` is injectable for tests (pbi::testing::manual_clock).
template <class Clock = std::chrono::steady_clock>
class basic_token_source {
public:
    using token_handle = std::shared_ptr<const access_token>;
    using clock_type = Clock;

    basic_token_source(http::client& http, credential cred, token_source_options options = {})
        : grant_(std::make_shared<token_grant>(http, std::move(cred), options, &steady_now)),
          cache_(http.get_executor(), fetcher(grant_), options.cache) {}

    asio::any_io_executor get_executor() const noexcept { return cache_.get_executor(); }

    /// The current token, or nullptr when none is valid. Never does I/O. The pointer is valid
    /// until this thread's next call on this source; use try_get_shared() to keep it longer.
    const access_token* try_get() const noexcept { return cache_.try_get(); }
    /// Owning variant of try_get().
    token_handle try_get_shared() const noexcept { return cache_.try_get_shared(); }

    /// Gets a valid token (or one with at least `options.min_remaining` left).
    /// Completion signature: void(std::error_code, token_handle). Cancellation: terminal,
    /// partial and total; a cancelled waiter leaves, the shared fetch goes on. `diag` is written
    /// on completion and must stay alive until then.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get(refresh::get_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return cache_.async_get(options, diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get(diagnostics& diag, CompletionToken&& token = {}) {
        return cache_.async_get({}, diag, std::forward<CompletionToken>(token));
    }
    /// Coroutine fast path: a valid token is returned without suspending; failures throw
    /// pbi::error carrying the diagnostics.
    asio::awaitable<token_handle> async_get(refresh::get_options options = {}) {
        return cache_.async_get(options);
    }

    /// For the SDK's own layers: errors as values.
    asio::awaitable<result<token_handle>> get(diagnostics& diag, refresh::get_options options = {}) {
        if (options.min_remaining <= refresh::duration::zero())
            if (auto h = cache_.try_get_shared())
                co_return result<token_handle>{{}, std::move(h)};
        auto [ec, h] =
            co_await cache_.async_get(options, diag, asio::experimental::as_tuple(asio::use_awaitable));
        co_return result<token_handle>{ec, std::move(h)};
    }

    /// Reports that Power BI rejected `seen` (403 TokenExpired): drops it if still current, so
    /// any number of concurrent reports cause one new fetch.
    void invalidate(const access_token* seen) noexcept { cache_.invalidate(seen); }
    void invalidate(const token_handle& seen) noexcept { cache_.invalidate(seen.get()); }

    /// Replaces the credential (a rotated secret or password) without a restart: drops the
    /// cached token and the refresh token, clears a stop after a permanent failure.
    void update_credential(credential cred) {
        grant_->update_credential(std::move(cred));
        cache_.reset();
    }

    /// Completes every waiter with operation_aborted and refuses new calls.
    void shutdown() noexcept { cache_.shutdown(); }

    token_source_counters counters() const { return {cache_.counters(), grant_->counters()}; }
    /// This source's never-reused id.
    std::uint64_t id() const noexcept { return cache_.id(); }

private:
    static std::chrono::steady_clock::time_point steady_now() {
        return std::chrono::steady_clock::time_point(Clock::now().time_since_epoch());
    }
    static auto fetcher(std::shared_ptr<token_grant> g) {
        return [g = std::move(g)](diagnostics& d) {
            return g->fetch(d);
        };
    }

    std::shared_ptr<token_grant> grant_;
    refresh::cached_value<access_token, Clock> cache_;
};

/// The token source on the real steady clock.
using token_source = basic_token_source<>;

} // namespace pbi::entra
