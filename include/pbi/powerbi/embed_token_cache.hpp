// pbi-async — embed_token_cache: one always-valid embed token per request, refreshed ahead of
// expiry on the same refreshing cache as Entra tokens, pushed to subscribers, evicted when idle.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/entra/token_source.hpp>
#include <pbi/exception.hpp>
#include <pbi/powerbi/client.hpp>
#include <pbi/powerbi/embed_token_subscription.hpp>
#include <pbi/refresh/cached_value.hpp>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbi::powerbi {

/// What an embed token is for. Build one with a factory; requests with the same path and body
/// (resources, identities, access level, lifetime) share one cached token.
struct embed_request {
    std::string path; ///< relative to /v1.0/myorg, encoded
    std::string body; ///< the GenerateToken JSON
    /// The lifetime asked for (`lifetimeInMinutes`, else Power BI's default of 60 minutes).
    std::chrono::minutes lifetime{60};

    PBI_DECL static embed_request report(const report_ref& ref, const generate_token_request& body);
    PBI_DECL static embed_request dashboard(const dashboard_ref& ref, const generate_token_request& body);
    PBI_DECL static embed_request tile(const tile_ref& ref, const generate_token_request& body);
    PBI_DECL static embed_request v2(const generate_token_v2_request& body);

    /// The cache key: path and body.
    std::string key() const { return path + '\n' + body; }
};

/// When a minted embed token expires and when to renew it, in local time.
struct embed_token_timing {
    refresh::duration lifetime{};   ///< `expiration` − the answer's `Date` (or − `received`)
    refresh::duration refresh_in{}; ///< lifetime − min(max_refresh_ahead, lifetime / 2)
};

/// The lifetime of an embed token is `expiration` minus the server's `Date` (both server time,
/// so clock skew cancels out), anchored at the local receive time; without a readable `Date`
/// it is `expiration` − `received`. Never negative.
PBI_DECL embed_token_timing embed_token_timing_of(std::chrono::system_clock::time_point expiration,
                                                  std::optional<std::string_view> date_header,
                                                  std::chrono::system_clock::time_point received,
                                                  refresh::duration max_refresh_ahead);

struct embed_token_cache_options {
    refresh::cache_options cache{.value_name = "embed token"};      ///< back-off and events, per key
    refresh::duration max_refresh_ahead = std::chrono::minutes(10); ///< renew min(this, lifetime/2) early
    /// A key that nobody read (async_get, try_get) or subscribed to for this many lifetimes of
    /// its token is not renewed but evicted when its next renewal is due. 0 = never evict.
    int idle_lifetimes = 2;
};

namespace detail {

/// Makes sure the bearer the client will use has at least `min_remaining` left.
using embed_prepare_function =
    std::function<asio::awaitable<std::error_code>(refresh::get_options, diagnostics&)>;

/// One GenerateToken for `request`: an Entra token with the whole embed lifetime left first,
/// then the call; the lifetime and the renewal time follow embed_token_timing_of().
PBI_DECL asio::awaitable<refresh::fetch_result<embed_token>>
mint_embed_token(client& c, const embed_prepare_function& prepare, embed_request request,
                 refresh::duration max_refresh_ahead, diagnostics& diag);

} // namespace detail

/// Keeps one embed token per embed_request valid: single-flight per key, background refresh
/// ahead of expiry, back-off on failure, the old token served while a refresh runs (all of
/// refresh::cached_value). Each mint first asks the token source for an Entra token with at
/// least the requested embed lifetime left (`get_options::min_remaining`), because Power BI
/// caps an embed token's lifetime at the remaining lifetime of the Entra token used to mint it.
/// RLS mistakes (errc::effective_identity_required / _not_allowed) and other 400 answers stop
/// automatic attempts for that key.
///
/// Hosts that push tokens to screens subscribe() (a callback) or watch() (an awaitable
/// stream): each renewed token of the key is delivered with latest-value semantics, so a page
/// can call `setAccessToken` before the old token expires and a slow screen never holds the
/// cache up. Idle keys go away: a key that nobody read or subscribed to for
/// `idle_lifetimes` lifetimes of its token is evicted instead of renewed when its next renewal
/// is due (size() drops); asking for it again later simply mints again.
///
/// Thread safety: all members may be called from any thread. Timers and mints run on the
/// client's executor. Lifetimes: the client and the token source must outlive the cache and
/// the mints it still has in flight (destroy them after the executor stopped, or after the
/// mints ended). Destroying the cache completes its waiters with operation_aborted and ends
/// its subscriptions and streams (those objects may outlive it). `Clock` is injectable for
/// tests (pbi::testing::manual_clock); it must count in steady_clock::duration.
template <class Clock = std::chrono::steady_clock>
class basic_embed_token_cache {
public:
    using token_handle = std::shared_ptr<const embed_token>;
    using clock_type = Clock;
    using subscription = embed_token_subscription;
    using token_stream = embed_token_stream;
    using prepare_function = detail::embed_prepare_function;

