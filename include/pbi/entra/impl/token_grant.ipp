// Bodies for pbi/entra/token_grant.hpp.
#pragma once

#include <pbi/entra/discovery.hpp>
#include <pbi/entra/token_grant.hpp>
#include <pbi/http/url.hpp>

#include <algorithm>

namespace pbi::entra {

struct token_grant::attempt {
    std::error_code ec;
    access_token token;
};

PBI_DECL token_source_options token_source_options::for_cloud(const cloud& c, endpoint_version v) {
    token_source_options o;
    o.authority_origin = c.authority_host_origin;
    o.scope = v == endpoint_version::v2 ? c.powerbi_scope() : c.powerbi_resource;
    o.version = v;
    return o;
}

PBI_DECL token_grant::token_grant(http::client& http, credential cred, token_source_options options,
                                  clock_function now)
    : http_(&http), options_(std::move(options)), now_(std::move(now)), cred_(std::move(cred)) {
    if (!now_)
        now_ = [] {
            return std::chrono::steady_clock::now();
        };
}

PBI_DECL asio::awaitable<token_grant::attempt> token_grant::request(const http::url& authority,
                                                                    const credential& cred,
                                                                    const secret* refresh,
                                                                    diagnostics& diag) {
    http::request req;
    req.method = "POST";
    req.target = token_endpoint_path(tenant_of(cred), options_.version);
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    req.headers.add("Accept", "application/json");
    req.body = refresh ? build_refresh_request_body(cred, *refresh, options_.scope, options_.version)
                       : build_token_request_body(cred, options_.scope, options_.version);
    {
        std::lock_guard lock(mutex_);
        ++counters_.token_requests;
        if (refresh)
            ++counters_.refresh_grants;
    }
    auto [ec, res] = co_await http_->send(authority, std::move(req), options_.fetch_options, diag);
    attempt out;
    if (ec) {
        out.ec = ec;
        co_return out;
    }
    const auto received = std::chrono::system_clock::now();
    out.ec = parse_token_response(res.status, res.headers, res.body, now_(), out.token, diag);
    note_clock_skew(res.headers.get("Date"), received, diag);
    co_return out;
}

PBI_DECL asio::awaitable<void> token_grant::explain_rejected_password(std::string username, attempt& a,
                                                                      diagnostics& diag) {
    std::string key = username;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    std::optional<user_realm> realm;
    {
        std::lock_guard lock(mutex_);
        if (auto it = realms_.find(key); it != realms_.end())
            realm = it->second;
    }
    if (!realm) {
        // Its own diagnostics: the token answer's facts stay what the caller sees. A failed
        // discovery is not cached and leaves invalid_credentials as it is.
        diagnostics realm_diag;
        discovery_options o;
        o.authority_origin = options_.authority_origin;
        o.call = options_.fetch_options;
        auto lookup = discover_realm(*http_, std::move(o), std::move(username), realm_diag);
        auto r = co_await std::move(lookup);
        if (r.ec)
            co_return;
        realm = r.value;
        std::lock_guard lock(mutex_);
        realms_.emplace(key, r.value);
    }
    if (realm->account_type == user_realm::kind::federated) {
        a.ec = errc::federated_account;
        std::error_code ec = a.ec;
        diag.message = ec.message() + " (AADSTS50126 for a federated account)";
        diag.hint = federated_account_hint(*realm);
    } else if (realm->account_type == user_realm::kind::managed) {
        diag.hint =
            "check the password (realm discovery shows a managed account, whose password Entra ID checks "
            "itself, so federation is not the cause). Do not retry with the same password: repeated "
            "failures lock the account";
    } else {
        diag.hint = "check the user name: realm discovery does not know its domain (a typo, or an account in "
                    "another cloud). Do not retry with the same password: repeated failures lock the account";
    }
}

PBI_DECL asio::awaitable<refresh::fetch_result<access_token>> token_grant::fetch(diagnostics& diag) {
    refresh::fetch_result<access_token> out;
    credential cred;
    secret refresh;
    std::uint64_t generation;
    {
        std::lock_guard lock(mutex_);
        cred = cred_;
        refresh = refresh_token_;
        generation = credential_generation_;
    }
    std::error_code ec;
    const http::url authority = http::url::parse(options_.authority_origin, ec);
    if (ec) {
        diag.message = "the authority origin '" + options_.authority_origin + "' is not a valid https URL";
    } else if (auto vec = validate(cred, diag)) {
        ec = vec;
    }
    if (ec) {
        out.ec = ec;
        out.stop_automatic = true;
        co_return out;
    }

    auto a = co_await request(authority, cred, refresh.empty() ? nullptr : &refresh, diag);
    if (!refresh.empty() && a.ec && a.ec != condition::transport && a.ec != condition::retryable) {
        // The refresh token was rejected (expired, revoked): the primary grant, once.
        {
            std::lock_guard lock(mutex_);
            ++counters_.refresh_fallbacks;
            if (generation == credential_generation_)
                refresh_token_ = secret{};
        }
        refresh = secret{};
        diag.clear();
        a = co_await request(authority, cred, nullptr, diag);
    }
    if (a.ec == errc::invalid_credentials) { // AADSTS50126 on the password grant: is the account federated?
        if (const auto* ropc = std::get_if<ropc_credential>(&cred)) {
            auto explain = explain_rejected_password(ropc->username, a, diag);
            co_await std::move(explain);
        }
    }
    if (a.ec) {
        if (diag.source == failure_source::none)
            diag.source = failure_source::entra;
        // A gateway or a server may echo the request back: never let it show a secret.
        diag.redact(client_secret_of(cred).reveal());
        if (const auto* ropc = std::get_if<ropc_credential>(&cred))
            diag.redact(ropc->password.reveal());
        diag.redact(refresh.reveal());
        out.ec = a.ec;
        // Retrying cannot heal an auth or configuration error, nor any other 4xx answer to the
        // credential (a mangled AADSTS50126 is still a wrong password): retries lock accounts out.
        const bool client_error =
            diag.http_status >= 400 && diag.http_status < 500 && diag.http_status != 429;
        out.stop_automatic = a.ec == condition::auth || a.ec == condition::configuration || client_error;
        // A 2xx that is not a token answer (a gateway page, the wrong host): say so now.
        out.fail_waiters_now = diag.http_status >= 200 && diag.http_status < 300;
        co_return out;
    }
    {
        std::lock_guard lock(mutex_);
        if (a.token.refresh_token.empty())
            a.token.refresh_token = refresh; // an answer without a new refresh token keeps the old one
        if (generation == credential_generation_)
            refresh_token_ = a.token.refresh_token;
    }
    out.lifetime = a.token.lifetime;
    out.refresh_in = a.token.refresh_in;
    out.value = std::move(a.token);
    co_return out;
}

PBI_DECL void token_grant::update_credential(credential cred) {
    std::lock_guard lock(mutex_);
    cred_ = std::move(cred);
    refresh_token_ = secret{};
    ++credential_generation_;
}

PBI_DECL grant_counters token_grant::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

} // namespace pbi::entra
