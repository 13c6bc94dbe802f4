// pbi-async — token_grant: one token request for a credential, the refresh-token rotation and
// the fall-back to the primary grant. The I/O half of a token_source.
#pragma once

#include <pbi/call_options.hpp>
#include <pbi/cloud.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/entra/access_token.hpp>
#include <pbi/entra/credential.hpp>
#include <pbi/entra/realm.hpp>
#include <pbi/entra/token_codec.hpp>
#include <pbi/http/client.hpp>
#include <pbi/refresh/cache_types.hpp>

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace pbi::entra {

struct token_source_options {
    std::string authority_origin = "https://login.microsoftonline.com";      ///< "https://host[:port]"
    std::string scope = "https://analysis.windows.net/powerbi/api/.default"; ///< v2 scope, or the v1 resource
    endpoint_version version = endpoint_version::v2;
    /// Deadline of each token request: shorter than a caller's default 30 s wait, so a hung
    /// server is reported by the request itself (naming the host) rather than by the waiter.
    call_options fetch_options = call_options::with_timeout(std::chrono::seconds(25));
    refresh::cache_options cache{.value_name =
                                     "access token"}; ///< refresh policy, back-off, quiet period, events hook

    /// Authority and scope (or v1 resource) of a national cloud.
    PBI_DECL static token_source_options for_cloud(const cloud& c, endpoint_version v = endpoint_version::v2);
};

struct grant_counters {
    std::uint64_t token_requests = 0;    ///< requests sent to the token endpoint
    std::uint64_t refresh_grants = 0;    ///< of which with grant_type=refresh_token
    std::uint64_t refresh_fallbacks = 0; ///< rejected refresh tokens replaced by the primary grant
};

/// Sends token requests for one credential. Holds the refresh token (rotated on every answer
/// that carries a new one, kept when an answer has none). A rejected refresh token falls back
/// once to the credential's primary grant. A password grant rejected as AADSTS50126 runs realm
/// discovery once per user name (the answer is cached): a federated account is then
/// errc::federated_account, not errc::invalid_credentials. Nothing here retries a rejected
/// password. Every answer's Date header is compared with this machine's clock
/// (diagnostics::clock_skew). Thread-safe.
class token_grant {
public:
    using clock_function = std::function<std::chrono::steady_clock::time_point()>;

    PBI_DECL token_grant(http::client& http, credential cred, token_source_options options,
                         clock_function now);

    /// One acquisition. Failures that retrying cannot heal (wrong password, unknown tenant,
    /// disabled app: pbi::condition::auth or configuration) are marked stop_automatic.
    PBI_DECL asio::awaitable<refresh::fetch_result<access_token>> fetch(diagnostics& diag);

    /// Replaces the credential and forgets the refresh token (it belonged to the old one).
    PBI_DECL void update_credential(credential cred);

    PBI_DECL grant_counters counters() const;
    const token_source_options& options() const noexcept { return options_; }
    http::client& http() const noexcept { return *http_; }

private:
    struct attempt;
    asio::awaitable<attempt> request(const http::url& authority, const credential& cred,
                                     const secret* refresh, diagnostics& diag);
    asio::awaitable<void> explain_rejected_password(std::string username, attempt& a, diagnostics& diag);

    http::client* http_;
    token_source_options options_;
    clock_function now_;
    mutable std::mutex mutex_;
    credential cred_;
    secret refresh_token_;
    std::uint64_t credential_generation_ = 0;
    grant_counters counters_;
    std::map<std::string, user_realm> realms_; // by lower-case user name: discovered once
};

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/token_grant.ipp>
#endif