    template <class TokenClock>
    basic_embed_token_cache(client& c, entra::basic_token_source<TokenClock>& tokens,
                            embed_token_cache_options options = {})
        : basic_embed_token_cache(c, prepare_function{[t = &tokens](refresh::get_options o, diagnostics& d) {
                                      return prepare_with(t, o, d);
                                  }},
                                  std::move(options)) {}
    basic_embed_token_cache(client& c, prepare_function prepare, embed_token_cache_options options = {})
        : core_(std::make_shared<core>(c, std::move(prepare), std::move(options))) {}
    ~basic_embed_token_cache() { core_->shutdown(); }
    basic_embed_token_cache(const basic_embed_token_cache&) = delete;
    basic_embed_token_cache& operator=(const basic_embed_token_cache&) = delete;

    /// A valid embed token for `request`, minting one only when none is cached or valid.
    /// Completion signature: void(std::error_code, token_handle); cancellation as
    /// refresh::cached_value::async_get. `diag` must outlive the operation.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get(const embed_request& request, diagnostics& diag, CompletionToken&& token = {}) {
        auto e = core_->lookup(request, false);
        refresh::get_options options;
        return e->value->async_get(options, diag, std::forward<CompletionToken>(token));
    }
    /// As above; a cached token is returned without suspending. Throws pbi::error.
    asio::awaitable<token_handle> async_get(const embed_request& request) { return get_of(core_, request); }

    /// The cached token of `request` if one is valid, without I/O (nullptr otherwise). Counts as
    /// a read of the key.
    token_handle try_get(const embed_request& request) const {
        auto e = core_->find(request);
        return e ? e->value->try_get_shared() : nullptr;
    }

    /// Calls `on_token` with the current token of `request` (if any) and then with each
    /// renewed one, posted to the cache's executor (or `ex`), latest value first: see
    /// embed_token_subscription. Mints the first token when the key has none. The key is not
    /// evicted while the subscription lives. A request that fails for good (an RLS mistake)
    /// delivers nothing; async_get() tells why.
    subscription subscribe(const embed_request& request, std::function<void(token_handle)> on_token) {
        return subscribe(request, core_->ex, std::move(on_token));
    }
    subscription subscribe(const embed_request& request, asio::any_io_executor ex,
                           std::function<void(token_handle)> on_token) {
        auto e = core_->lookup(request, true);
        auto box = std::make_shared<detail::embed_token_callback_box>(std::move(ex), std::move(on_token));
        e->hub->attach(box);
        core::keep(e);
        return subscription(e->hub, std::move(box));
    }

    /// An awaitable stream of the tokens of `request` (embed_token_stream): `co_await
    /// stream.next()` returns the newest token not seen yet. As subscribe() otherwise.
    token_stream watch(const embed_request& request) {
        auto e = core_->lookup(request, true);
        auto box = std::make_shared<detail::embed_token_stream_box>(core_->ex);
        e->hub->attach(box);
        core::keep(e);
        return token_stream(e->hub, std::move(box));
    }

    /// How many requests have a cache entry.
    std::size_t size() const {
        std::lock_guard lock(core_->mutex);
        return core_->entries.size();
    }
    /// Keys evicted because nobody used them.
    std::uint64_t evictions() const noexcept { return core_->evictions.load(std::memory_order_relaxed); }
    /// Counters summed over the keys in the cache (an evicted key's counts leave with it).
    refresh::cache_counters counters() const {
        std::vector<std::shared_ptr<key_entry>> all;
        {
            std::lock_guard lock(core_->mutex);
            for (const auto& kv : core_->entries)
                all.push_back(kv.second);
        }
        refresh::cache_counters sum;
        for (const auto& e : all) {
            auto c = e->value->counters();
            sum.hits += c.hits;
            sum.waits += c.waits;
            sum.refreshes_started += c.refreshes_started;
            sum.refreshes_succeeded += c.refreshes_succeeded;
            sum.refreshes_failed += c.refreshes_failed;
            sum.backoffs += c.backoffs;
            sum.invalidations += c.invalidations;
        }
        return sum;
    }
    const asio::any_io_executor& get_executor() const noexcept { return core_->ex; }

