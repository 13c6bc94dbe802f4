// pbi-async — Entra ID discovery over HTTPS: realm discovery (is an account managed or
// federated?) and the tenant's OpenID configuration (does the tenant exist in this cloud?).
// Neither needs a credential.
#pragma once

#include <pbi/call_options.hpp>
#include <pbi/cloud.hpp>
#include <pbi/detail/async_run.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/entra/openid_configuration.hpp>
#include <pbi/entra/realm.hpp>
#include <pbi/http/client.hpp>
#include <pbi/result.hpp>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>

#include <string>
#include <utility>

namespace pbi::entra {

/// Where discovery requests go and how long each may take.
struct discovery_options {
    std::string authority_origin = "https://login.microsoftonline.com"; ///< "https://host[:port]"
    call_options call;                                                  ///< deadline of each request

    /// The authority of a national cloud.
    PBI_DECL static discovery_options for_cloud(const cloud& c);
};

// --- the coroutines behind the operations (errors as values), for the SDK's own layers --------

/// `GET {authority}/common/userrealm/{upn}?api-version=1.0`, parsed by parse_user_realm. An
/// `unknown` account type is a successful answer (a wrong user name, or another cloud).
PBI_DECL asio::awaitable<result<user_realm>> discover_realm(http::client& http, discovery_options options,
                                                            std::string upn, diagnostics& diag);

/// `GET {authority}/{tenant}/v2.0/.well-known/openid-configuration`, parsed by
/// parse_openid_configuration. An unknown tenant is errc::tenant_not_found (AADSTS90002).
PBI_DECL asio::awaitable<result<openid_configuration>> get_openid_configuration(http::client& http,
                                                                                discovery_options options,
                                                                                std::string tenant,
                                                                                diagnostics& diag);

// --- operations (completion-token surface) -----------------------------------------------------

/// Realm discovery for a user principal name: is the account managed (the password grant can
/// sign it in), federated (an ADFS or other identity provider signs it in: the password grant
/// fails as AADSTS50126), or unknown?
///
/// Completion signature: void(std::error_code, user_realm); default asio::use_awaitable (with
/// asio::experimental::as_tuple for errors as values). Runs on `http`'s executor; the handler
/// is invoked through its associated executor, never inline. Cancellation: terminal, through
/// the handler's cancellation slot (completes with asio::error::operation_aborted).
/// Lifetimes: `http` and `diag` must outlive the operation; `options` and `upn` are copied.
/// Errors: errc::invalid_argument (empty user name), errc::invalid_url (authority), the
/// transport errors of http::client::send, an Entra error answer mapped by parse_entra_error,
/// or the errors of parse_user_realm (source failure_source::entra). `diag` is cleared, then
/// filled on failure; on every answer it records the clock skew (note_clock_skew).
template <class CompletionToken = asio::use_awaitable_t<>>
auto async_discover_realm(http::client& http, discovery_options options, std::string upn, diagnostics& diag,
                          CompletionToken&& token = {}) {
    auto op = [&http, options = std::move(options), upn = std::move(upn)](diagnostics& d) {
        return discover_realm(http, options, upn, d);
    };
    return pbi::detail::async_run<user_realm>(http.get_executor(), std::move(op), diag,
                                              std::forward<CompletionToken>(token));
}

/// As above, completing with void(std::exception_ptr, user_realm): the exception is a
/// pbi::error carrying the code and the diagnostics (`co_await` throws it).
template <class CompletionToken = asio::use_awaitable_t<>>
requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_discover_realm(
    http::client& http, discovery_options options, std::string upn, CompletionToken&& token = {}) {
    auto op = [&http, options = std::move(options), upn = std::move(upn)](diagnostics& d) {
        return discover_realm(http, options, upn, d);
    };
    return pbi::detail::async_run_throwing<user_realm>(http.get_executor(), std::move(op),
                                                       std::forward<CompletionToken>(token));
}

/// Fetches a tenant's OpenID configuration: the check that a tenant (GUID or domain) exists in
/// the authority's cloud.
///
/// Completion signature: void(std::error_code, openid_configuration). Executor, cancellation,
/// lifetimes and diagnostics as for async_discover_realm. Errors: errc::invalid_argument (empty
/// tenant), errc::invalid_url, transport errors, errc::tenant_not_found (AADSTS90002, a typo or
/// another cloud) and the other Entra error answers, or the errors of parse_openid_configuration.
template <class CompletionToken = asio::use_awaitable_t<>>
auto async_get_openid_configuration(http::client& http, discovery_options options, std::string tenant,
                                    diagnostics& diag, CompletionToken&& token = {}) {
    auto op = [&http, options = std::move(options), tenant = std::move(tenant)](diagnostics& d) {
        return get_openid_configuration(http, options, tenant, d);
    };
    return pbi::detail::async_run<openid_configuration>(http.get_executor(), std::move(op), diag,
                                                        std::forward<CompletionToken>(token));
}

/// As above, completing with void(std::exception_ptr, openid_configuration) (pbi::error).
template <class CompletionToken = asio::use_awaitable_t<>>
requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_get_openid_configuration(
    http::client& http, discovery_options options, std::string tenant, CompletionToken&& token = {}) {
    auto op = [&http, options = std::move(options), tenant = std::move(tenant)](diagnostics& d) {
        return get_openid_configuration(http, options, tenant, d);
    };
    return pbi::detail::async_run_throwing<openid_configuration>(http.get_executor(), std::move(op),
                                                                 std::forward<CompletionToken>(token));
}

} // namespace pbi::entra

#if defined(PBI_HEADER_ONLY)
#include <pbi/entra/impl/discovery.ipp>
#endif
