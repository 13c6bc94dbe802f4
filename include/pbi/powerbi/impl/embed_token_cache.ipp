// Bodies for pbi/powerbi/embed_token_cache.hpp.
#pragma once

#include <pbi/http/date.hpp>
#include <pbi/http/encoding.hpp>
#include <pbi/powerbi/embed_token_cache.hpp>
#include <pbi/powerbi/impl/client.ipp> // detail::embed_token_answer

#include <algorithm>

namespace pbi::powerbi {

namespace detail {
inline std::chrono::minutes requested_lifetime(std::optional<int> minutes) {
    return std::chrono::minutes(minutes && *minutes > 0 ? *minutes : 60);
}
} // namespace detail

PBI_DECL embed_request embed_request::report(const report_ref& ref, const generate_token_request& body) {
    return {detail::report_path(ref) + "/GenerateToken", generate_token_request_body(body),
            detail::requested_lifetime(body.lifetime_in_minutes)};
}

PBI_DECL embed_request embed_request::dashboard(const dashboard_ref& ref,
                                                const generate_token_request& body) {
    return {detail::dashboard_path(ref.workspace_id, ref.dashboard_id) + "/GenerateToken",
            generate_token_request_body(body), detail::requested_lifetime(body.lifetime_in_minutes)};
}

PBI_DECL embed_request embed_request::tile(const tile_ref& ref, const generate_token_request& body) {
    return {detail::dashboard_path(ref.workspace_id, ref.dashboard_id) + "/tiles/" +
                http::encode_path_segment(ref.tile_id) + "/GenerateToken",
            generate_token_request_body(body), detail::requested_lifetime(body.lifetime_in_minutes)};
}

PBI_DECL embed_request embed_request::v2(const generate_token_v2_request& body) {
    return {"/GenerateToken", generate_token_v2_request_body(body),
            detail::requested_lifetime(body.lifetime_in_minutes)};
}

PBI_DECL embed_token_timing embed_token_timing_of(std::chrono::system_clock::time_point expiration,
                                                  std::optional<std::string_view> date_header,
                                                  std::chrono::system_clock::time_point received,
                                                  refresh::duration max_refresh_ahead) {
    std::optional<std::chrono::system_clock::time_point> server_now;
    if (date_header)
        server_now = http::parse_http_date(*date_header);
    const auto span = expiration - server_now.value_or(received);
    embed_token_timing t;
    t.lifetime = std::max(refresh::duration::zero(), std::chrono::duration_cast<refresh::duration>(span));
    t.refresh_in = t.lifetime - std::min(max_refresh_ahead, t.lifetime / 2);
    return t;
}

namespace detail {

PBI_DECL asio::awaitable<refresh::fetch_result<embed_token>>
mint_embed_token(client& c, const embed_prepare_function& prepare, embed_request request,
                 refresh::duration max_refresh_ahead, diagnostics& diag) {
    refresh::fetch_result<embed_token> out;
    // An embed token lives at most as long as the Entra token that mints it: ask for one with
    // the whole requested lifetime left first.
    refresh::get_options entra;
    entra.min_remaining = std::chrono::duration_cast<refresh::duration>(request.lifetime);
    auto prepared = prepare(entra, diag);
    if (auto ec = co_await std::move(prepared)) {
        out.ec = ec;
        co_return out;
    }
    auto call = c.call("POST", request.path, request.body, c.options().call, diag);
    auto [ec, res] = co_await std::move(call);
    const auto received = std::chrono::system_clock::now();
    auto [tec, token] = embed_token_answer(ec, res, diag);
    if (tec) {
        out.ec = tec;
        out.stop_automatic = tec == errc::bad_request || tec == errc::effective_identity_required ||
                             tec == errc::effective_identity_not_allowed;
        out.fail_waiters_now = diag.http_status >= 200 && diag.http_status < 300; // not a token answer
        co_return out;
    }
    auto timing =
        embed_token_timing_of(token.expiration, res.headers.get("Date"), received, max_refresh_ahead);
    if (timing.lifetime <= refresh::duration::zero()) {
        diag.message = "Power BI returned an embed token that had already expired";
        out.ec = make_error_code(errc::powerbi_error);
        co_return out;
    }
    out.value = std::move(token);
    out.lifetime = timing.lifetime;
    out.refresh_in = timing.refresh_in;
    co_return out;
}

} // namespace detail

} // namespace pbi::powerbi