private:
    using value_type = refresh::cached_value<embed_token, Clock>;

    static std::int64_t now_ticks() { return Clock::now().time_since_epoch().count(); }

    /// One key: its cached value and the bookkeeping its subscriptions share.
    struct key_entry {
        embed_request request;
        std::string key;
        std::shared_ptr<detail::embed_token_hub> hub;
        std::atomic<refresh::duration::rep> lifetime{0}; ///< of the last token minted
        std::atomic<bool> keeping{false};   ///< a keeper waits for a token (subscribers, none valid)
        refresh::duration keeper_timeout{}; ///< outlasts any back-off before the cache's next attempt
        bool evicted = false;               ///< under core::mutex
        std::optional<value_type> value;

        ~key_entry() {
            if (hub)
                hub->close(); // before `value` goes: the hub reads it
        }
    };

    struct core : std::enable_shared_from_this<core> {
        core(client& c, prepare_function p, embed_token_cache_options o)
            : client_(&c), prepare(std::move(p)), options(std::move(o)), ex(c.get_executor()) {}

        client* client_;
        prepare_function prepare;
        embed_token_cache_options options;
        asio::any_io_executor ex;
        mutable std::mutex mutex;
        std::map<std::string, std::shared_ptr<key_entry>, std::less<>> entries;
        bool stopped = false;
        std::atomic<std::uint64_t> evictions{0};

        /// The entry of `request`, created when missing; marks it used (and subscribed).
        std::shared_ptr<key_entry> lookup(const embed_request& request, bool subscribe) {
            auto key = request.key();
            std::lock_guard lock(mutex);
            auto it = entries.find(key);
            if (it == entries.end())
                it = entries.emplace(key, make_entry(request, key)).first;
            auto& e = it->second;
            e->hub->touch();
            if (subscribe)
                e->hub->subscribers.fetch_add(1);
            return e;
        }

        std::shared_ptr<key_entry> find(const embed_request& request) const {
            auto key = request.key();
            std::lock_guard lock(mutex);
            auto it = entries.find(key);
            if (it == entries.end())
                return nullptr;
            it->second->hub->touch();
            return it->second;
        }

        std::shared_ptr<key_entry> make_entry(const embed_request& request, const std::string& key) {
            auto e = std::make_shared<key_entry>();
            e->request = request;
            e->key = key;
            const auto& policy = options.cache.policy;
            e->keeper_timeout =
                std::max(policy.max_retry_after, policy.max_backoff) + std::chrono::minutes(1);
            std::weak_ptr<core> weak_core = this->weak_from_this();
            std::weak_ptr<key_entry> weak_entry = e;
            auto fetch = [weak_core, weak_entry](diagnostics& d) {
                return mint_for(weak_core, weak_entry, d);
            };
            auto cache_options = options.cache;
            cache_options.on_event = [user = options.cache.on_event,
                                      weak_entry](const refresh::cache_event& ev) {
                if (user)
                    user(ev);
                if (auto k = weak_entry.lock())
                    on_event(k, ev);
            };
            e->value.emplace(ex, std::move(fetch), std::move(cache_options));
            value_type* v = &*e->value;
            e->hub =
                std::make_shared<detail::embed_token_hub>([v] { return v->try_get_shared(); }, &now_ticks);
            return e;
        }

        static void on_event(const std::shared_ptr<key_entry>& e, const refresh::cache_event& ev) {
            using kind = refresh::cache_event_kind;
            if (ev.kind == kind::refresh_succeeded)
                e->hub->publish_current();
            else if (ev.kind == kind::refresh_failed || ev.kind == kind::value_expired)
                keep(e);
        }

        /// Subscribers wait for a token and none is valid: keep asking the cache (which backs
        /// off by its rules) until one arrives, the subscribers leave or the failure is for good.
        static void keep(const std::shared_ptr<key_entry>& e) {
            if (e->hub->subscribers.load() == 0 || e->value->try_get() || e->keeping.exchange(true))
                return;
            std::weak_ptr<key_entry> weak = e;
            auto ex = e->value->get_executor();
            auto spawn = [ex, weak] {
                asio::co_spawn(ex, keeper(weak), asio::detached);
            };
            asio::post(ex, std::move(spawn)); // co_spawn would run the keeper inline
        }

        static asio::awaitable<void> keeper(std::weak_ptr<key_entry> weak) {
            for (;;) {
                auto e = weak.lock();
                if (!e || e->hub->subscribers.load() == 0 || e->hub->closed())
                    break;
                if (e->value->try_get()) {
                    e->hub->publish_current();
                    break;
                }
                refresh::get_options o;
                o.timeout = e->keeper_timeout;
                diagnostics d;
                auto op = e->value->async_get(o, d, asio::experimental::as_tuple(asio::use_awaitable));
                e.reset(); // the operation holds the cache state; the entry may go meanwhile
                auto [ec, token] = co_await std::move(op);
                if (ec && ec != make_error_code(errc::timeout))
                    break; // shut down, evicted, or a failure retrying cannot heal
            }
            if (auto e = weak.lock())
                e->keeping.store(false);
        }

        static bool idle(const key_entry& e, std::int64_t now, int lifetimes) {
            if (lifetimes <= 0 || e.hub->subscribers.load() > 0)
                return false;
            auto life = e.lifetime.load();
            if (life <= 0)
                life = std::chrono::duration_cast<refresh::duration>(e.request.lifetime).count();
            return now - e.hub->last_used.load() >= std::int64_t(lifetimes) * life;
        }

        /// Called by a key's own fetch: when nobody used the key for idle_lifetimes lifetimes,
        /// erases it instead of minting. The entry is destroyed later, outside that fetch.
        bool evict_if_idle(const std::shared_ptr<key_entry>& e) {
            const auto now = now_ticks();
            if (!idle(*e, now, options.idle_lifetimes))
                return false;
            std::shared_ptr<key_entry> doomed;
            {
                std::lock_guard lock(mutex); // readers mark keys used under this lock
                if (stopped || e->evicted || !idle(*e, now, options.idle_lifetimes))
                    return false;
                auto it = entries.find(e->key);
                if (it != entries.end() && it->second == e) {
                    doomed = std::move(it->second);
                    entries.erase(it);
                }
                e->evicted = true;
            }
            evictions.fetch_add(1, std::memory_order_relaxed);
            e->hub->close();
            e->value->shutdown(); // ends this fetch quietly: no events, no back-off
            asio::post(ex, [doomed = std::move(doomed)] {});
            return true;
        }

        bool is_evicted(const std::shared_ptr<key_entry>& e) const {
            std::lock_guard lock(mutex);
            return e->evicted && !stopped;
        }

        void shutdown() noexcept {
            std::map<std::string, std::shared_ptr<key_entry>, std::less<>> gone;
            {
                std::lock_guard lock(mutex);
                stopped = true;
                gone.swap(entries);
            }
            for (auto& [key, e] : gone) {
                e->hub->close();
                e->value->shutdown();
            }
        }

        static asio::awaitable<refresh::fetch_result<embed_token>>
        mint_for(std::weak_ptr<core> weak_core, std::weak_ptr<key_entry> weak_entry, diagnostics& d) {
            refresh::fetch_result<embed_token> out;
            auto c = weak_core.lock();
            auto e = weak_entry.lock();
            if (!c || !e || c->evict_if_idle(e)) {
                out.ec = asio::error::operation_aborted;
                co_return out;
            }
            auto op = detail::mint_embed_token(*c->client_, c->prepare, e->request,
                                               c->options.max_refresh_ahead, d);
            out = co_await std::move(op);
            if (!out.ec)
                e->lifetime.store(out.lifetime.count());
            co_return out;
        }
    };

    static asio::awaitable<token_handle> get_of(std::shared_ptr<core> c, embed_request request) {
        for (int attempt = 0;; ++attempt) {
            auto e = c->lookup(request, false);
            if (auto h = e->value->try_get_shared())
                co_return h;
            diagnostics d;
            refresh::get_options options;
            auto op = e->value->async_get(options, d, asio::experimental::as_tuple(asio::use_awaitable));
            auto [ec, h] = co_await std::move(op);
            if (!ec)
                co_return h;
            // The key was evicted just as this call found it: ask the new entry once.
            if (ec == asio::error::operation_aborted && attempt == 0 && c->is_evicted(e))
                continue;
            throw pbi::error(ec, std::move(d));
        }
    }

    template <class TokenClock>
    static asio::awaitable<std::error_code> prepare_with(entra::basic_token_source<TokenClock>* tokens,
                                                         refresh::get_options options, diagnostics& diag) {
        auto op = tokens->async_get(options, diag, asio::experimental::as_tuple(asio::use_awaitable));
        auto [ec, handle] = co_await std::move(op);
        co_return ec;
    }

    std::shared_ptr<core> core_;
};

/// The embed-token cache on the real steady clock.
using embed_token_cache = basic_embed_token_cache<>;

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/embed_token_cache.ipp>
#endif
