// Bodies for pbi/entra/token_grant.hpp.
#pragma once

#include <pbi/entra/token_grant.hpp>
#include <pbi/http/url.hpp>

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
    out.ec = ec ? ec : parse_token_response(res.status, res.headers, res.body, now_(), out.token, diag);
    co_return out;
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
    if (a.ec) {
        if (diag.source == failure_source::none)
            diag.source = failure_source::entra;
        out.ec = a.ec;
        out.stop_automatic = a.ec == condition::auth || a.ec == condition::configuration;
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
