// pbi-async — embed_token_cache: one always-valid embed token per request, refreshed ahead of
// expiry on the same refreshing cache as Entra tokens.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/entra/token_source.hpp>
#include <pbi/powerbi/client.hpp>
#include <pbi/refresh/cached_value.hpp>

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

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
    refresh::cache_options cache;                                   ///< back-off and events, per key
    refresh::duration max_refresh_ahead = std::chrono::minutes(10); ///< renew min(this, lifetime/2) early
};

/// Keeps one embed token per embed_request valid: single-flight per key, background refresh
/// ahead of expiry, back-off on failure, the old token served while a refresh runs (all of
/// refresh::cached_value). Each mint first asks the token source for an Entra token with at
/// least the requested embed lifetime left (`get_options::min_remaining`), because Power BI
/// caps an embed token's lifetime at the remaining lifetime of the Entra token used to mint it.
/// RLS mistakes (errc::effective_identity_required / _not_allowed) and other 400 answers stop
/// automatic attempts for that key.
///
/// Thread safety: all members may be called from any thread. Lifetimes: the client and the
/// token source must outlive the cache; destroy the cache when its executor no longer runs
/// (fetches in flight refer to it). Keys are not evicted.
class embed_token_cache {
public:
    using token_handle = std::shared_ptr<const embed_token>;
    /// Makes sure the bearer the client will use has at least `min_remaining` left.
    using prepare_function =
        std::function<asio::awaitable<std::error_code>(refresh::get_options, diagnostics&)>;

    template <class Clock>
    embed_token_cache(client& c, entra::basic_token_source<Clock>& tokens,
                      embed_token_cache_options options = {})
        : embed_token_cache(c, prepare_function{[t = &tokens](refresh::get_options o, diagnostics& d) {
                                return prepare_with(t, o, d);
                            }},
                            std::move(options)) {}
    PBI_DECL embed_token_cache(client& c, prepare_function prepare, embed_token_cache_options options = {});
    PBI_DECL ~embed_token_cache();
    embed_token_cache(const embed_token_cache&) = delete;
    embed_token_cache& operator=(const embed_token_cache&) = delete;

    /// A valid embed token for `request`, minting one only when none is cached or valid.
    /// Completion signature: void(std::error_code, token_handle); cancellation as
    /// refresh::cached_value::async_get. `diag` must outlive the operation.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get(const embed_request& request, diagnostics& diag, CompletionToken&& token = {}) {
        refresh::get_options options;
        return entry_for(request).async_get(options, diag, std::forward<CompletionToken>(token));
    }
    /// As above; throws pbi::error.
    asio::awaitable<token_handle> async_get(const embed_request& request) {
        return entry_for(request).async_get(refresh::get_options());
    }

    /// The cached token of `request` if one is valid, without I/O.
    PBI_DECL token_handle try_get(const embed_request& request) const;
    /// How many requests have a cache entry.
    PBI_DECL std::size_t size() const;
    /// Counters summed over every key.
    PBI_DECL refresh::cache_counters counters() const;

private:
    using entry = refresh::cached_value<embed_token>;

    template <class Clock>
    static asio::awaitable<std::error_code> prepare_with(entra::basic_token_source<Clock>* tokens,
                                                         refresh::get_options options, diagnostics& diag) {
        auto op = tokens->async_get(options, diag, asio::experimental::as_tuple(asio::use_awaitable));
        auto [ec, handle] = co_await std::move(op);
        co_return ec;
    }

    PBI_DECL entry& entry_for(const embed_request& request);
    PBI_DECL asio::awaitable<refresh::fetch_result<embed_token>> mint(embed_request request,
                                                                      diagnostics& diag);

    client* client_;
    prepare_function prepare_;
    embed_token_cache_options options_;
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<entry>, std::less<>> entries_;
};

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/embed_token_cache.ipp>
#endif
