// Bodies for pbi/entra/discovery.hpp.
#pragma once

#include <pbi/entra/discovery.hpp>
#include <pbi/entra/token_codec.hpp>
#include <pbi/http/url.hpp>

#include <chrono>

namespace pbi::entra {
namespace detail::discovery {

// The authority as an https URL, or the failure in diag.
inline std::error_code authority_url(const std::string& origin, http::url& out, diagnostics& diag) {
    std::error_code ec;
    out = http::url::parse(origin, ec);
    if (ec || out.scheme != "https") {
        diag.message = "the authority origin '" + origin + "' is not a valid https URL";
        diag.hint = "check the cloud setting or the authority host override";
        return make_error_code(errc::invalid_url);
    }
    return {};
}

// Sends a GET and maps an error answer; `endpoint` names it in messages.
template <class T>
asio::awaitable<result<T>> get_document(http::client& http, const discovery_options& options,
                                        std::string target, const char* endpoint,
                                        std::error_code (*parse)(std::string_view, T&), diagnostics& diag) {
    http::url authority;
    if (auto ec = authority_url(options.authority_origin, authority, diag))
        co_return result<T>{ec, {}};
    http::request req;
    req.method = "GET";
    req.target = std::move(target);
    req.headers.add("Accept", "application/json");
    auto [ec, res] = co_await http.send(authority, std::move(req), options.call, diag);
    if (ec)
        co_return result<T>{ec, {}};
    const auto received = std::chrono::system_clock::now();
    result<T> out;
    if (res.status < 200 || res.status >= 300) {
        out.ec = parse_entra_error(res.status, res.headers, res.body, endpoint, diag);
    } else if (auto pec = parse(res.body, out.value)) {
        out.ec = pec;
        diag.source = failure_source::entra;
        diag.http_status = res.status;
        diag.message = std::string(endpoint) + " answered HTTP " + std::to_string(res.status) +
                       " with a document the SDK cannot read: " + pec.message();
        diag.hint =
            "check the authority host (cloud setting) and any proxy between this machine and Entra ID";
    }
    note_clock_skew(res.headers.get("Date"), received, diag);
    co_return out;
}

} // namespace detail::discovery

PBI_DECL discovery_options discovery_options::for_cloud(const cloud& c) {
    discovery_options o;
    o.authority_origin = c.authority_host_origin;
    return o;
}

PBI_DECL asio::awaitable<result<user_realm>> discover_realm(http::client& http, discovery_options options,
                                                            std::string upn, diagnostics& diag) {
    diag.clear();
    if (upn.empty()) {
        diag.message = "realm discovery needs a user name";
        co_return result<user_realm>{make_error_code(errc::invalid_argument), {}};
    }
    auto op = detail::discovery::get_document<user_realm>(http, options, user_realm_path(upn),
                                                          "realm discovery", &parse_user_realm, diag);
    co_return co_await std::move(op);
}

PBI_DECL asio::awaitable<result<openid_configuration>> get_openid_configuration(http::client& http,
                                                                                discovery_options options,
                                                                                std::string tenant,
                                                                                diagnostics& diag) {
    diag.clear();
    if (tenant.empty()) {
        diag.message = "the OpenID configuration check needs a tenant id or domain";
        co_return result<openid_configuration>{make_error_code(errc::invalid_argument), {}};
    }
    auto op = detail::discovery::get_document<openid_configuration>(
        http, options, openid_configuration_path(tenant), "the OpenID configuration endpoint",
        &parse_openid_configuration, diag);
    co_return co_await std::move(op);
}

} // namespace pbi::entra
